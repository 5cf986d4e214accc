"""The figures of a backtest report, and how often its bars come.

The definitions are those of the live paper statistics (:mod:`tradewire.trading.stats`), so a
strategy's backtest and its paper account are measured alike:

* A **trade** is a round trip, its PnL net of its fees. A trade with PnL above zero is a
  **win**, below zero a **loss**; a trade that made exactly nothing is neither.
* **Win rate** is wins ÷ trades, in percent (0–100), None without trades.
* **Expectancy** is the mean net PnL per trade (exact Decimal), None without trades.
* **Profit factor** is the gross profit of the wins ÷ the gross loss of the losses; None when
  there is no loss (it would be infinite), 0 when there are losses and no wins.
* **Net PnL** is the final equity less the starting equity, so it counts a position still open
  at the end, marked at the last close; **return** is that in percent of the starting equity.
  **Fees** are those of the closed trades.
* The **equity curve** is the account's equity at each bar's close, preceded by the starting
  equity (a loss on the first bar is a fall from the starting cash).
* **Max drawdown** is the largest fall of the curve from its running peak, in money, and in
  percent of that peak; each is its own largest, so they may be different falls. The percent is
  0 while no peak was positive.
* **Sharpe ratio** is the mean ÷ the sample standard deviation (n − 1) of the curve's per-bar
  returns (``e[i] / e[i-1] − 1``), times √(bars per year), with a risk-free rate of 0. None with
  fewer than two returns, a standard deviation of 0, or an equity at or below 0 (a return from
  it means nothing).
* **Exposure** is the share of bars during which a position was held, in percent.
* **Buy and hold** is the return of holding the symbols from the first bar's close to the last,
  as the engine measured it (None when it did not).

Sums of money are exact; a money ratio is exact up to 12 decimal places and otherwise rounded
half-even to 12, as in the paper statistics.

**Bars per year** (:func:`periods_per_year`) come from the median spacing of the bar times:

* about a month or more apart: 12; about a week: 52;
* about a day: 365 when some bar falls on a Saturday (a market open every day, as crypto),
  otherwise 252 trading days (daily FX bars count as 252 too: their times cannot tell them from
  a stock's);
* shorter: the median number of bars per UTC calendar day, times the trading days of a year.
  A market that trades around the clock (at least 90 % of the bars a day could hold) has 365
  days when some bar falls on a Saturday and 260 weekdays otherwise (hourly FX: 24 × 260 =
  6,240); a market with sessions (a stock's 6½ hours) has 252 days.

Fewer than two bars give 252: there is no spacing to measure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from tradewire.backtest.model import Metrics, TradeRecord
from tradewire.trading.money import HUNDRED, ZERO
from tradewire.trading.stats import max_drawdown, stats_of

_NS_PER_DAY = 86_400 * 1_000_000_000
_SATURDAY = 5  # weekday numbers from Monday = 0
#: Spacing bounds (in days) of monthly, weekly and daily bars: holidays and weekends stretch
#: some gaps, the median keeps them out.
_MONTHLY_DAYS, _WEEKLY_DAYS, _DAILY_DAYS = 25.0, 5.0, 20 / 24
#: A market is around the clock when its days hold at least this share of the bars they could.
_AROUND_THE_CLOCK = 0.9


def compute_metrics(
    *,
    trades: Sequence[TradeRecord],
    equity_ts: Sequence[int],
    equity: Sequence[Decimal],
    start_equity: Decimal,
    exposed_bars: int,
    total_bars: int,
    periods_per_year: float,
    buy_and_hold_pct: float | None = None,
) -> Metrics:
    """Return the report's figures (see the module's docstring for each definition)."""
    if len(equity_ts) != len(equity):
        raise ValueError("the equity curve's times and values differ in length")
    curve = [start_equity, *equity]
    pnls = [trade.pnl for trade in trades]
    fees = sum((trade.fees for trade in trades), ZERO)
    stats = stats_of("", pnls, fees, [])
    drawdown, drawdown_pct = max_drawdown(curve)
    final = curve[-1]
    net = final - start_equity
    return Metrics(
        start_equity=start_equity,
        final_equity=final,
        net_pnl=net,
        return_pct=float(net * HUNDRED / start_equity) if start_equity else 0.0,
        fees=fees,
        trades=stats.trades,
        wins=stats.wins,
        losses=stats.losses,
        win_rate=_float(stats.win_rate_percent),
        expectancy=stats.expectancy,
        profit_factor=_float(stats.profit_factor),
        sharpe=sharpe_ratio(curve, periods_per_year),
        max_drawdown=drawdown,
        max_drawdown_pct=_float(drawdown_pct) or 0.0,
        exposure_pct=exposed_bars * 100 / total_bars if total_bars else 0.0,
        buy_and_hold_pct=buy_and_hold_pct,
    )


def sharpe_ratio(curve: Sequence[Decimal], periods_per_year: float) -> float | None:
    """Return the annualised Sharpe ratio of an equity curve's per-bar returns (risk-free 0),
    or None where it is undefined (see the module's docstring)."""
    if len(curve) < 3 or any(value <= 0 for value in curve[:-1]):
        return None
    values = np.array([float(value) for value in curve])
    returns = values[1:] / values[:-1] - 1
    spread = float(returns.std(ddof=1))
    if spread == 0 or not math.isfinite(spread):
        return None
    return float(returns.mean()) / spread * math.sqrt(periods_per_year)


def periods_per_year(ts_ns: Sequence[int] | np.ndarray) -> float:
    """Return how many bars like these a year holds (the rule is in the module's docstring)."""
    ts = np.asarray(ts_ns, dtype=np.int64)
    if len(ts) < 2:
        return 252.0
    spacing_days = float(np.median(np.diff(ts))) / _NS_PER_DAY
    days = ts // _NS_PER_DAY
    every_day = bool(np.any((days + 3) % 7 == _SATURDAY))  # 1970-01-01 was a Thursday
    if spacing_days >= _MONTHLY_DAYS:
        return 12.0
    if spacing_days >= _WEEKLY_DAYS:
        return 52.0
    if spacing_days >= _DAILY_DAYS:
        return 365.0 if every_day else 252.0
    _, per_day = np.unique(days, return_counts=True)
    bars_per_day = float(np.median(per_day))
    if bars_per_day >= _AROUND_THE_CLOCK / spacing_days:
        return bars_per_day * (365 if every_day else 260)
    return bars_per_day * 252


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
