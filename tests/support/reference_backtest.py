"""backtesting.py running the SMA crossover of its own documentation: the independent engine
tradewire's backtester is checked against (tests) and timed beside (bench/backtest.py)."""

from __future__ import annotations

import warnings

import pandas as pd
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import SMA

from tradewire.backtest.bars import Bars


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
