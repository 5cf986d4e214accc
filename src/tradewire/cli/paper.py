"""``tradewire paper account|positions|fills|stats``: a paper account as tables.

Read straight from the configured database by replaying the account's journal, so they work
whether or not a server runs (the journal is the truth). Positions are marked at the last
price the account's own events recorded, not the market's latest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from tradewire.cli import fail, load_settings
from tradewire.core.clock import iso_utc
from tradewire.core.errors import RejectError, TradewireError
from tradewire.trading.events import TradingEvent
from tradewire.trading.replay import ReplayedAccount, replay
from tradewire.trading.stats import account_stats
from tradewire.users.model import user_name

paper_app = typer.Typer(
    help="Paper trading accounts, read from the database (the server need not run).",
    no_args_is_help=True,
)

T = TypeVar("T")
UserOpt = Annotated[
    str | None,
    typer.Option("--user", help="Whose account [default: the only one there is]"),
]


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class _Journal:
    """One account's journal, as read from the database."""

    name: str
    events: list[TradingEvent]

    def replayed(self, read: Callable[[ReplayedAccount], Awaitable[T]]) -> T:
        """What ``read`` finds in the account rebuilt from these events."""

        async def run() -> T:
            return await read(await replay(load_settings().trading, self.name, self.events))

        return asyncio.run(run())


def _text(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _journal(user: str | None) -> _Journal:
    """The account's journal; exit 2 naming the accounts there are when ``user`` has none (or,
    without ``user``, there is not exactly one)."""
    from tradewire.bootstrap.trading import open_journal

    settings = load_settings()
    try:
        name = user_name(user) if user is not None else None
    except RejectError as exc:
        raise fail(exc.message) from exc

    async def read() -> tuple[list[str], list[TradingEvent]]:
        async with open_journal(settings) as journal:
            accounts = await journal.accounts()
            chosen = name or (accounts[0] if len(accounts) == 1 else None)
            return accounts, await journal.read(chosen) if chosen in accounts else []

    try:
        accounts, events = asyncio.run(read())
    except TradewireError as exc:
        raise fail(exc.message, 2 if isinstance(exc, RejectError) else 1) from exc
    known = ", ".join(accounts[:20]) or "none yet"
    if name is None and len(accounts) != 1:
        raise fail(f"say whose account with --user (paper accounts: {known})")
    if not events:
        raise fail(f"no paper account called {name!r} (paper accounts: {known})")
    return _Journal(name or accounts[0], events)


@paper_app.command("account")
def account(user: UserOpt = None) -> None:
    """Show the account's balances per currency."""
    journal = _journal(user)
    name = journal.name

    async def read(replayed: ReplayedAccount) -> tuple[list, int]:
        venue = replayed.venue
        return await venue.balances(name), len(await venue.positions(name))

    balances, open_count = journal.replayed(read)
    table = Table(
        "currency", "cash", "unrealised PnL", "equity", "margin used", "available",
        title=f"paper account {name}: {open_count} open positions",
    )  # fmt: skip
    for b in balances:
        values = (b.cash, b.unrealised_pnl, b.equity, b.margin_used, b.available)
        table.add_row(b.currency, *map(_text, values))
    Console().print(table)


@paper_app.command("positions")
def positions(
    user: UserOpt = None,
    status: Annotated[Status, typer.Option(help="Open or closed positions")] = Status.OPEN,
) -> None:
    """Show the account's open positions (with their stops and take-profits) or closed ones."""
    journal = _journal(user)
    name = journal.name

    async def read(replayed: ReplayedAccount) -> list[list[str]]:
        venue = replayed.venue
        if status is Status.CLOSED:
            return [
                [p.id, p.symbol, p.side.value, *map(_text, (p.avg_entry, p.realised_pnl, p.fees)),
                 iso_utc(p.ts_opened), iso_utc(p.ts_closed)]
                for p in await venue.closed_positions(name)
            ]  # fmt: skip
        rows = []
        for p in await venue.positions(name):
            bracket = replayed.bracket(name, p.id)
            targets = [bracket.plan.take_profits[t] for t in bracket.targets] if bracket else []
            values = (p.qty, p.avg_entry, p.mark, p.unrealised_pnl, p.realised_pnl, p.fees)
            stop = _text(bracket.stop if bracket else None)
            rows.append(
                [p.id, p.symbol, p.side.value, *map(_text, values), stop,
                 " ".join(map(_text, targets)), iso_utc(p.ts_opened)]
            )  # fmt: skip
        return rows

    columns = ["id", "symbol", "side"]
    if status is Status.CLOSED:
        columns += ["avg entry", "realised", "fees", "opened", "closed"]
    else:
        columns += ["qty", "avg entry", "mark", "unrealised", "realised", "fees", "stop"]
        columns += ["take-profits", "opened"]
    table = Table(*columns, title=f"{status.value} positions of {name}")
    for row in journal.replayed(read):
        table.add_row(*row)
    Console().print(table)


@paper_app.command("fills")
def fills(
    user: UserOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="The latest this many")] = 50,
) -> None:
    """Show the account's latest fills, oldest first."""
    journal = _journal(user)

    async def read(replayed: ReplayedAccount) -> list:
        return (await replayed.venue.fills(journal.name))[-limit:]

    table = Table(
        "time", "symbol", "side", "qty", "price", "fee", "liquidity", "realised", "position",
        title=f"fills of {journal.name}",
    )  # fmt: skip
    for f in journal.replayed(read):
        table.add_row(
            iso_utc(f.ts_event), f.symbol, f.side.value, *map(_text, (f.qty, f.price, f.fee)),
            f.liquidity.value, _text(f.realised_pnl), f.position_id,
        )  # fmt: skip
    Console().print(table)


@paper_app.command("stats")
def stats(
    user: UserOpt = None,
    equity: Annotated[bool, typer.Option("--equity", help="Also list the equity history")] = False,
) -> None:
    """Show the account's trade statistics per currency since its last reset."""
    journal = _journal(user)
    by_currency = account_stats(journal.events)
    table = Table(
        "currency", "trades", "wins", "losses", "win rate %", "expectancy", "profit factor",
        "max drawdown", "max drawdown %", "fees", "net PnL",
        title=f"paper statistics of {journal.name}",
    )  # fmt: skip
    for s in by_currency.values():
        ratios = (s.win_rate_percent, s.expectancy, s.profit_factor, s.max_drawdown)
        sums = (s.max_drawdown_percent, s.total_fees, s.net_pnl)
        counts = (str(s.trades), str(s.wins), str(s.losses))
        table.add_row(s.currency, *counts, *map(_text, (*ratios, *sums)))
    Console().print(table)
    if equity:
        history = Table("time", "currency", "equity", title=f"equity of {journal.name}")
        for s in by_currency.values():
            for point in s.equity:
                history.add_row(iso_utc(point.ts), s.currency, _text(point.equity))
        Console().print(history)
