"""No look-ahead: changing the bars after a point never changes a decision, a trade or the
equity before it; a strategy's whole-series answers equal its bar-by-bar ones."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from tradewire.analysis.analyzer import DecisionEngine
from tradewire.analysis.calibration import load_calibrator
from tradewire.analysis.config import AnalyzerSettings, IndicatorSettings
from tradewire.backtest.bars import Bars
from tradewire.backtest.config import BacktestConfig
from tradewire.backtest.data import packaged
from tradewire.backtest.engine import run_backtest
from tradewire.backtest.strategies.decision_engine import DecisionEngineStrategy
from tradewire.backtest.strategies.sma_cross import SmaCross
from tradewire.backtest.strategy import View
from tradewire.trading.account import AccountSettings

CUT = 1_000


def engine() -> DecisionEngine:
    return DecisionEngine(AnalyzerSettings(), IndicatorSettings(), load_calibrator())


def history() -> Bars:
    bars = packaged("sp500")
    return Bars.build("SPX", *(column[:1_400].copy() for column in bars.columns()))


def rewritten_future(bars: Bars, seed: int) -> Bars:
    """The same bars up to CUT, then a different (random, valid) future."""
    rng = np.random.default_rng(seed)
    factor = np.ones(len(bars))
    factor[CUT:] = np.exp(np.cumsum(rng.normal(0, 0.03, len(bars) - CUT)))
    volume = bars.volume.copy()
    volume[CUT:] = rng.uniform(1e8, 5e9, len(bars) - CUT)
    return Bars.build(
        bars.symbol,
        bars.ts,
        bars.open * factor,
        bars.high * factor,
        bars.low * factor,
        bars.close * factor,
        volume,
    )


def strategies() -> list:
    return [SmaCross(fast=5, slow=30), DecisionEngineStrategy(engine(), context=["SPX"])]


@pytest.mark.parametrize("strategy", strategies(), ids=lambda s: s.name)
@pytest.mark.parametrize("seed", [1, 2])
def test_decisions_before_a_point_ignore_every_bar_after_it(strategy, seed: int) -> None:
    bars = history()
    others = {"SPX": bars}
    changed = rewritten_future(bars, seed)
    before = strategy.decide_all(bars, others)[:CUT]
    after = strategy.decide_all(changed, {"SPX": changed})[:CUT]
    assert before == after
    assert any(d is not None for d in before)


@pytest.mark.parametrize("strategy", strategies(), ids=lambda s: s.name)
def test_the_whole_series_answer_is_the_bar_by_bar_one(strategy) -> None:
    bars = history()
    whole = strategy.decide_all(bars, {"SPX": bars})
    for i in [*range(250, 1_400, 97), *(i for i, d in enumerate(whole) if d is not None)][:40]:
        view = View(bars.upto(i + 1), {"SPX": bars})
        assert strategy.decide(view) == whole[i], f"bar {i}"


@pytest.mark.parametrize("strategy", strategies(), ids=lambda s: s.name)
async def test_trades_and_equity_before_a_point_ignore_the_bars_after_it(strategy) -> None:
    bars = history()
    changed = rewritten_future(bars, 3)
    config = BacktestConfig(
        cash=Decimal(1_000_000),
        account=AccountSettings(risk_percent=Decimal(1), max_notional_percent=Decimal(50)),
    )
    ours = await run_backtest([bars], strategy, config)
    theirs = await run_backtest([changed], strategy, config)
    closed_before = [t for t in ours.trades if t.exit_bar < CUT]
    assert closed_before == [t for t in theirs.trades if t.exit_bar < CUT]
    assert len(closed_before) > 5
    assert ours.equity[:CUT] == theirs.equity[:CUT]
    assert ours.equity != theirs.equity
