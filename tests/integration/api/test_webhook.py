"""Webhook intake against a real server: formats, authentication, limits, duplicates."""

import asyncio
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SECRET = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.support.server import ServerProcess

    server = ServerProcess(
        tmp_path_factory.mktemp("webhook"), {"TRADEWIRE_WEBHOOK_SECRET": SECRET}
    ).start()
    yield server
    server.stop()


def post(server, body, *, path_secret=SECRET, content_type="text/plain", headers=None):
    url = f"{server.base_url}/webhook/tradingview"
    if path_secret is not None:
        url += f"/{path_secret}"
    data = body.encode() if isinstance(body, str) else body
    return httpx.post(url, content=data, headers={"content-type": content_type, **(headers or {})})


def test_text_alert_with_crlf_is_accepted(server):
    resp = post(server, "SOL/USDT LONG @ 101.5 TP: 104 SL: 99.75\r\n")
    assert resp.status_code == 200, resp.text
    signal = resp.json()["signal"]
    assert (
        signal["pair"],
        signal["direction"],
        signal["entry"],
        signal["takeProfit"],
        signal["stopLoss"],
        signal["format"],
        signal["source"],
    ) == ("SOL/USDT", "LONG", 101.5, 104, 99.75, "standard", "webhook")


def test_json_alert_with_passphrase_is_accepted_and_passphrase_not_echoed(server):
    body = json.dumps(
        {
            "ticker": "BINANCE:ADAUSDT.P",
            "action": "sell",
            "price": "0.45",
            "tp": "0.43",
            "sl": "0.46",
            "strategy": "breakout",
            "passphrase": SECRET,
        }
    )
    resp = post(server, body, path_secret=None, content_type="application/json")
    assert resp.status_code == 200, resp.text
    assert SECRET not in resp.text
    signal = resp.json()["signal"]
    assert (signal["pair"], signal["contract"], signal["exchange"], signal["strategy"]) == (
        "ADA/USDT",
        "perpetual",
        "BINANCE",
        "breakout",
    )


@pytest.mark.parametrize(
    ("path_secret", "body", "content_type"),
    [
        ("wrong-secret", "BTC/USDT BUY", "text/plain"),
        (None, "BTC/USDT BUY", "text/plain"),
        (None, json.dumps({"ticker": "BTCUSDT", "action": "buy"}), "application/json"),
        (
            None,
            json.dumps({"ticker": "BTCUSDT", "action": "buy", "passphrase": "nope"}),
            "application/json",
        ),
        (SECRET[:-1], "BTC/USDT BUY", "text/plain"),
    ],
)
def test_bad_or_missing_secret_is_401(server, path_secret, body, content_type):
    resp = post(server, body, path_secret=path_secret, content_type=content_type)
    assert resp.status_code == 401
    assert resp.json()["error"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("BTC/USDT LONG @ 45000 TP: 44000 SL: 44500", "not above entry"),
        ("{{ticker}} {{strategy.order.action}}", "not rendered"),
        ('{"ticker": "{{ticker}}", "action": "buy"}', "not rendered"),
        ("hello", "unrecognised"),
        ("BTC/USDT LONG @ NaN", "finite"),
        ('{"ticker": "BTCUSDT", "action": "buy"', "invalid JSON"),
        ("", "empty"),
    ],
)
def test_invalid_alert_is_422_with_reason(server, body, reason):
    resp = post(server, body)
    assert resp.status_code == 422, resp.text
    assert reason in resp.json()["reason"]


def test_non_utf8_and_nul_bodies_are_422_and_stored(server):
    for body in (b"\xff\xfe BTC BUY", "BTC/USDT BUY\x00"):
        resp = post(server, body)
        assert resp.status_code == 422
        assert resp.json()["status"] == "rejected" and resp.json()["alert_id"]


def test_body_over_64_kib_is_413_with_or_without_content_length(server):
    big = "BTC/USDT BUY " + "x" * (64 * 1024)
    assert post(server, big).status_code == 413

    def chunks():
        for _ in range(80):
            yield b"x" * 1024

    resp = httpx.post(f"{server.base_url}/webhook/tradingview/{SECRET}", content=chunks())
    assert resp.status_code == 413


def test_retries_yield_one_signal(server):
    body = "XRP/USDT SHORT @ 0.61 TP: 0.58 SL: 0.63"
    first, second, third = (post(server, body) for _ in range(3))
    assert first.json()["status"] == "accepted"
    assert second.json() == {
        **second.json(),
        "status": "duplicate",
        "duplicate_of": first.json()["signal"]["id"],
    }
    assert third.json()["status"] == "duplicate"


async def test_duplicate_storm_yields_one_signal(server):
    body = "DOGE/USDT LONG @ 0.15 TP: 0.16 SL: 0.14"
    async with httpx.AsyncClient(timeout=30) as client:
        responses = await asyncio.gather(
            *(
                client.post(f"{server.base_url}/webhook/tradingview/{SECRET}", content=body)
                for _ in range(150)
            )
        )
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("accepted") == 1 and statuses.count("duplicate") == 149
    listed = httpx.get(
        f"{server.base_url}/api/signals",
        params={"symbol": "DOGEUSDT"},
        headers={"authorization": f"Bearer {server.token()}"},
    ).json()
    assert listed["count"] == 1


def test_signals_listing_needs_a_token_and_filters(server):
    assert httpx.get(f"{server.base_url}/api/signals").status_code == 401
    bad = httpx.get(f"{server.base_url}/api/signals", params={"token": "forged"})
    assert bad.status_code == 401
    post(
        server,
        json.dumps(
            {"ticker": "LINKUSDT", "action": "buy", "strategy": "grid-7", "passphrase": SECRET}
        ),
        path_secret=None,
    )
    auth = {"authorization": f"Bearer {server.token()}"}
    by_strategy = httpx.get(
        f"{server.base_url}/api/signals", params={"strategy": "grid-7"}, headers=auth
    ).json()
    assert [s["pair"] for s in by_strategy["signals"]] == ["LINK/USDT"]
    future = httpx.get(
        f"{server.base_url}/api/signals", params={"since": "2199-01-01"}, headers=auth
    ).json()
    assert future["count"] == 0
    for params in (
        {"limit": 0},
        {"limit": "many"},
        {"since": "yesterday"},
        {"since": "2999-01-01"},
        {"since": "99999999999999999999"},
        {"symbol": "no such symbol!"},
    ):
        resp = httpx.get(f"{server.base_url}/api/signals", params=params, headers=auth)
        assert resp.status_code == 422, params
        assert resp.json()["error"]


def test_latency_health_and_metrics(server):
    post(server, "AVAX/USDT BUY")
    latency = httpx.get(f"{server.base_url}/api/latency").json()
    for stage in ("captureLatency", "processingLatency", "distributionLatency", "totalLatency"):
        assert set(latency[stage]) >= {"avg", "p50", "p95", "p99"}
    assert latency["totalLatency"]["count"] >= 1
    assert httpx.get(f"{server.base_url}/health").json()["database"] == "ok"
    metrics = httpx.get(f"{server.base_url}/metrics").text
    assert "tradewire_signal_stage_seconds_bucket" in metrics
    assert "tradewire_ws_subscribers" in metrics


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
    content_type=st.sampled_from(["text/plain", "application/json", "", "x/y; charset=latin1"]),
)
def test_arbitrary_bodies_never_get_a_5xx(server, body, content_type):
    resp = post(server, body, content_type=content_type)
    assert resp.status_code in (200, 413, 422), resp.text


def test_allowlist_with_trusted_proxy(server_factory):
    server = server_factory(
        {
            "TRADEWIRE_WEBHOOK_SECRET": SECRET,
            "TRADEWIRE_WEBHOOK_IP_ALLOWLIST": "true",
            "TRADEWIRE_TRUST_PROXY": "true",
        }
    )
    assert post(server, "BTC/USDT BUY").status_code == 403
    forwarded = post(server, "BTC/USDT BUY", headers={"x-forwarded-for": "34.212.75.30"})
    assert forwarded.status_code == 200
    spoofed = post(server, "ETH/USDT BUY", headers={"x-forwarded-for": "34.212.75.30, 9.9.9.9"})
    assert spoofed.status_code == 403


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(server_factory):
    server = server_factory(
        {"TRADEWIRE_WEBHOOK_SECRET": SECRET, "TRADEWIRE_WEBHOOK_IP_ALLOWLIST": "true"}
    )
    posing = post(server, "BTC/USDT BUY", headers={"x-forwarded-for": "34.212.75.30"})
    assert posing.status_code == 403, posing.text
    assert "127.0.0.1" in posing.json()["error"]


def test_other_methods_and_paths_are_refused_with_a_reason(server):
    url = f"{server.base_url}/webhook/tradingview/{SECRET}"
    refused = httpx.get(url)
    assert refused.status_code == 405 and refused.headers["allow"] == "POST"
    assert refused.json()["error"]
    assert httpx.post(f"{url}/extra", content="BTC/USDT BUY").status_code == 404
    assert httpx.post(f"{server.base_url}/webhook/other", content="BTC/USDT BUY").status_code == 404


def test_webhook_is_documented_in_openapi(server):
    paths = httpx.get(f"{server.base_url}/openapi.json").json()["paths"]
    for path in ("/webhook/tradingview", "/webhook/tradingview/{secret}"):
        operation = paths[path]["post"]
        assert set(operation["requestBody"]["content"]) == {"text/plain", "application/json"}
        assert {"200", "401", "413", "422", "503"} <= set(operation["responses"])
    assert "/api/signals" in paths
    assert httpx.get(f"{server.base_url}/docs").status_code == 200
