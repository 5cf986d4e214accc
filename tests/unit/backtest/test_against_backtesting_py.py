"""The same SMA crossover, run by tradewire's backtester and by backtesting.py, must trade the
same: entry and exit bars and prices (next bar's open), sizes, and final equity to the cent."""

from __future__ import annotations

import warnings
from decimal import Decimal

import pandas as pd
import pytest
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import SMA

from tradewire.backtest.bars import Bars
from tradewire.backtest.data import packaged
from tradewire.backtest.engine import BacktestConfig, run_backtest
from tradewire.backtest.strategies.sma_cross import SmaCross

CENT = Decimal("0.01")


def frame_of(bars: Bars) -> pd.DataFrame:
    index = pd.to_datetime(bars.ts, unit="ns")
    columns = {"Open": bars.open, "High": bars.high, "Low": bars.low, "Close": bars.close}
    return pd.DataFrame({**columns, "Volume": bars.volume}, index=index)


def reference_run(bars: Bars, fast: int, slow: int, commission: float) -> pd.Series:
    class SmaCrossReference(Strategy):
        def init(self) -> None:
            self.fast = self.I(SMA, self.data.Close, fast)
            self.slow = self.I(SMA, self.data.Close, slow)

        def next(self) -> None:
            if crossover(self.fast, self.slow):
                self.position.close()
                self.buy()
            elif crossover(self.slow, self.fast):
                self.position.close()
                self.sell()

    backtest = Backtest(frame_of(bars), SmaCrossReference, cash=10_000, commission=commission)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its progress and "some trades remain open" notes
        return backtest.run()


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
