"""Exit settings saved through ``PUT /api/me/settings`` steer real paper positions: take-profit
weights share the position among the levels, the stop goes to break-even after the first
take-profit and then trails the high, all on a scripted price path to hand-computed balances."""

from __future__ import annotations

from tests.integration.trading.paper import (
    NO_COSTS,
    D,
    alert,
    cash,
    paper,
    positions,
    prices,
    trader,
)
from tests.support.waiting import wait_until

BTC = "BTC/USDT"
#: Two take-profits, nearest first; the stop 1,000 below the entry.
LONG = {
    "ticker": "BTCUSDT",
    "action": "buy",
    "price": "45000",
    "tp1": "45500",
    "tp2": "47000",
    "sl": "44000",
}


def guard(position: dict) -> tuple:
    """What guards an open position: its size, stop (and why) and the take-profits left."""
    return (
        D(position["qty"]),
        D(position["stop"]),
        position["stopReason"],
        [D(t) for t in position["takeProfits"]],
    )


def test_weights_break_even_and_a_trailing_stop_from_the_users_settings(server_factory):
    server = server_factory(NO_COSTS)
    # A cap of 100 % of equity leaves the size to the risk: 2 % of 10,000 over 1,000 is 0.2 BTC.
    alice = trader(
        server,
        "alice",
        paperTradeEnabled=True,
        maxNotionalPercent=100,
        takeProfitWeights=[50, 50],
        breakEvenAfterFirstTakeProfit=True,
        trailingStop={"distance": 2, "unit": "percent"},
    )
    bob = trader(
        server, "bob", paperTradeEnabled=True, maxNotionalPercent=100, takeProfitWeights=[75, 25]
    )
    prices(server, (BTC, "45000"))
    alert(server, LONG)

    # Both fill 0.2 at 45,000. Alice's stop trails 2 % below the fill, 44,100: tighter than
    # the signal's 44,000, so it starts there; bob keeps the signal's.
    (a,) = wait_until(lambda: positions(server, alice))
    (b,) = wait_until(lambda: positions(server, bob))
    assert guard(a) == (D("0.2"), D(44100), "trailing stop", [D(45500), D(47000)])
    assert guard(b) == (D("0.2"), D(44000), "stop loss", [D(45500), D(47000)])

    # The first take-profit: alice closes half (0.1), bob three quarters (0.15). Alice's stop
    # trails to 44,590 (2 % under 45,500), then the take-profit's fill moves it to the entry.
    prices(server, (BTC, "45500"))
    wait_until(lambda: positions(server, alice)[0]["stopReason"] == "break-even stop")
    wait_until(lambda: positions(server, bob)[0]["qty"] == "0.05")
    (a,), (b,) = positions(server, alice), positions(server, bob)
    assert guard(a) == (D("0.1"), D(45000), "break-even stop", [D(47000)])
    assert guard(b) == (D("0.05"), D(44000), "stop loss", [D(47000)])

    # A new high: alice's stop trails up to 2 % under 46,500, 45,570; bob's does not move.
    prices(server, (BTC, "46500"))
    wait_until(lambda: D(positions(server, alice)[0]["stop"]) != 45000)
    (a,) = positions(server, alice)
    assert guard(a) == (D("0.1"), D(45570), "trailing stop", [D(47000)])
    assert guard(positions(server, bob)[0]) == (D("0.05"), D(44000), "stop loss", [D(47000)])

    # A gap down through alice's trailing stop sells her last 0.1 at the gap price, 45,300.
    prices(server, (BTC, "45300"))
    wait_until(lambda: positions(server, alice) == [])
    # Then 47,000 takes bob's second take-profit: the last 0.05.
    prices(server, (BTC, "47000"))
    wait_until(lambda: positions(server, bob) == [])

    alice_fills = paper(server, alice, "fills")["fills"]
    bob_fills = paper(server, bob, "fills")["fills"]
    assert [(f["side"], D(f["qty"]), D(f["price"])) for f in alice_fills] == [
        ("long", D("0.2"), 45000),
        ("short", D("0.1"), 45500),
        ("short", D("0.1"), 45300),
    ]
    assert [(f["side"], D(f["qty"]), D(f["price"])) for f in bob_fills] == [
        ("long", D("0.2"), 45000),
        ("short", D("0.15"), 45500),
        ("short", D("0.05"), 47000),
    ]
    # Alice: 0.1 × 500 + 0.1 × 300 = 80; bob: 0.15 × 500 + 0.05 × 2,000 = 175.
    alice_pnl = D("0.1") * 500 + D("0.1") * 300
    bob_pnl = D("0.15") * 500 + D("0.05") * 2000
    assert cash(server, alice) == 10_000 + alice_pnl == D(10_080)
    assert cash(server, bob) == 10_000 + bob_pnl == D(10_175)
    ((closed_a,), (closed_b,)) = (positions(server, u, "closed") for u in (alice, bob))
    assert (D(closed_a["realisedPnl"]), D(closed_b["realisedPnl"])) == (alice_pnl, bob_pnl)
