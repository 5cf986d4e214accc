"""The replay: fills at the next open, brackets at their own levels, gaps at the gap, a shared
account across symbols, and edge cases (short history, flat prices, no volume)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pytest

from tradewire.backtest.bars import Bars
from tradewire.backtest.clock import SimulatedClock
from tradewire.backtest.config import BacktestConfig
from tradewire.backtest.engine import run_backtest
from tradewire.backtest.strategies.sma_cross import SmaCross
from tradewire.backtest.strategy import EquityFraction, Hold, Intent, View
from tradewire.core.errors import ValidationError
from tradewire.core.events import Side
from tradewire.trading.account import AccountSettings

DAY = 86_400 * 1_000_000_000
START = 1_600_000_000 * 1_000_000_000 // DAY * DAY


def bars_of(
    symbol: str, rows: list[tuple[float, float, float, float]], volume: float = 1e6
) -> Bars:
    """Daily bars from (open, high, low, close) rows."""
    o, h, lo, c = (np.array(column, dtype=float) for column in zip(*rows, strict=True))
    ts = START + np.arange(len(rows), dtype=np.int64) * DAY
    return Bars.build(symbol, ts, o, h, lo, c, np.full(len(rows), volume))


@dataclass
class Scripted:
    """A strategy that says what it is told after given bars (and records what it saw)."""

    intents: dict[int, Intent]
    name: str = "scripted"
    seen: list[int] = field(default_factory=list)

    def decide(self, view: View) -> Intent | None:
        last = len(view.bars) - 1
        self.seen.append(last)
        return self.intents.get(last)


# Bars of a symbol at ~100: bar 0 decides, bar 1 opens at 100 (the entry), then the path.
FLAT = (100.0, 100.5, 99.5, 100.0)
RISK_SETTINGS = AccountSettings(risk_percent=Decimal(1), max_notional_percent=Decimal(100))


async def run_one(rows, intents, **config) -> tuple:
    strategy = Scripted(intents)
    result = await run_backtest(
        [bars_of("ACME", rows)], strategy, BacktestConfig(account=RISK_SETTINGS, **config)
    )
    return result, strategy


async def test_an_entry_fills_at_the_next_open_and_the_stop_at_its_own_level() -> None:
    rows = [FLAT, (100.0, 101.0, 99.0, 100.5), (100.5, 100.8, 94.0, 96.0), FLAT]
    long = Intent(hold=Hold.LONG, stop=95.0, targets=(110.0,))
    result, _ = await run_one(rows, {0: long})
    (trade,) = result.trades
    assert (trade.entry_bar, trade.entry_price) == (1, Decimal("100"))
    # Bar 2 falls from 100.5 through 95 to 94: the stop fills at 95, not at the low.
    assert (trade.exit_bar, trade.exit_price) == (2, Decimal("95"))
    assert trade.reached_target is False
    assert trade.exit_reason.startswith("stop")
    # Risk 1 % of 10,000 over a 5-point stop: 20 shares, losing 100.
    assert trade.qty == 20
    assert trade.pnl == Decimal(-100)


async def test_a_gap_through_the_stop_fills_at_the_open() -> None:
    rows = [FLAT, (100.0, 101.0, 99.0, 100.5), (90.0, 91.0, 89.0, 90.5), FLAT]
    result, _ = await run_one(rows, {0: Intent(hold=Hold.LONG, stop=95.0, targets=(110.0,))})
    (trade,) = result.trades
    assert (trade.exit_bar, trade.exit_price) == (2, Decimal("90"))


async def test_a_target_fills_at_its_level_and_counts_as_reached() -> None:
    rows = [FLAT, (100.0, 101.0, 99.0, 100.5), (101.0, 112.0, 100.8, 111.0), FLAT]
    intent = Intent(hold=Hold.LONG, stop=95.0, targets=(110.0,), score=70.0)
    result, _ = await run_one(rows, {0: intent})
    (trade,) = result.trades
    assert (trade.exit_bar, trade.exit_price, trade.reached_target) == (2, Decimal("110"), True)
    assert trade.score == 70.0
    assert trade.pnl == Decimal(200)  # 20 shares × 10


async def test_a_bar_through_both_levels_walks_low_first_when_it_closes_up() -> None:
    # Open 100, low 94 (stop 95), high 112 (target 110), close 111: up bar → low first.
    rows = [FLAT, FLAT, (100.0, 112.0, 94.0, 111.0), FLAT]
    result, _ = await run_one(rows, {0: Intent(hold=Hold.LONG, stop=95.0, targets=(110.0,))})
    (trade,) = result.trades
    assert trade.exit_price == Decimal("95")


async def test_a_bar_through_both_levels_walks_high_first_when_it_closes_down() -> None:
    rows = [FLAT, FLAT, (100.0, 112.0, 94.0, 95.5), FLAT]
    result, _ = await run_one(rows, {0: Intent(hold=Hold.LONG, stop=95.0, targets=(110.0,))})
    (trade,) = result.trades
    assert trade.exit_price == Decimal("110")


async def test_fees_and_slippage_are_charged_on_the_fills() -> None:
    rows = [FLAT, FLAT, (100.0, 112.0, 99.0, 111.0), FLAT]
    intent = Intent(hold=Hold.LONG, stop=95.0, targets=(110.0,))
    result, _ = await run_one(rows, {0: intent}, fee_bps=Decimal(10))
    (trade,) = result.trades
    # 20 shares: in at 100 (fee 2), out at 110 (fee 2.2).
    assert trade.fees == Decimal("4.2")
    assert trade.pnl == Decimal("195.8")
    assert result.metrics.final_equity == Decimal("10195.8")


async def test_the_strategy_sees_only_the_bars_up_to_now() -> None:
    rows = [FLAT] * 6
    strategy = Scripted({})
    await run_backtest([bars_of("ACME", rows)], strategy, BacktestConfig())
    assert strategy.seen == [0, 1, 2, 3, 4, 5]


async def test_equity_fraction_sizes_net_of_the_fee_and_reverses() -> None:
    rows = [FLAT, (100.0, 101.0, 99.0, 100.0), (100.0, 101.0, 99.0, 100.0), (80.0, 81, 79, 80)]
    size = EquityFraction(fraction=1.0)
    intents = {0: Intent(hold=Hold.LONG, size=size), 1: Intent(hold=Hold.SHORT, size=size)}
    result, _ = await run_one(rows, intents, fee_bps=Decimal(100))
    (long,) = result.trades
    # 10,000 buys ⌊10,000 / (100 × 1.01)⌋ = 99 shares; in and out at 100 costs 2 × 99 fees.
    assert (long.side, long.qty, long.exit_bar, long.pnl) == (Side.LONG, 99, 2, Decimal(-198))
    # The short takes ⌊9,802 / 101⌋ = 97 shares (fee 97) and is marked at 80 at the end:
    # 9,802 − 97 + 97 × 20.
    assert result.metrics.final_equity == Decimal(11_645)


async def test_symbols_share_one_account() -> None:
    rising = [(100.0 + i, 101.0 + i, 99.0 + i, 100.5 + i) for i in range(40)]
    falling = [(100.0 - i, 101.0 - i, 99.0 - i, 99.5 - i) for i in range(40)]

    class Both:
        name = "both"

        def decide(self, view: View) -> Intent | None:
            if len(view.bars) == 1:
                return Intent(hold=Hold.LONG, size=EquityFraction(fraction=0.5))
            return None

    result = await run_backtest(
        [bars_of("UPUP", rising), bars_of("DOWN", falling)], Both(), BacktestConfig()
    )
    assert result.settings.symbols == ("UPUP", "DOWN")
    # Half the cash in each at bar 1's open (101 and 99): 49 and 25 shares (the second half
    # is of what was left); the account ends at cash + both marked to the last close.
    assert result.metrics.exposure_pct == pytest.approx(100 * 39 / 40)
    assert result.metrics.final_equity != Decimal(10_000)


async def test_short_history_trades_nothing() -> None:
    rows = [FLAT] * 10
    result = await run_backtest([bars_of("ACME", rows)], SmaCross(), BacktestConfig())
    assert result.trades == ()
    assert result.metrics.final_equity == Decimal(10_000)
    assert result.metrics.sharpe is None


async def test_flat_prices_and_no_volume_do_not_break_the_decision_engine() -> None:
    from tradewire.analysis.analyzer import DecisionEngine
    from tradewire.analysis.calibration import IDENTITY
    from tradewire.analysis.config import AnalyzerSettings, IndicatorSettings
    from tradewire.backtest.strategies.decision_engine import DecisionEngineStrategy

    engine = DecisionEngine(AnalyzerSettings(), IndicatorSettings(), IDENTITY)
    flat = bars_of("ACME", [(50.0, 50.0, 50.0, 50.0)] * 400, volume=0.0)
    result = await run_backtest([flat], DecisionEngineStrategy(engine), BacktestConfig())
    assert result.trades == ()
    assert result.metrics.final_equity == Decimal(10_000)


async def test_the_trading_window_keeps_earlier_bars_as_history_only() -> None:
    rows = [FLAT] * 10
    strategy = Scripted({2: Intent(hold=Hold.LONG, size=EquityFraction(fraction=1.0))})
    config = BacktestConfig(start_ns=START + 5 * DAY)
    result = await run_backtest([bars_of("ACME", rows)], strategy, config)
    assert result.trades == ()  # decided before the window: never executed
    assert result.equity_ts[0] == START + 5 * DAY
    # Decisions start with the bar before the window, and read the history before it.
    assert strategy.seen[0] == 4


async def test_bad_runs_are_refused_with_a_reason() -> None:
    rows = [FLAT] * 3
    with pytest.raises(ValidationError, match="no bars in the requested period"):
        await run_backtest([bars_of("ACME", rows)], SmaCross(), BacktestConfig(start_ns=START * 2))
    with pytest.raises(ValidationError, match="loaded twice"):
        await run_backtest([bars_of("ACME", rows)] * 2, SmaCross(), BacktestConfig())
    with pytest.raises(ValidationError, match="quoted in USDT"):
        await run_backtest([bars_of("BTC/USDT", rows)], SmaCross(), BacktestConfig())
    with pytest.raises(ValidationError, match="end must be after the start"):
        BacktestConfig(start_ns=2, end_ns=1)
    with pytest.raises(ValueError, match="no stop or targets"):
        Intent(hold=Hold.LONG, stop=1.0, size=EquityFraction(fraction=0.5))


def test_the_clock_never_goes_back() -> None:
    clock = SimulatedClock()
    clock.set(5)
    clock.set(5)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.set(4)


async def test_decisions_computed_in_worker_processes_equal_those_computed_here() -> None:
    from tradewire.analysis.analyzer import DecisionEngine
    from tradewire.analysis.calibration import load_calibrator
    from tradewire.analysis.config import AnalyzerSettings, IndicatorSettings
    from tradewire.backtest.data import packaged
    from tradewire.backtest.strategies.decision_engine import DecisionEngineStrategy

    sp500 = packaged("sp500")
    first, second = (
        Bars.build(name, *(c[part] for c in sp500.columns()))
        for name, part in (("SPX", slice(0, 900)), ("SPY", slice(0, 900)))
    )
    engine = DecisionEngine(AnalyzerSettings(), IndicatorSettings(), load_calibrator())
    config = dict(cash=Decimal(1_000_000), account=RISK_SETTINGS)
    results = [
        await run_backtest(
            [first, second], DecisionEngineStrategy(engine), BacktestConfig(workers=n, **config)
        )
        for n in (1, 2)
    ]
    assert results[0].trades == results[1].trades
    assert results[0].equity == results[1].equity
    assert len(results[0].trades) > 5


async def test_the_documented_example_strategy_runs() -> None:
    """The breakout strategy shown in docs/decision-engine.md, as written there."""
    from tradewire.backtest.data import packaged

    class Breakout:
        name = "breakout"

        def decide(self, view):
            close = view.bars.close
            if len(close) > 50 and close[-1] > close[-51:-1].max():
                return Intent(
                    hold=Hold.LONG, stop=float(close[-20:].min()), targets=(close[-1] * 1.1,)
                )
            return None

    sp500 = packaged("sp500")
    bars = Bars.build("SPX", *(column[:1_500] for column in sp500.columns()))
    result = await run_backtest([bars], Breakout(), BacktestConfig(account=RISK_SETTINGS))
    assert len(result.trades) > 5
    assert {t.exit_reason.split()[0] for t in result.trades} <= {"stop", "take-profit"}
