"""``tradewire paper …`` reads a paper account from the database, beside a running server and
after it has stopped; bad input exits 2 with the reason."""

from __future__ import annotations

import subprocess
import sys

from tests.integration.trading.paper import NO_COSTS, alert, positions, prices, trader
from tests.support.server import ServerProcess
from tests.support.waiting import wait_until


def paper_command(server: ServerProcess, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tradewire", "paper", *args],
        env={**server.env, "COLUMNS": "250"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def shown(server: ServerProcess, *args: str) -> str:
    done = paper_command(server, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_paper_commands_show_the_account_with_or_without_a_server(server_factory):
    server = server_factory(NO_COSTS)
    alice = trader(server, "alice", paperTradeEnabled=True)
    trader(server, "bob")
    prices(server, ("BTC/USDT", "45000"))
    alert(server, "BTC/USDT LONG @ 45000 TP: 46000 SL: 44000")
    wait_until(lambda: positions(server, alice))

    account = shown(server, "account", "--user", "alice")
    assert "paper account alice: 1 open positions" in account
    assert "10000" in account and "USDT" in account
    opened = shown(server, "positions")  # the only account there is
    assert "BTC/USDT" in opened and "0.022" in opened and "44000.0" in opened

    prices(server, ("BTC/USDT", "46000"))
    wait_until(lambda: positions(server, alice) == [])
    server.stop()

    closed = shown(server, "positions", "--user", "alice", "--status", "closed")
    assert "BTC/USDT" in closed and "22.000" in closed  # 0.022 × 1,000
    fills = shown(server, "fills", "--user", "alice")
    assert fills.count("BTC/USDT") == 2 and "46000" in fills
    stats = shown(server, "stats", "--user", "alice", "--equity")
    assert "paper statistics of alice" in stats and "equity of alice" in stats
    assert "10022.000" in stats
    assert "0 open positions" in shown(server, "account")


def test_bad_input_exits_2_with_the_reason(server_factory):
    server = server_factory(NO_COSTS)
    trader(server, "alice", paperTradeEnabled=True)  # no signal yet: no account
    server.stop()
    for args, reason in [
        (("account", "--user", "bad name!"), "invalid user name"),
        (("account", "--user", "carol"), "no paper account called 'carol'"),
        (("account",), "paper accounts: none yet"),
        (("fills", "--limit", "0"), "--limit"),
        (("positions", "--status", "all"), "--status"),
    ]:
        done = paper_command(server, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert reason in done.stderr, (args, done.stderr)
