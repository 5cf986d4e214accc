"""The same SMA crossover, run by tradewire's backtester and by backtesting.py, must trade the
same: entry and exit bars and prices (next bar's open), sizes, and final equity to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.reference_backtest import reference_run
from tradewire.backtest.config import BacktestConfig
from tradewire.backtest.data import packaged
from tradewire.backtest.engine import run_backtest
from tradewire.backtest.strategies.sma_cross import SmaCross

CENT = Decimal("0.01")


@pytest.mark.parametrize(
    ("history", "fast", "slow", "commission"),
    [("sp500", 10, 20, 0.002), ("sp500", 5, 30, 0.0), ("goog", 10, 20, 0.001)],
)
async def test_same_trades_and_final_equity_as_backtesting_py(
    history: str, fast: int, slow: int, commission: float
) -> None:
    bars = packaged(history)
    reference = reference_run(bars, fast, slow, commission)
    config = BacktestConfig(fee_bps=Decimal(repr(commission)) * 10_000)
    result = await run_backtest([bars], SmaCross(fast=fast, slow=slow), config)

    theirs = reference._trades
    assert len(result.trades) == len(theirs) > 20
    for ours, their in zip(result.trades, theirs.itertuples(), strict=True):
        assert (ours.entry_bar, ours.exit_bar) == (their.EntryBar, their.ExitBar)
        assert ours.entry_price == Decimal(repr(their.EntryPrice))
        assert ours.exit_price == Decimal(repr(their.ExitPrice))
        assert ours.qty == abs(their.Size)
        assert ours.side.value == ("long" if their.Size > 0 else "short")
        assert abs(ours.pnl - Decimal(repr(their.PnL))) < CENT
    final = Decimal(repr(float(reference["Equity Final [$]"])))
    assert abs(result.metrics.final_equity - final) < CENT
