"""Hand-built backtest results for the report, codec, chart, store and CLI tests (the engine
is not needed to check what is done with its output)."""

from __future__ import annotations

from decimal import Decimal

from tradewire.backtest.model import BacktestResult, RunSettings, TradeRecord
from tradewire.backtest.report import compute_metrics
from tradewire.core.events import Side

DAY_NS = 86_400 * 1_000_000_000
#: 2024-01-01T00:00:00Z, a Monday.
START_NS = 1_704_067_200 * 1_000_000_000
D = Decimal


def trade(
    pnl: str,
    *,
    fees: str = "1",
    entry: int = 0,
    exit: int = 2,
    score: float | None = None,
    reached_target: bool | None = None,
    side: Side = Side.LONG,
) -> TradeRecord:
    """One round trip of 10 ACME, between bars ``entry`` and ``exit``."""
    return TradeRecord(
        symbol="ACME",
        side=side,
        qty=D(10),
        entry_bar=entry,
        entry_ts=START_NS + entry * DAY_NS,
        entry_price=D("100.25"),
        exit_bar=exit,
        exit_ts=START_NS + exit * DAY_NS,
        exit_price=D("100.25") + D(pnl) / 10,
        pnl=D(pnl),
        fees=D(fees),
        exit_reason="take-profit" if reached_target else "signal",
        score=score,
        reached_target=reached_target,
    )


def result(
    *,
    id: str = "01TESTRESULT",
    equity: tuple[str, ...] = ("10000", "10050.5", "9990.25", "10100", "10080.125"),
    trades: tuple[TradeRecord, ...] | None = None,
    created_ns: int = START_NS + 30 * DAY_NS,
    strategy: str = "sma-cross",
) -> BacktestResult:
    """A small finished backtest of ACME on daily bars."""
    trades = (
        (trade("50.5", entry=0, exit=1), trade("-60.25", entry=2, exit=3))
        if trades is None
        else trades
    )
    ts = tuple(START_NS + n * DAY_NS for n in range(len(equity)))
    values = tuple(D(v) for v in equity)
    metrics = compute_metrics(
        trades=trades,
        equity_ts=ts,
        equity=values,
        start_equity=D(10_000),
        exposed_bars=2,
        total_bars=len(ts),
        periods_per_year=252.0,
        buy_and_hold_pct=1.5,
    )
    settings = RunSettings(
        strategy=strategy,
        params={"fast": "10", "slow": 30, "ratio": 0.5, "on": True, "none": None},
        symbols=("ACME",),
        start_ns=START_NS,
        end_ns=START_NS + len(ts) * DAY_NS,
        cash=D(10_000),
        currency="USD",
        fee_bps=D("2.5"),
        slippage="1 bps",
        source="packaged:acme",
    )
    return BacktestResult(
        id=id,
        created_ns=created_ns,
        settings=settings,
        metrics=metrics,
        trades=trades,
        equity_ts=ts,
        equity=values,
        bars=len(ts),
        elapsed_s=0.125,
        notes=("a note",),
    )
