"""The collector and market data API through a real server process."""

from __future__ import annotations

import asyncio
import threading

import httpx
import orjson

from tests.support.fake_providers import FINNHUB_KEY, fake_finnhub, fake_yahoo
from tests.support.waiting import wait_until

REPLAY = {
    "TRADEWIRE_QUOTE_PROVIDERS": '["replay"]',
    "TRADEWIRE_CANDLE_PROVIDERS": '["replay"]',
}
SEED_KEYS = {
    "success", "message", "running", "last_run", "next_run", "tickers_tracked", "cache_entries",
    "watchlist",
}  # fmt: skip


def test_collector_endpoints(server_factory) -> None:
    server = server_factory(REPLAY)
    with httpx.Client(base_url=server.base_url, timeout=10) as api:
        check_collector_endpoints(server, api)


def check_collector_endpoints(server, api: httpx.Client) -> None:
    admin = {"authorization": f"Bearer {server.token('ops', 'admin')}"}
    user = {"authorization": f"Bearer {server.token('trader')}"}

    status = api.get("/api/collector/status").json()
    assert set(status) >= SEED_KEYS
    assert status["success"] is True and status["running"] is False
    assert status["watchlist"] == ["SPY", "QQQ"] and status["tickers_tracked"] == 2

    assert api.post("/api/collector/start").status_code == 401
    assert api.post("/api/collector/start", headers=user).status_code == 403
    started = api.post("/api/collector/start", headers=admin).json()
    assert started["message"] == "Collector started" and started["running"] is True

    def collected() -> dict:
        body = api.get("/api/collector/status").json()
        return body if body["cache_entries"] == 2 and body["last_run"] else {}

    body = wait_until(collected, timeout=30)
    assert body["next_run"] and body["success_count"] >= 2

    assert api.post("/api/collector/ticker/add", json={"ticker": "NVDA"}).status_code == 401
    refused = api.post("/api/collector/ticker/add", json={"ticker": "NVDA"}, headers=user)
    assert refused.status_code == 403  # the shared watchlist spends the providers' budget
    added = api.post("/api/collector/ticker/add", json={"ticker": "nvda"}, headers=admin).json()
    assert added["success"] and added["watchlist"] == ["SPY", "QQQ", "NVDA"]
    again = api.post("/api/collector/ticker/add", json={"ticker": "NVDA"}, headers=admin).json()
    assert again["message"] == "NVDA already in watchlist"

    bad = api.post("/api/collector/ticker/add", json={"ticker": "BRK-B"}, headers=admin)
    assert bad.status_code == 422 and "use a dot" in bad.json()["error"]
    assert api.post("/api/collector/ticker/add", json={}, headers=admin).status_code == 422
    broken = api.post(
        "/api/collector/ticker/add",
        content=b"{not json",
        headers={**admin, "content-type": "application/json"},
    )
    assert broken.status_code == 422 and broken.json()["success"] is False
    protected = api.post("/api/collector/ticker/remove", json={"ticker": "SPY"}, headers=admin)
    assert protected.status_code == 422 and "protected" in protected.json()["error"]
    missing = api.post("/api/collector/ticker/remove", json={"ticker": "TSLA"}, headers=admin)
    assert missing.status_code == 404
    removed = api.post("/api/collector/ticker/remove", json={"ticker": "NVDA"}, headers=admin)
    assert removed.json()["watchlist"] == ["SPY", "QQQ"]

    file_status = api.get("/api/collector/status/json").json()
    assert file_status["running"] is True and "updated_at" in file_status

    restarted = api.post("/api/collector/restart", headers=admin).json()
    assert restarted["running"] is True
    stopped = api.post("/api/collector/stop", headers=admin).json()
    assert stopped["message"] == "Collector stopped" and stopped["running"] is False
    assert (server.data_dir / "collector_status.json").exists()


def test_marketdata_endpoint(server_factory) -> None:
    server = server_factory(REPLAY)
    with httpx.Client(base_url=server.base_url, timeout=10) as api:
        check_marketdata(server, api)


def check_marketdata(server, api: httpx.Client) -> None:
    user = {"authorization": f"Bearer {server.token('trader')}"}
    assert api.get("/api/marketdata/SPY").status_code == 401
    invalid = api.get("/api/marketdata/TOOLONG", headers=user)
    assert invalid.status_code == 422 and "at most 5" in invalid.json()["error"]

    live = api.get("/api/marketdata/spy", params={"bars": 5}, headers=user).json()
    assert live["ticker"] == "SPY" and live["data_source"] == "replay" and live["stale"] is False
    assert live["quote"]["data_source"] == "replay" and live["quote"]["price"] > 0
    assert set(live["timeframes"]) == {"1d", "4h", "1h"}
    daily = live["timeframes"]["1d"]
    assert len(daily["candles"]) == 5 and daily["bars"] == 300
    assert set(daily["indicators"]) == {
        "rsi", "macd", "macd_signal", "macd_histogram", "obv", "ema_20", "ema_50", "ema_200",
        "atr", "trend",
    }  # fmt: skip
    assert daily["indicators"]["trend"] in ("up", "down", "sideways")
    assert all(lv["touches"] >= 1 for lv in daily["levels"]["support"])

    cached = api.get("/api/marketdata/SPY", headers=user).json()
    assert cached["data_source"] == "cache" and cached["quote"]["data_source"] == "replay"
    assert cached["quote"] == live["quote"]


def test_base_urls_point_the_server_at_other_hosts(server_factory) -> None:
    with fake_finnhub() as finnhub, fake_yahoo() as yahoo:
        finnhub.state.forbidden.add("/stock/candle")
        server = server_factory(
            {
                "TRADEWIRE_FINNHUB_API_KEY": FINNHUB_KEY,
                "TRADEWIRE_FINNHUB_BASE_URL": finnhub.base_url,
                "TRADEWIRE_YAHOO_BASE_URL": yahoo.base_url,
            }
        )
        user = {"authorization": f"Bearer {server.token('trader')}"}
        body = httpx.get(f"{server.base_url}/api/marketdata/MSFT", headers=user, timeout=30)
        data = body.json()
        assert data["quote"]["data_source"] == "finnhub"
        assert {tf["data_source"] for tf in data["timeframes"].values()} == {"yahoo"}
        assert finnhub.calls("/quote") == 1 and yahoo.calls() == 2
        server.stop()


def test_demo_runs_the_collector_on_replay(server_factory) -> None:
    server = server_factory({}, command="demo")

    def collected() -> dict:
        body = httpx.get(f"{server.base_url}/api/collector/status", timeout=5).json()
        return body if body["running"] and body["cache_entries"] >= 2 else {}

    body = wait_until(collected, timeout=60)
    assert {s["source"] for s in body["sources"]} == {"replay"}


async def test_concurrent_changes_never_fail_nor_tear_the_status_file(server_factory) -> None:
    """200 concurrent watchlist and loop changes: no 5xx, and the status file, read all the
    while, is always whole JSON."""
    server = server_factory(REPLAY)
    admin = {"authorization": f"Bearer {server.token('ops', 'admin')}"}
    status_file = server.data_dir / "collector_status.json"
    torn: list[bytes] = []
    reads = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal reads
        while not done.is_set():
            try:
                data = status_file.read_bytes()
            except FileNotFoundError:
                continue  # not written yet
            reads += 1
            try:
                orjson.loads(data)
            except orjson.JSONDecodeError:
                torn.append(data)

    paths = (
        "/api/collector/ticker/add",
        "/api/collector/ticker/remove",
        "/api/collector/restart",
        "/api/collector/stop",
    )
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as api:

            async def call(i: int) -> int:
                if i % 5 == 4:
                    return (await api.get("/api/collector/status/json")).status_code
                body = {"ticker": f"T{i % 7}"} if i % 4 < 2 else None
                return (await api.post(paths[i % 4], json=body, headers=admin)).status_code

            statuses = await asyncio.gather(*(call(i) for i in range(200)))
    finally:
        done.set()
        watcher.join()
    assert [s for s in statuses if s >= 500] == []
    assert reads > 0 and torn == []
    assert not list(server.data_dir.glob("collector_status*.tmp"))
