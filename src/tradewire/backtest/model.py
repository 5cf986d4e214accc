"""What a backtest produced: its trades, its equity curve, the figures, and how it was run."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tradewire.core.events import Side


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeRecord:
    """One round trip: a position from its first fill to the fill that closed it.

    Prices are volume-weighted over the entry and exit fills; ``pnl`` is net of ``fees``;
    bars are indices into the symbol's replayed bars. ``score`` is the strategy's score at the
    decision that opened it, ``reached_target`` whether it closed at a take-profit (None when
    the trade had no target).
    """

    symbol: str
    side: Side
    qty: Decimal
    entry_bar: int
    entry_ts: int
    entry_price: Decimal
    exit_bar: int
    exit_ts: int
    exit_price: Decimal
    pnl: Decimal
    fees: Decimal
    exit_reason: str = ""
    score: float | None = None
    reached_target: bool | None = None

    @property
    def return_pct(self) -> float:
        """Net return on the entry's value, in percent."""
        cost = self.qty * self.entry_price
        return float(self.pnl / cost * 100) if cost else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Metrics:
    """The report's figures. Ratios are None where undefined (no losing trade: no profit
    factor; no variance: no Sharpe)."""

    start_equity: Decimal
    final_equity: Decimal
    net_pnl: Decimal
    return_pct: float
    fees: Decimal
    trades: int
    wins: int
    losses: int
    win_rate: float | None
    expectancy: Decimal | None
    profit_factor: float | None
    sharpe: float | None
    max_drawdown: Decimal
    max_drawdown_pct: float
    exposure_pct: float
    buy_and_hold_pct: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSettings:
    """How a backtest ran: enough to run it again."""

    strategy: str
    params: dict[str, object]
    symbols: tuple[str, ...]
    start_ns: int
    end_ns: int
    cash: Decimal
    currency: str
    fee_bps: Decimal
    slippage: str
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BacktestResult:
    """A finished backtest. ``equity_ts``/``equity`` is the account's equity at each bar's
    close (marked to the close), the curve the charts and the Sharpe ratio come from."""

    id: str
    created_ns: int
    settings: RunSettings
    metrics: Metrics
    trades: tuple[TradeRecord, ...]
    equity_ts: tuple[int, ...]
    equity: tuple[Decimal, ...]
    bars: int
    elapsed_s: float
    notes: tuple[str, ...] = field(default=())
