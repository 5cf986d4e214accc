"""The demo's paper trading: a demo user who trades every simulated alert on paper, and replay
prices for the alerts' markets so the positions open at the market and later reach their
take-profits or stops."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from tradewire.bootstrap import Container
from tradewire.core.errors import ConflictError
from tradewire.demo.alerts import MARKETS
from tradewire.marketdata.config import ReplayFeedSettings
from tradewire.settings import Settings

#: The demo's user (its token is the one the demo prints) and its paper account.
USER = "demo"
#: One NQ contract is about 430,000 USD of notional: a USD account this size trades one.
FUTURES_USD = Decimal(500_000)


def with_paper_trading(settings: Settings) -> Settings:
    """``settings`` with replay prices for the alerts' markets (unless replay prices are
    configured), moving enough that a take-profit or stop is reached within a minute or so."""
    prices = settings.prices
    if not prices.replay.symbols:
        replay = ReplayFeedSettings(
            symbols={m.ticker: Decimal(str(m.price)) for m in MARKETS},
            pace_s=0.5,
            step_bps=15,
        )
        prices = prices.model_copy(update={"replay": replay})
    paper = settings.trading.paper
    balances = {**paper.balances, "USD": max(paper.balances.get("USD", Decimal(0)), FUTURES_USD)}
    trading = settings.trading.model_copy(
        update={"paper": paper.model_copy(update={"balances": balances})}
    )
    return settings.model_copy(update={"prices": prices, "trading": trading})


async def add_demo_trader(container: Container) -> None:
    """Store the demo user (again: kept) with paper trading on for every alert: simple alerts
    without a stop get one 1 % away, and a position may be worth the whole equity."""
    with contextlib.suppress(ConflictError):
        await container.users.add(USER, "admin")
    await container.users.update_settings(
        USER,
        paper_trade_enabled=True,
        subscriptions={"strategies": [], "symbols": []},
        default_stop_percent="1",
        max_notional_percent="100",
    )
