"""Paper trading on a real server: signals through the webhook open positions for the users who
opted in and follow them only, never twice; close and reduce intents; prices posted to
/api/prices driving take-profits and stops to hand-computed balances; bad input answered 4xx."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.trading.paper import (
    NO_COSTS,
    D,
    alert,
    cash,
    handled,
    paper,
    positions,
    prices,
    trader,
    wait_handled,
)
from tests.support.users import bearer
from tests.support.waiting import wait_until

LONG_BTC = "BTC/USDT LONG @ 45000 TP: 46000 SL: 44000"


@pytest.fixture
def server(server_factory):
    return server_factory(NO_COSTS)


def test_a_signal_opens_positions_for_its_followers_only_and_never_twice(server):
    alice = trader(server, "alice", paperTradeEnabled=True)
    bob = trader(server, "bob", paperTradeEnabled=True, subscriptions={"strategies": ["Trend"]})
    carol = trader(server, "carol")  # did not opt in
    dave = trader(server, "dave", paperTradeEnabled=True, subscriptions={"symbols": ["ETHUSDT"]})
    prices(server, ("BTCUSDT", "45000"))

    alert(server, LONG_BTC)

    (opened,) = wait_until(lambda: positions(server, alice))
    # 2 % of 10,000 USDT over the 1,000 stop is 0.2 BTC; 10 % of equity caps it at 0.022.
    assert (opened["symbol"], opened["side"], opened["qty"]) == ("BTC/USDT", "long", "0.022")
    # Levels on the 0.1 tick grid, exactly as the venue holds them.
    assert (opened["avgEntry"], opened["stop"], opened["takeProfits"]) == (
        "45000",
        "44000.0",
        ["46000.0"],
    )
    for headers in (bob, carol, dave):
        assert positions(server, headers) == [] and handled(server, headers) == []

    # Bob's strategy: bob opens; alice is long already, so it is recorded and nothing placed.
    alert(
        server,
        {
            "ticker": "BTCUSDT",
            "action": "buy",
            "price": "45000",
            "sl": "44000",
            "strategy": "trend",
        },
    )
    wait_until(lambda: positions(server, bob))
    (_, again) = wait_handled(server, alice, 2)
    assert (again["action"], again["clientOrderIds"]) == ("ignored", [])
    assert "open already" in again["reason"]
    # The same alert again is a duplicate: no signal at all.
    alert(server, LONG_BTC)
    assert len(paper(server, alice, "fills")["fills"]) == 1
    assert len(positions(server, alice)) == 1 and len(handled(server, alice)) == 2
    assert positions(server, carol) == [] and positions(server, dave) == []


def test_reduce_and_close_intents_exit_and_never_open(server):
    alice = trader(server, "alice", paperTradeEnabled=True, maxNotionalPercent="20")
    prices(server, ("BTC/USDT", "45000"))
    alert(server, LONG_BTC)
    (opened,) = wait_until(lambda: positions(server, alice))
    assert opened["qty"] == "0.044"  # 20 % of 10,000 at 45,000

    prices(server, ("BTC/USDT", "45500"))
    alert(server, {"ticker": "BTCUSDT", "action": "sell", "comment": "reduce"})
    wait_until(lambda: positions(server, alice)[0]["qty"] == "0.022")  # half, by default
    alert(server, "BTCUSDT close long")
    wait_until(lambda: positions(server, alice) == [])
    (closed,) = positions(server, alice, "closed")
    # 0.022 closed at 45,500 twice over: 0.044 × 500.
    assert D(closed["realisedPnl"]) == D("0.044") * 500 == D(22)

    alert(server, "BTC/USDT CLOSE")
    (*_, nothing) = wait_handled(server, alice, 4)
    assert (nothing["action"], nothing["clientOrderIds"]) == ("nothing_to_close", [])
    assert len(paper(server, alice, "fills")["fills"]) == 3
    assert positions(server, alice) == [] and cash(server, alice) == D(10_022)


def test_prices_drive_take_profits_and_stops_to_hand_computed_balances(server_factory):
    server = server_factory(
        {
            **NO_COSTS,
            # Taker 5 bp; slippage of one tick (0.1 for BTC/USDT) on every fill that takes.
            "TRADEWIRE_TRADING__PAPER__FEES": '{"maker_bps": "2", "taker_bps": "5"}',
            "TRADEWIRE_TRADING__PAPER__SLIPPAGE": '{"amount": "1", "unit": "ticks"}',
        }
    )
    alice = trader(server, "alice", paperTradeEnabled=True)
    prices(server, ("BTC/USDT", "45000"))
    alert(server, LONG_BTC)
    wait_until(lambda: positions(server, alice))
    # The limit at 45,000 is marketable: filled at 45,000 (slippage never beats the limit).
    qty, fee_in = D("0.022"), D("0.022") * 45000 * 5 / 10_000
    # The take-profit at 46,000 is crossed by a gap to 46,200: the exit sells there, less a tick.
    prices(server, ("BTC/USDT", "45500"), ("BTC/USDT", "46200"))
    wait_until(lambda: positions(server, alice, "closed"))
    win = qty * (D("46199.9") - 45000)
    fee_out = qty * D("46199.9") * 5 / 10_000
    after_win = 10_000 + win - fee_in - fee_out
    assert cash(server, alice) == after_win == D("10025.3946011")

    prices(server, ("BTC/USDT", "46000"))
    alert(server, "BTC/USDT SHORT @ 46000 TP: 45000 SL: 46500")
    (short,) = wait_until(lambda: positions(server, alice))
    # 2 % of equity over 500 is 0.40 BTC; 10 % of equity at 46,000 caps it at 0.021.
    assert (short["side"], D(short["qty"]), D(short["avgEntry"])) == ("short", D("0.021"), 46000)
    # The stop at 46,500 is gapped through at 46,600: bought back there, plus a tick.
    prices(server, ("BTC/USDT", "46600"))
    wait_until(lambda: len(positions(server, alice, "closed")) == 2)
    loss = D("0.021") * (D("46600.1") - 46000)
    fees = D("0.021") * 46000 * 5 / 10_000 + D("0.021") * D("46600.1") * 5 / 10_000
    final = after_win - loss - fees
    account = paper(server, alice, "account")
    (usdt,) = [b for b in account["balances"] if b["currency"] == "USDT"]
    assert D(usdt["cash"]) == D(usdt["equity"]) == final == D("10011.82020005")
    assert account["openPositions"] == 0
    closed = positions(server, alice, "closed")
    assert [D(p["realisedPnl"]) for p in closed] == [win, -loss]
    by_currency = {s["currency"]: s for s in paper(server, alice, "stats")["stats"]}
    assert by_currency["USD"]["trades"] == 0
    stats = by_currency["USDT"]
    first, second = win - fee_in - fee_out, -loss - fees  # each trade net of its fees
    assert (stats["currency"], stats["trades"], stats["wins"], stats["losses"]) == ("USDT", 2, 1, 1)
    assert D(stats["winRatePercent"]) == 50
    assert D(stats["netPnl"]) == first + second == final - 10_000
    assert D(stats["expectancy"]) == (first + second) / 2
    # The peak is the cash after the win; the trough the end (equity is recorded at each fill).
    assert D(stats["maxDrawdown"]) == after_win - final
    equity = [D(p["equity"]) for p in stats["equity"]]
    assert (equity[0], max(equity), equity[-1]) == (10_000, after_win, final)
    fills = paper(server, alice, "fills")["fills"]
    assert [(f["side"], D(f["price"])) for f in fills] == [
        ("long", 45000),
        ("short", D("46199.9")),
        ("short", 46000),
        ("long", D("46600.1")),
    ]


def test_a_trader_closes_a_position_and_resets_the_account(server):
    alice = trader(server, "alice", paperTradeEnabled=True)
    prices(server, ("BTC/USDT", "45000"))
    alert(server, LONG_BTC)
    (opened,) = wait_until(lambda: positions(server, alice))
    prices(server, ("BTC/USDT", "44500"))

    url = f"{server.base_url}/api/paper/positions/{opened['id']}/close"
    closed = httpx.post(url, headers=alice, timeout=10)
    assert closed.status_code == 200, closed.text
    assert closed.json()["order"]["status"] == "filled"
    assert positions(server, alice) == [] and cash(server, alice) == 10_000 - D(11)
    again = httpx.post(url, headers=alice, timeout=10)
    assert again.status_code == 404 and "no open position" in again.json()["error"]

    reset = httpx.post(f"{server.base_url}/api/paper/reset", headers=alice, timeout=10)
    assert reset.status_code == 200
    assert cash(server, alice) == 10_000
    assert positions(server, alice, "closed") == [] and paper(server, alice, "fills")["fills"] == []


def test_bad_requests_are_refused_with_a_reason(server):
    alice = trader(server, "alice")
    base = f"{server.base_url}/api/paper"
    stranger = bearer(server.token("nobody-stored"))
    refusals = [
        (httpx.get(f"{base}/account", timeout=10), 401, "missing token"),
        (httpx.get(f"{base}/account", headers=stranger, timeout=10), 404, "not a stored user"),
        (httpx.get(f"{base}/positions?status=all", headers=alice, timeout=10), 422, "status"),
        (httpx.get(f"{base}/fills?limit=0", headers=alice, timeout=10), 422, "limit"),
        (httpx.get(f"{base}/fills?limit=x", headers=alice, timeout=10), 422, "limit"),
        (httpx.post(f"{base}/positions/nope/close", headers=alice, timeout=10), 404, "nope"),
        (httpx.post(f"{base}/positions/{'x' * 65}/close", headers=alice, timeout=10), 422, "id"),
        (httpx.post(f"{base}/reset", headers=stranger, timeout=10), 404, "not a stored user"),
    ]
    for answer, status, reason in refusals:
        assert answer.status_code == status, answer.text
        assert reason in answer.json()["error"], answer.text
    # Before any signal, the account shows the configured starting balances.
    account = paper(server, alice, "account")
    assert {b["currency"]: b["cash"] for b in account["balances"]} == {
        "USDT": "10000",
        "USD": "10000",
    }
    assert account["paperTradeEnabled"] is False
