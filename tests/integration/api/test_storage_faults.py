"""A real server whose PostgreSQL goes away or fills up: 503 with Retry-After, never a 500 or a
200 cut short; an export that fails once started ends with an error marker and an unterminated
transfer; /health tells whether writes succeed.

The database going away is a real DROP DATABASE ... WITH (FORCE) (the server's connections are
terminated and cannot come back) or pg_terminate_backend; a full disk is a trigger raising
PostgreSQL's own disk_full error (SQLSTATE 53100) on insert, since no tiny filesystem is at hand.
"""

from __future__ import annotations

import io
import time

import httpx
import orjson
import pyarrow.parquet as pq
import pytest

from tests.support.services import PostgresDatabase
from tests.support.tape import message, row
from tests.support.waiting import wait_until

REPLAY = {"TRADEWIRE_QUOTE_PROVIDERS": '["replay"]', "TRADEWIRE_CANDLE_PROVIDERS": '["replay"]'}
SECRET = "storage-faults-secret"
S = 1_000_000_000


def assert_retry_later(resp: httpx.Response, what: str) -> None:
    assert resp.status_code == 503, (what, resp.status_code, resp.text[:300])
    assert int(resp.headers["retry-after"]) >= 1, what


def test_a_database_that_goes_away_is_a_503_with_retry_after(server_factory, database):
    server = server_factory(
        {**REPLAY, "TRADEWIRE_DATABASE_URL": database.url, "TRADEWIRE_WEBHOOK_SECRET": SECRET}
    )
    reader = {"authorization": f"Bearer {server.token('watcher')}"}
    reads = [
        ("/api/signals", {}),
        ("/api/tape/candles", {"symbol": "NQZ5"}),
        ("/api/collector/status", {}),
        ("/api/collector/status/json", {}),
        ("/api/scraper/status", {}),
        *(("/api/scraper/export", {"format": fmt}) for fmt in ("json", "csv", "parquet")),
    ]
    with httpx.Client(base_url=server.base_url, headers=reader, timeout=30) as api:
        assert api.get("/api/signals").status_code == 200
        database.drop()  # terminates the server's connections; no new one can be made
        for path, params in reads:
            resp = api.get(path, params=params)
            assert_retry_later(resp, path)
            assert resp.json()["success"] is False and resp.json()["error"]
        health = api.get("/health")
        assert_retry_later(health, "/health")
        assert health.json()["database"] == "unreachable"
        alert = api.post(f"/webhook/tradingview/{SECRET}", content="BTC/USDT LONG @ 45000")
        assert_retry_later(alert, "webhook")


def test_a_full_disk_is_a_503_and_health_says_writes_fail_until_one_succeeds(
    server_factory, database
):
    server = server_factory(
        {"TRADEWIRE_DATABASE_URL": database.url, "TRADEWIRE_WEBHOOK_SECRET": SECRET}
    )
    feeder = {"authorization": f"Bearer {server.token('desk1', 'ingest')}"}
    with httpx.Client(base_url=server.base_url, timeout=30) as api:
        assert api.get("/health").json()["writes"] == "ok"
        database.execute(
            """
            CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
              RAISE EXCEPTION 'could not extend file: No space left on device'
                USING ERRCODE = 'disk_full';
            END $$;
            CREATE TRIGGER full_alerts BEFORE INSERT ON alerts
              FOR EACH ROW EXECUTE FUNCTION disk_full();
            CREATE TRIGGER full_tape BEFORE INSERT ON tape_trades
              FOR EACH ROW EXECUTE FUNCTION disk_full();
            CREATE TRIGGER full_probe BEFORE INSERT ON write_probe
              FOR EACH ROW EXECUTE FUNCTION disk_full();
            """,
        )
        alert = api.post(f"/webhook/tradingview/{SECRET}", content="ETH/USDT LONG @ 2400")
        assert_retry_later(alert, "webhook")
        prints = message([row(time.time_ns() - 60 * S, 1)], account="desk1")
        assert_retry_later(api.post("/api/scraper/ingest", json=prints, headers=feeder), "ingest")
        health = api.get("/health")
        assert_retry_later(health, "/health")
        assert (health.json()["database"], health.json()["writes"]) == ("ok", "failing")

        assert_retry_later(api.get("/health"), "/health")  # its probe write fails too

        # Room again: /health's own probe write finds it, with no other traffic.
        database.execute(
            "DROP TRIGGER full_alerts ON alerts; DROP TRIGGER full_tape ON tape_trades;"
            "DROP TRIGGER full_probe ON write_probe",
        )
        health = wait_until(
            lambda: (reply := api.get("/health")).status_code == 200 and reply, timeout=30
        )
        assert health.json()["writes"] == "ok"
        retried = api.post(f"/webhook/tradingview/{SECRET}", content="ETH/USDT LONG @ 2400")
        assert retried.status_code == 200, retried.text


def fill_tape(database: PostgresDatabase, rows: int) -> None:
    """``rows`` prints of the last hour, inserted by the database itself (fast)."""
    now = time.time_ns()
    database.execute(
        f"""
        INSERT INTO tape_trades (id, market_id, ts_ns, symbol, account, timestamp, price, size,
          accumulated_volume, tick_direction, is_highlighted, captured_at, source, received_ns)
        SELECT 'p' || i, 'm' || i, {now - 3600 * S} + i * 1000, 'NQZ5', 'desk1',
          '08:52:25.037 10/8/25', 25000 + (i % 400) * 0.25, 1 + i % 7, i, 'up', i % 2 = 0,
          NULL, 'http', {now}
        FROM generate_series(1, {rows}) AS i
        """,
    )


def terminate_connections(database: PostgresDatabase) -> None:
    database.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database.name}' AND pid <> pg_backend_pid()",
        dbname="test",
    )


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_an_export_cut_short_by_the_database_ends_with_an_error_the_client_sees(
    server_factory, database, fmt
):
    server = server_factory({"TRADEWIRE_DATABASE_URL": database.url})
    fill_tape(database, 200_000)  # 20 chunks of 10,000 rows
    reader = {"authorization": f"Bearer {server.token('watcher')}"}
    received = bytearray()
    with httpx.stream(
        "GET", f"{server.base_url}/api/scraper/export?format={fmt}", headers=reader, timeout=60
    ) as resp:
        assert resp.status_code == 200
        chunks = resp.iter_raw()
        received += next(chunks)
        # The server has made a chunk or two of the twenty by now: most are still to be read.
        terminate_connections(database)
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in chunks:
                received += chunk
    tail = bytes(received[-300:])
    if fmt == "json":
        last = orjson.loads(tail.rstrip(b"\n").rsplit(b"\n", 1)[-1])
        assert set(last) == {"error"} and "database" in last["error"]
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(received)
    else:
        assert tail.rstrip(b"\n").rsplit(b"\n", 1)[-1].startswith(b"# error: ")
    if fmt == "parquet":
        with pytest.raises(Exception, match=r"(?i)parquet"):
            pq.read_table(io.BytesIO(bytes(received)))
