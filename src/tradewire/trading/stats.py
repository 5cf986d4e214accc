"""Account statistics from an account's trading events: what its closed trades made, and how
its equity went.

A trade is a position from open to flat; its PnL is the position's realised PnL net of every
fee its fills paid. The statistics cover the account since its last opening (a reset starts it
again) and are kept per currency, since amounts in USDT and USD do not add up. Equity is known
where the venue recorded it, at the opening and after every fill, so the drawdown runs from
fill to fill and does not see a dip between fills.

Sums are exact; a ratio is exact when it has at most 12 decimal places and otherwise rounded
half-even to 12.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import NamedTuple

from tradewire.core.errors import ValidationError
from tradewire.trading.events import (
    AccountOpened,
    AccountUpdated,
    OrderFilled,
    PositionClosed,
    TradingEvent,
)
from tradewire.trading.money import HUNDRED, ZERO, quantize_money


class EquityPoint(NamedTuple):
    """The equity in one currency at ``ts`` (epoch ns)."""

    ts: int
    equity: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountStats:
    """One currency's statistics; every ratio is None when what it divides by is zero.

    ``average_loss`` is negative (a loss); ``expectancy`` is the net PnL per trade;
    ``profit_factor`` is gross wins ÷ gross losses, None when there are no losses (it would be
    infinite). A trade that made exactly nothing is neither a win nor a loss. ``total_fees``
    counts every fill, of open positions too; ``net_pnl`` only the closed trades.
    """

    currency: str
    trades: int
    wins: int
    losses: int
    win_rate_percent: Decimal | None
    average_win: Decimal | None
    average_loss: Decimal | None
    expectancy: Decimal | None
    profit_factor: Decimal | None
    max_drawdown: Decimal
    max_drawdown_percent: Decimal | None
    total_fees: Decimal
    net_pnl: Decimal
    equity: tuple[EquityPoint, ...]


def account_stats(events: Sequence[TradingEvent]) -> dict[str, AccountStats]:
    """Return the statistics of one account's ``events`` (in journal order) per currency."""
    if len({event.account for event in events}) > 1:
        raise ValidationError("statistics are of one account: the events are of several")
    opened = [n for n, event in enumerate(events) if isinstance(event, AccountOpened)]
    trades: defaultdict[str, list[Decimal]] = defaultdict(list)
    fees: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    equity: defaultdict[str, list[EquityPoint]] = defaultdict(list)
    for event in events[opened[-1] if opened else 0 :]:
        match event:
            case AccountOpened():
                for balance in event.balances:
                    equity[balance.currency].append(EquityPoint(event.ts_event, balance.equity))
            case AccountUpdated():
                balance = event.balance
                equity[balance.currency].append(EquityPoint(event.ts_event, balance.equity))
            case OrderFilled():
                fees[event.fill.fee_currency] += event.fill.fee
            case PositionClosed():
                position = event.position
                trades[position.currency].append(position.realised_pnl - position.fees)
    currencies = dict.fromkeys([*equity, *trades, *fees])
    return {c: stats_of(c, trades[c], fees[c], equity[c]) for c in currencies}


def stats_of(
    currency: str, trades: list[Decimal], fees: Decimal, equity: list[EquityPoint]
) -> AccountStats:
    """Return the figures of one currency's closed trades (net PnL each) and equity curve."""
    wins = [pnl for pnl in trades if pnl > 0]
    losses = [pnl for pnl in trades if pnl < 0]
    won, lost, net = sum(wins, ZERO), sum(losses, ZERO), sum(trades, ZERO)
    drawdown, drawdown_percent = max_drawdown(point.equity for point in equity)
    return AccountStats(
        currency=currency,
        trades=len(trades),
        wins=len(wins),
        losses=len(losses),
        win_rate_percent=_ratio(HUNDRED * len(wins), len(trades)),
        average_win=_ratio(won, len(wins)),
        average_loss=_ratio(lost, len(losses)),
        expectancy=_ratio(net, len(trades)),
        profit_factor=_ratio(won, -lost),
        max_drawdown=drawdown,
        max_drawdown_percent=drawdown_percent,
        total_fees=fees,
        net_pnl=net,
        equity=tuple(equity),
    )


def max_drawdown(equity: Iterable[Decimal]) -> tuple[Decimal, Decimal | None]:
    """Return the largest fall from a running peak, in money and in percent of that peak (each
    its own largest: they may be different falls). The percent is None while no peak was
    positive."""
    worst = ZERO
    peak: Decimal | None = None
    # The worst percent is kept as its fall and peak, compared by cross-multiplying and divided
    # out once at the end (a curve of thousands of bars would otherwise pay a division a bar).
    worst_fall, worst_peak = ZERO, None
    for value in equity:
        if peak is None or value > peak:
            peak = value
            if worst_peak is None and peak > 0:
                worst_peak = peak
            continue
        fall = peak - value
        if fall > worst:
            worst = fall
        if peak > 0 and (worst_peak is None or fall * worst_peak > worst_fall * peak):
            worst_fall, worst_peak = fall, peak
    return worst, None if worst_peak is None else _ratio(worst_fall * HUNDRED, worst_peak)


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 60  # room for large amounts with 12 decimal places
        return quantize_money(Decimal(numerator) / Decimal(denominator))
