"""``GET /api/analyze/{ticker}`` on a real server over the fake Yahoo server: the seed's shape
plus the added fields, figures that agree with their own prices, the caller's paper account or
the default one, and errors as 4xx or 503, never 500."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal

import httpx
import pytest

from tests.integration.trading.paper import trader
from tests.support.fake_providers import UNKNOWN, FakeProvider, Fault, fake_yahoo
from tests.support.server import ServerProcess
from tests.support.users import bearer

SEED_KEYS = {
    "ticker", "probability_score", "signal", "data_source", "component_scores", "levels",
    "position_sizing",
}  # fmt: skip
ADDED_KEYS = {
    "as_of", "data_age_seconds", "raw_score", "calibrated", "calibration", "thresholds",
    "components", "levels_detail", "sizing_detail", "patterns", "account",
}  # fmt: skip
COMPONENTS = {
    "technical_analysis", "market_context", "sentiment", "volume", "seasonality",
    "multi_timeframe",
}  # fmt: skip
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def yahoo() -> Iterator[FakeProvider]:
    with fake_yahoo() as server:
        yield server


@pytest.fixture(scope="module")
def server(yahoo: FakeProvider, tmp_path_factory) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path_factory.mktemp("analyze"),
        {
            "TRADEWIRE_QUOTE_PROVIDERS": '["yahoo"]',
            "TRADEWIRE_CANDLE_PROVIDERS": '["yahoo"]',
            "TRADEWIRE_YAHOO_BASE_URL": yahoo.base_url,
            "TRADEWIRE_PROVIDER_RETRIES": "0",
            # An injected outage must not bench the only source for the tests after it.
            "TRADEWIRE_PROVIDER_UNHEALTHY_AFTER": "100",
        },
    ).start()
    yield server
    server.stop()


@pytest.fixture
def api(server: ServerProcess) -> Iterator[httpx.Client]:
    headers = bearer(server.token("tester"))
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        yield client


def price(value: float) -> Decimal:
    return Decimal(repr(value))


def test_seed_shape_and_figures_that_agree(api: httpx.Client) -> None:
    first = api.get("/api/analyze/nvda")
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == SEED_KEYS | ADDED_KEYS
    assert body["ticker"] == "NVDA" and body["data_source"] == "live_api"
    assert body["signal"] in ("BUY", "SELL", "HOLD") and 0 <= body["probability_score"] <= 100
    assert set(body["component_scores"]) == set(body["components"]) == COMPONENTS
    assert set(body["levels"]) == {"entry", "stop", "target", "r_r_ratio"}
    assert set(body["position_sizing"]) == {"shares", "risk_dollars", "potential_profit"}
    assert body["account"] == "default"

    levels, size = body["levels"], body["position_sizing"]
    entry, stop, target = (price(levels[k]) for k in ("entry", "stop", "target"))
    assert levels["r_r_ratio"] == round(float(abs(target - entry) / abs(entry - stop)), 2)
    risk = (size["shares"] * abs(entry - stop)).quantize(CENT, ROUND_HALF_EVEN)
    potential = (size["shares"] * abs(target - entry)).quantize(CENT, ROUND_HALF_EVEN)
    assert price(size["risk_dollars"]) == risk and price(size["potential_profit"]) == potential
    # The default account: 10,000 USD, 2 % at risk, at most 10 % of it in the position.
    assert size["shares"] == min(
        math.floor(Decimal(200) / abs(entry - stop)), math.floor(Decimal(1000) / entry)
    )
    assert body["components"]["market_context"]["has_data"] is True

    again = api.get("/api/analyze/NVDA").json()
    assert again["data_source"] == "cache" and again["data_age_seconds"] >= 0
    assert again["levels"] == body["levels"] and again["signal"] == body["signal"]


def test_a_stored_user_is_sized_on_their_paper_account(server: ServerProcess) -> None:
    alice = trader(server, "alice", riskPercent="1", maxNotionalPercent="50")
    mine = httpx.get(f"{server.base_url}/api/analyze/AAPL", headers=alice, timeout=30).json()
    assert mine["account"] == "paper:alice"
    levels = mine["levels"]
    entry, stop = price(levels["entry"]), price(levels["stop"])
    # 1 % of the paper account's 10,000 USD at risk, at most 50 % of it in the position, and
    # no more than its available 10,000 USD can pay for.
    expected = min(
        math.floor(Decimal(100) / abs(entry - stop)),
        math.floor(Decimal(5000) / entry),
        math.floor(Decimal(10_000) / entry),
    )
    assert mine["position_sizing"]["shares"] == expected

    default = httpx.get(
        f"{server.base_url}/api/analyze/AAPL", headers=bearer(server.token("nobody")), timeout=30
    ).json()
    assert default["account"] == "default" and default["levels"] == levels
    assert default["position_sizing"]["shares"] == min(
        math.floor(Decimal(200) / abs(entry - stop)), math.floor(Decimal(1000) / entry)
    )


def test_auth_and_bad_input(server: ServerProcess, api: httpx.Client) -> None:
    assert httpx.get(f"{server.base_url}/api/analyze/SPY", timeout=10).status_code == 401
    for garbage, reason in (
        ("TOOLONG", "at most 5"),
        ("BRK-B", "use a dot"),
        ("%C3%A9", "only letters"),
        ("A.B.C", "share class"),
    ):
        answer = api.get(f"/api/analyze/{garbage}")
        assert answer.status_code == 422, (garbage, answer.text)
        assert reason in answer.json()["error"] and answer.json()["success"] is False
    unknown = api.get(f"/api/analyze/{UNKNOWN}")
    assert unknown.status_code == 404 and UNKNOWN in unknown.json()["error"]


def test_provider_down_is_503_with_retry_after(yahoo: FakeProvider, api: httpx.Client) -> None:
    yahoo.state.faults.extend(Fault("500", "/v8/finance/chart/MSFT") for _ in range(3))
    try:
        down = api.get("/api/analyze/MSFT")
        assert down.status_code == 503, down.text
        assert int(down.headers["retry-after"]) >= 1 and down.json()["error"]
    finally:
        yahoo.state.faults.clear()
    assert api.get("/api/analyze/MSFT").status_code == 200
