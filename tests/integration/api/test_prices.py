"""Prices on a real server: ``POST /api/prices`` (who may post, what is valid, what a stale price
gets), ``GET /api/prices[/{symbol}]``, the continuous future priced by its front month, and the
tape and the collector pricing symbols through the wiring of the running service."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.server import ServerProcess
from tests.support.tape import message, row
from tests.support.waiting import wait_until

REPLAY = {"TRADEWIRE_QUOTE_PROVIDERS": '["replay"]', "TRADEWIRE_CANDLE_PROVIDERS": '["replay"]'}
S = 1_000_000_000
#: The equity index roll dates read off a calendar by CME's rule (eight days before the third
#: Friday of March, June, September and December): on and after each, NQ1! is the next contract.
ROLLS = (
    (date(2025, 9, 11), "Z5"), (date(2025, 12, 11), "H6"), (date(2026, 3, 12), "M6"),
    (date(2026, 6, 11), "U6"), (date(2026, 9, 10), "Z6"), (date(2026, 12, 10), "H7"),
    (date(2027, 3, 11), "M7"), (date(2027, 6, 10), "U7"), (date(2027, 9, 9), "Z7"),
    (date(2027, 12, 9), "H8"), (date(2028, 3, 9), "M8"), (date(2028, 6, 8), "U8"),
    (date(2028, 9, 7), "Z8"), (date(2028, 12, 7), "H9"),
)  # fmt: skip


def front_month(root: str, moment: datetime) -> str:
    """The contract ``root1!`` names at ``moment``, from the table above."""
    day = moment.astimezone(ZoneInfo("America/Chicago")).date()
    if not ROLLS[0][0] <= day < ROLLS[-1][0]:
        pytest.skip(f"the roll table of this test does not cover {day}")
    return root + next(code for rolled, code in reversed(ROLLS) if day >= rolled)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    started = ServerProcess(tmp_path_factory.mktemp("prices"), REPLAY).start()
    yield started
    started.stop()


def bearer(server: ServerProcess, role: str, user: str = "feeder") -> dict[str, str]:
    return {"authorization": f"Bearer {server.token(user, role)}"}


@pytest.fixture(scope="module")
def api(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def ingest(server) -> dict[str, str]:
    return bearer(server, "ingest")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def iso(ms: int) -> str:
    """Epoch milliseconds as the API writes times."""
    return (
        datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    )


def latest(api: httpx.Client, server: ServerProcess, symbol: str) -> httpx.Response:
    return api.get(f"/api/prices/{symbol}", headers=bearer(server, "subscriber", "trader"))


# --- who may post ------------------------------------------------------------------------------


def test_ingest_and_admin_tokens_post_prices_subscribers_read_them(server, api) -> None:
    price = {"symbol": "SOLUSDT", "price": "98.125", "ts": now_ms()}
    assert api.post("/api/prices", json=price).status_code == 401
    bad = api.post("/api/prices", json=price, headers={"authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    refused = api.post("/api/prices", json=price, headers=bearer(server, "subscriber"))
    assert refused.status_code == 403 and "ingest" in refused.json()["error"]
    assert latest(api, server, "SOL/USDT").status_code == 404  # nothing taken so far

    posted = api.post("/api/prices", json=price, headers=bearer(server, "ingest"))
    assert posted.status_code == 200, posted.text
    assert posted.json()["accepted"] == [
        {
            "index": 0,
            "symbol": "SOL/USDT",
            "price": "98.125",
            "ts": iso(price["ts"]),
            "source": "api",
        }
    ]
    admin = {**price, "price": 98.5, "ts": price["ts"] + 1}
    assert api.post("/api/prices", json=admin, headers=bearer(server, "admin")).status_code == 200

    assert api.get("/api/prices/SOLUSDT").status_code == 401
    for path in ("/api/prices/SOLUSDT", "/api/prices/SOL/USDT", "/api/prices?symbol=solusdt"):
        read = api.get(path, headers=bearer(server, "subscriber", "trader"))
        assert read.status_code == 200, path
        assert read.json() == {
            "success": True,
            "symbol": "SOL/USDT",
            "price": "98.5",
            "ts": iso(price["ts"] + 1),
            "source": "api",
        }
    every = api.get("/api/prices", headers=bearer(server, "subscriber", "trader")).json()
    assert {"symbol": "SOL/USDT", "price": "98.5"}.items() <= next(
        p for p in every["prices"] if p["symbol"] == "SOL/USDT"
    ).items()
    assert every["feeds"] == []  # no replay or ccxt feed is configured on this server
    assert every["counts"]["symbols"] == len(every["prices"]) and every["counts"]["published"] >= 2


# --- what is valid -----------------------------------------------------------------------------


def test_prices_are_taken_exactly_as_written_whether_number_or_text(server, api, ingest) -> None:
    t = now_ms()
    cases = [
        ('{"symbol": "AVAXUSDT", "price": 35.10, "ts": %d}', "35.10"),
        ('{"symbol": "AVAXUSDT", "price": "35.20", "ts": %d}', "35.20"),
        ('{"symbol": "AVAXUSDT", "price": 65000.123456789012345678, "ts": %d}', None),
        ('{"symbol": "AVAXUSDT", "price": "0.000000000000000001", "ts": %d}', None),
        ('{"symbol": "AVAXUSDT", "price": 2.5e3, "ts": %d}', "2500"),
        ('{"symbol": "AVAXUSDT", "price": 36, "ts": %d}', "36"),
    ]
    for step, (body, shown) in enumerate(cases):
        sent = body % (t + step)
        answer = api.post(
            "/api/prices",
            content=sent,
            headers={**ingest, "content-type": "application/json"},
        )
        assert answer.status_code == 200, answer.text
        written = sent.split('"price": ')[1].split(",")[0].strip('"')
        (accepted,) = answer.json()["accepted"]
        assert accepted["price"] == (shown or written)
        assert Decimal(accepted["price"]) == Decimal(written)
        read = latest(api, server, "AVAXUSDT").json()
        assert read["price"] == accepted["price"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"price": "1", "ts": 0}, "symbol: Field required"),
        ({"symbol": "BTCUSDT"}, "price: Field required"),
        ({"symbol": "BTCUSDT", "price": -1}, "price must be a positive number, not -1"),
        ({"symbol": "BTCUSDT", "price": 0}, "price must be a positive number, not 0"),
        ({"symbol": "BTCUSDT", "price": "-0.5"}, "price must be a positive number, not -0.5"),
        ({"symbol": "BTCUSDT", "price": "NaN"}, "price: text must be a decimal number"),
        ({"symbol": "BTCUSDT", "price": "Infinity"}, "price: text must be a decimal number"),
        ({"symbol": "BTCUSDT", "price": "65,000.10"}, "price: text must be a decimal number"),
        ({"symbol": "BTCUSDT", "price": "1_000"}, "price: text must be a decimal number"),
        ({"symbol": "BTCUSDT", "price": True}, "price: must be a number, not true or false"),
        ({"symbol": "BTCUSDT", "price": [1]}, "price: "),
        ({"symbol": "BTCUSDT", "price": 1e13}, "is not below 1000000000000"),
        ({"symbol": "BTCUSDT", "price": "1e-30"}, "more than 18 digits after the point"),
        ({"symbol": "BTCUSDT", "price": 1, "ts": 1}, "ts 1970-01-01T00:00:00.001Z is more than"),
        ({"symbol": "BTCUSDT", "price": 1, "ts": 10**30}, "ts: out of range"),
        ({"symbol": "BTCUSDT", "price": 1, "ts": -5}, "ts: out of range"),
        ({"symbol": "BTCUSDT", "price": 1, "ts": "yesterday"}, "ts: not a date or ISO 8601"),
        ({"symbol": "BTCUSDT", "price": 1, "ts": "2000-01-01T00:00:00Z"}, "s old"),
        ({"symbol": "BTCUSDT", "price": 1, "ts": "2199-01-01T00:00:00Z"}, "s ahead of now"),
        ({"symbol": "BTCUSDT", "price": 1, "ts": True}, "ts: must be epoch milliseconds"),
        ({"symbol": "BTCUSDT", "price": 1, "ts": 1.5e12 + 0.5}, "ts: must be epoch milliseconds"),
        ({"symbol": "BTCUSDT", "price": 1, "ts": "x" * 41}, "ts: text of 41 characters"),
        ({"symbol": "BTCUSDT", "price": 1, "volume": 3}, "volume: Extra inputs are not permitted"),
        ({"symbol": "", "price": 1}, "symbol: String should have at least 1 character"),
        ({"symbol": "NOT A SYMBOL", "price": 1}, "invalid symbol"),
        ({"symbol": 42, "price": 1}, "symbol: Input should be a valid string"),
        ([], "a list of prices must hold 1 to 1000, not 0"),
        ("65000", "the body must be a price"),
        (
            [1, {"symbol": "BTCUSDT"}],
            "[0] must be an object {symbol, price, ts}; [1] price: Field required",
        ),
    ],
)
def test_invalid_prices_are_refused_with_the_reason(server, api, ingest, body, reason) -> None:
    answer = api.post("/api/prices", json=body, headers=ingest)
    assert answer.status_code == 422, answer.text
    assert answer.json()["success"] is False
    assert reason in answer.json()["error"]


def test_bodies_that_are_not_json_or_too_large_are_refused(server, api, ingest) -> None:
    headers = {**ingest, "content-type": "application/json"}
    for body, reason in (
        ('{"symbol": "BTCUSDT", "price": NaN}', "NaN is not a number"),
        ('{"symbol": "BTCUSDT", "price": Infinity}', "Infinity is not a number"),
        ('{"symbol": "BTCUSDT", "price": 1e400}', "is not below"),
        ('{"symbol": "BTCUSDT", "price": 1', "body is not valid JSON"),
        ("", "body is not valid JSON"),
        (b"\xff\xfe", "body is not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, ""),
    ):
        answer = api.post("/api/prices", content=body, headers=headers)
        assert answer.status_code in (413, 422), (body[:40], answer.text)
        assert reason in answer.json()["error"]
    too_many = [{"symbol": "BTCUSDT", "price": 1}] * 1001
    answer = api.post("/api/prices", json=too_many, headers=ingest)
    assert answer.status_code == 422 and "1 to 1000, not 1001" in answer.json()["error"]
    huge = api.post("/api/prices", content=b" " * 400_000, headers=headers)
    assert huge.status_code == 413


def test_a_batch_is_refused_whole_with_every_reason(server, api, ingest) -> None:
    t = now_ms()
    batch = [
        {"symbol": "DOTUSDT", "price": "7.1", "ts": t},
        {"symbol": "DOTUSDT", "price": -7, "ts": t + 1},
        {"symbol": "DOTUSDT", "price": "7.3", "ts": "soon"},
        {"symbol": "DOTUSDT", "price": "7.4", "ts": t + 3},
    ]
    answer = api.post("/api/prices", json=batch, headers=ingest)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error == (
        "[1] price must be a positive number, not -7; "
        "[2] ts: not a date or ISO 8601 date-time: 'soon'"
    )
    # Reasons name each price by its place in the body, whichever check refused it, in order.
    mixed = [{"symbol": "DOTUSDT"}, batch[2], {"symbol": "DOTUSDT", "price": "x"}, batch[1]]
    error = api.post("/api/prices", json=mixed, headers=ingest).json()["error"]
    assert [reason.split("]")[0] + "]" for reason in error.split("; ")] == [
        "[0]", "[1]", "[2]", "[3]",
    ]  # fmt: skip
    assert "[1] ts: not a date" in error and "[3] price must be a positive" in error
    assert latest(api, server, "DOTUSDT").status_code == 404  # nothing of it was taken

    valid = [batch[0], {**batch[1], "price": "7.2"}, {**batch[2], "ts": t + 2}, batch[3]]
    answer = api.post("/api/prices", json=valid, headers=ingest).json()
    assert [(a["index"], a["price"]) for a in answer["accepted"]] == [
        (0, "7.1"), (1, "7.2"), (2, "7.3"), (3, "7.4"),
    ]  # fmt: skip
    assert latest(api, server, "DOTUSDT").json()["price"] == "7.4"


# --- what a price that is not newer gets -------------------------------------------------------


def test_a_price_older_than_the_latest_or_repeated_is_ignored_and_says_why(
    server, api, ingest
) -> None:
    t = now_ms()
    first = api.post(
        "/api/prices", json={"symbol": "LINKUSDT", "price": "14.2", "ts": t}, headers=ingest
    )
    assert first.status_code == 200 and len(first.json()["accepted"]) == 1
    current = first.json()["accepted"][0]
    del current["index"]

    older = {"symbol": "LINKUSDT", "price": "14.9", "ts": t - 1000}
    answer = api.post("/api/prices", json=older, headers=ingest)
    assert answer.status_code == 200
    assert answer.json()["accepted"] == []
    (ignored,) = answer.json()["ignored"]
    assert ignored["reason"] == "older than the latest price"
    assert (ignored["index"], ignored["symbol"], ignored["price"]) == (0, "LINK/USDT", "14.9")
    assert ignored["latest"] == current

    again = api.post(
        "/api/prices", json={"symbol": "LINK/USDT", "price": 14.2, "ts": t}, headers=ingest
    )
    assert again.json()["ignored"][0]["reason"] == "the same time and price as the latest price"

    # In a batch, each price is judged against the latest when its turn comes.
    batch = [
        {"symbol": "LINKUSDT", "price": "14.3", "ts": t + 10},
        {"symbol": "LINKUSDT", "price": "14.1", "ts": t + 5},
        {"symbol": "LINKUSDT", "price": "14.4", "ts": t + 10},
    ]
    answer = api.post("/api/prices", json=batch, headers=ingest).json()
    assert [a["index"] for a in answer["accepted"]] == [0, 2]  # same time, another price: newer
    assert [(i["index"], i["reason"]) for i in answer["ignored"]] == [
        (1, "older than the latest price")
    ]
    assert latest(api, server, "LINKUSDT").json()["price"] == "14.4"


# --- the continuous future ---------------------------------------------------------------------


def test_the_continuous_future_is_priced_by_the_documented_front_month(server, api, ingest) -> None:
    moment = datetime.now(UTC)
    contract = front_month("NQ", moment)
    ts = moment.isoformat().replace("+00:00", "Z")
    answer = api.post(
        "/api/prices", json={"symbol": "NQ1!", "price": 21450.25, "ts": ts}, headers=ingest
    )
    assert answer.status_code == 200, answer.text
    (accepted,) = answer.json()["accepted"]
    assert (accepted["symbol"], accepted["price"]) == (contract, "21450.25")
    for name in ("NQ1!", contract, f"CME_MINI:{contract}"):
        read = api.get("/api/prices", params={"symbol": name}, headers=bearer(server, "subscriber"))
        assert read.json()["symbol"] == contract and read.json()["price"] == "21450.25", name
    assert latest(api, server, "NQ1!").json()["symbol"] == contract
    # ES1! has not been priced: its contract has no price, whatever NQ's is.
    assert latest(api, server, "ES1!").status_code == 404


# --- the tape and the collector price symbols --------------------------------------------------


def test_tape_prints_ingested_over_http_price_the_contract_and_its_continuous_symbol(
    server, api, ingest
) -> None:
    contract = front_month("ES", datetime.now(UTC))
    t = time.time_ns() - 30 * S
    rows = [row(t + i * S, i + 1, price=p) for i, p in enumerate((6850.25, 6850.5, 6849.75))]
    desk = bearer(server, "ingest", "desk7")
    stored = api.post("/api/scraper/ingest", json=message(rows, "desk7", contract), headers=desk)
    assert stored.status_code == 200 and stored.json()["accepted"] == 3, stored.text

    def priced() -> dict:
        read = latest(api, server, contract)
        return read.json() if read.status_code == 200 else {}

    tick = wait_until(priced, timeout=10)
    assert (tick["symbol"], tick["price"], tick["source"]) == (contract, "6849.75", "tape")
    assert latest(api, server, "ES1!").json() == tick


def test_collector_quotes_price_their_ticker(server, api) -> None:
    admin = bearer(server, "admin", "ops")
    assert api.post("/api/collector/start", headers=admin).status_code == 200
    try:

        def priced() -> dict:
            read = latest(api, server, "SPY")
            return read.json() if read.status_code == 200 else {}

        tick = wait_until(priced, timeout=30)
        quote = api.get("/api/marketdata/SPY", headers=admin).json()["quote"]
        assert tick["source"] == "quote" and tick["symbol"] == "SPY"
        assert Decimal(tick["price"]) == Decimal(str(quote["price"]))
    finally:
        api.post("/api/collector/stop", headers=admin)


def test_openapi_documents_the_body(server, api) -> None:
    schema = api.get("/openapi.json").json()
    body = schema["paths"]["/api/prices"]["post"]["requestBody"]["content"]["application/json"]
    one, many = body["schema"]["anyOf"]
    assert set(one["properties"]) == {"symbol", "price", "ts"} and many["maxItems"] == 1000
