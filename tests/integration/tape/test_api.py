"""The scraper and tape API on a real server: auth, validation, data, export, config, candles."""

from __future__ import annotations

import csv
import io
import time

import httpx
import orjson
import pyarrow.parquet as pq

from tests.support.tape import message, row

S = 1_000_000_000


def test_scraper_api_end_to_end(server_factory, db_url):
    server = server_factory(
        {"TRADEWIRE_DATABASE_URL": db_url, "TRADEWIRE_TAPE__MAX_INGEST_BYTES": "100000"}
    )
    base = server.base_url
    user = {"authorization": f"Bearer {server.token('user1')}"}
    feeder = {"authorization": f"Bearer {server.token('user1', 'ingest')}"}
    admin = {"authorization": f"Bearer {server.token('boss', 'admin')}"}
    t = time.time_ns() // 60_000_000_000 * 60_000_000_000 - 120 * S
    rows = [row(t + i * 100_000_000, i + 1, price=25146.0 + i * 0.25) for i in range(20)]
    rows[3] = {**rows[3], "price": "25,146.75"}  # page text
    body = message([*rows, {"timestamp": "nonsense", "price": 1, "size": 1}])

    assert httpx.post(f"{base}/api/scraper/ingest", json=body).status_code == 401
    assert httpx.post(f"{base}/api/scraper/ingest", json=body, headers=user).status_code == 403
    bad = httpx.post(f"{base}/api/scraper/ingest", content=b"{oops", headers=feeder)
    assert bad.status_code == 422
    assert "JSON" in bad.json()["error"]
    assert httpx.post(f"{base}/api/scraper/ingest", json=[1], headers=feeder).status_code == 422
    huge = message([row(t, i) for i in range(1, 1000)])
    assert httpx.post(f"{base}/api/scraper/ingest", json=huge, headers=feeder).status_code == 413

    first = httpx.post(f"{base}/api/scraper/ingest", json=body, headers=feeder).json()
    assert (first["accepted"], first["duplicates"], first["rejected"]) == (20, 0, 1)
    assert first["rows"][0]["index"] == 20
    again = httpx.post(f"{base}/api/scraper/ingest", json=body, headers=feeder).json()
    assert (again["accepted"], again["duplicates"]) == (0, 20)

    status = httpx.get(f"{base}/api/scraper/status", headers=user).json()
    assert status["accounts"] == ["user1"]
    assert status["buffer"]["fill"] == {"user1": 20}
    assert status["running"] is True
    assert status["trades_total"] == 20

    data = httpx.get(f"{base}/api/scraper/data?account=user1&limit=2", headers=user).json()
    assert [r["accumulatedVolume"] for r in data["trades"]] == [20, 19]
    assert data["trades"][0]["symbol"] == "NQZ5"

    def export(fmt: str) -> bytes:
        resp = httpx.get(f"{base}/api/scraper/export?format={fmt}&account=user1", headers=user)
        assert resp.status_code == 200, resp.text
        return resp.content

    as_json = orjson.loads(export("json"))
    assert [r["accumulatedVolume"] for r in as_json] == [float(i + 1) for i in range(20)]
    assert as_json[3]["price"] == 25146.75
    as_csv = list(csv.DictReader(io.StringIO(export("csv").decode())))
    assert [r["id"] for r in as_csv] == [r["id"] for r in as_json]
    as_parquet = pq.read_table(io.BytesIO(export("parquet"))).to_pylist()
    assert [r["id"] for r in as_parquet] == [r["id"] for r in as_json]
    assert [r["price"] for r in as_parquet] == [r["price"] for r in as_json]
    # The export is valid seed input, and feeding it back stores nothing twice.
    resent = httpx.post(f"{base}/api/scraper/ingest", json=message(as_json), headers=feeder).json()
    assert (resent["accepted"], resent["duplicates"]) == (0, 20)
    bad_export = httpx.get(f"{base}/api/scraper/export?format=xml", headers=user)
    assert bad_export.status_code == 422
    assert httpx.get(f"{base}/api/scraper/export?start_date=x", headers=user).status_code == 422

    candles = httpx.get(f"{base}/api/tape/candles?symbol=nqz5&interval=1m", headers=user).json()
    assert sum(c["volume"] for c in candles["candles"]) == 40
    assert (
        httpx.get(f"{base}/api/tape/candles?symbol=NQZ5&interval=7m", headers=user).status_code
        == 422
    )

    url = f"{base}/api/scraper/config"
    assert httpx.post(url, json={"enabled": True}, headers=user).status_code == 403
    assert httpx.post(url, json={"interval": 1}, headers=admin).status_code == 422
    assert httpx.post(url, json={"bogus": 1}, headers=admin).status_code == 422
    assert httpx.post(url, json={"enabled": "yes"}, headers=admin).status_code == 422
    changed = httpx.post(url, json={"enabled": True, "interval": 500}, headers=admin).json()
    assert changed["changed"] == ["enabled", "interval"]
    persisted = httpx.post(f"{base}/api/scraper/persist", headers=admin).json()
    assert persisted["success"] is True and persisted["pending"] == 0
    assert httpx.post(f"{base}/api/scraper/persist", headers=user).status_code == 403

    server.stop()
    server.start()
    config = httpx.get(url, headers=user).json()["config"]
    assert (config["enabled"], config["interval"], config["buffer_size"]) == (True, 500, 1000)
    data = httpx.get(f"{base}/api/scraper/data?limit=100", headers=user).json()
    assert data["count"] == 20  # the live buffer is warmed from the store


def test_dates_out_of_range_get_422_before_any_streaming(server_factory, db_url):
    server = server_factory({"TRADEWIRE_DATABASE_URL": db_url})
    user = {"authorization": f"Bearer {server.token('user1')}"}
    with httpx.Client(base_url=server.base_url, headers=user, timeout=10) as api:
        for params in (
            {"symbol": "NQZ5", "start": "9999-12-30"},
            {"symbol": "NQZ5", "start": "0001-01-01"},
            {"symbol": "NQZ5", "end": "9999-12-31"},
            {"symbol": "NQZ5", "end": "0001-01-01T00:00:00Z"},
        ):
            resp = api.get("/api/tape/candles", params=params)
            assert resp.status_code == 422, (params, resp.text)
            assert "out of range" in resp.json()["error"]
        for params in (
            {"start_date": "9999-12-31"},
            {"end_date": "9999-12-31"},
            {"start_date": "0001-01-01", "format": "csv"},
            {"start_date": "9999-12-31T00:00:00Z", "format": "parquet"},
        ):
            resp = api.get("/api/scraper/export", params=params)
            assert resp.status_code == 422, (params, resp.text)
            assert "out of range" in resp.json()["error"]
        for since in ("9999-12-31", "0001-01-01", "-1", "99999999999999999999"):
            resp = api.get("/api/signals", params={"since": since})
            assert resp.status_code == 422, (since, resp.text)
