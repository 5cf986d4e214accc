"""SIGKILL of a real server in the middle of a scripted price path: restarted on the same
database, every account is exactly as it was (open and closed positions with their stops and
take-profits, a resting entry, fills, balances), and the rest of the path ends where the
hand-computed result says."""

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
    wait_handled,
)
from tests.support.users import bearer, sign_in
from tests.support.waiting import wait_until

BUY = {"ticker": "BTCUSDT", "action": "buy"}


def snapshot(server, headers) -> dict:
    return {
        "account": paper(server, headers, "account"),
        "open": positions(server, headers),
        "closed": positions(server, headers, "closed"),
        "fills": paper(server, headers, "fills"),
        "signals": paper(server, headers, "signals"),
        "stats": paper(server, headers, "stats"),
    }


def test_a_sigkill_mid_path_resumes_every_account_exactly(server_factory, db_url):
    env = {**NO_COSTS, "TRADEWIRE_DATABASE_URL": db_url}
    server = server_factory(env)
    alice = trader(server, "alice", paperTradeEnabled=True, subscriptions={"strategies": ["A"]})
    bob = trader(server, "bob", paperTradeEnabled=True, subscriptions={"strategies": ["B"]})
    prices(server, ("BTC/USDT", "45000"))
    levels = {"tp1": "46000", "tp2": "47000", "sl": "44000"}
    alert(server, {**BUY, "price": "45000", **levels, "strategy": "A"})
    # Bob's entry is a limit below the market: it rests.
    alert(server, {**BUY, "price": "44800", "tp": "46500", "sl": "44000", "strategy": "B"})
    wait_until(lambda: positions(server, alice))
    wait_handled(server, bob, 1)
    assert positions(server, bob) == []

    # Alice's first take-profit closes half (0.011 of 0.022) at the gap price, 46,100.
    prices(server, ("BTC/USDT", "45500"), ("BTC/USDT", "46100"))
    wait_until(lambda: positions(server, alice)[0]["qty"] == "0.011")
    before = {"alice": snapshot(server, alice), "bob": snapshot(server, bob)}
    (half,) = before["alice"]["open"]
    assert (half["qty"], half["stop"], half["takeProfits"]) == ("0.011", "44000.0", ["47000.0"])

    server.kill()
    server = server_factory(env)

    alice, bob = (bearer(sign_in(server, name).json()["token"]) for name in ("alice", "bob"))
    assert {"alice": snapshot(server, alice), "bob": snapshot(server, bob)} == before

    # Bob's entry fills at its limit; then a gap to 47,000 takes alice's second take-profit and
    # bob's only one.
    prices(server, ("BTC/USDT", "44800"))
    wait_until(lambda: positions(server, bob))
    prices(server, ("BTC/USDT", "47000"))
    wait_until(lambda: positions(server, alice) == [] and positions(server, bob) == [])
    # Alice: 0.011 × 1,100 + 0.011 × 2,000; bob: 0.022 × 2,200 (2 % of 10,000 over 800 is
    # 0.25 BTC, capped at 10 % of equity, 0.022).
    assert cash(server, alice) == 10_000 + D("0.011") * 1100 + D("0.011") * 2000 == D("10034.1")
    assert cash(server, bob) == 10_000 + D("0.022") * 2200 == D("10048.4")
    assert [f["price"] for f in paper(server, bob, "fills")["fills"]] == ["44800.0", "47000"]
