"""The decision engine as a strategy: trade its BUY and SELL calls with its own levels.

After each bar the engine scores the bars so far (the same code that analyses a ticker live).
A call that *becomes* BUY holds a long with the engine's stop and target, sized by the
account's risk settings and guarded by a bracket, exactly as a live signal would be; one that
becomes SELL holds a short (or, with ``long_only``, closes the long). A standing call is not
repeated — a position its bracket closed is not re-entered until the call changes, as the live
analyst publishes only changes — and a HOLD leaves the position to its bracket. Market proxies
(``context``, SPY and QQQ by default) are read from the other loaded symbols when they were
loaded; otherwise that component has no data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tradewire.analysis.analyzer import DecisionEngine, MarketInputs, Scores, place_levels
from tradewire.analysis.components import Frame
from tradewire.backtest.bars import Bars
from tradewire.backtest.strategies.params import Params
from tradewire.backtest.strategy import Hold, Intent, View


def frame_of(bars: Bars) -> Frame:
    """Return the analysis columns of ``bars`` (views, no copy)."""
    return Frame(bars.ts, bars.high, bars.low, bars.close, bars.volume)


class DecisionEngineStrategy:
    """Hold what the decision engine calls, with its levels."""

    name = "decision-engine"

    def __init__(
        self,
        engine: DecisionEngine,
        *,
        long_only: bool = False,
        context: Sequence[str] | None = None,
    ) -> None:
        self._engine = engine
        self._long_only = long_only
        #: The other symbols it reads (the market proxies).
        self.context = tuple(engine.settings.context_tickers if context is None else context)
        self.params = {"long_only": long_only, "context": ",".join(self.context)}

    @classmethod
    def from_params(cls, raw: Mapping[str, str], engine: DecisionEngine) -> DecisionEngineStrategy:
        """Build from ``--param`` pairs: ``long_only`` and ``context`` (comma-separated)."""
        params = Params(raw, cls.name)
        context = params.text("context", ",".join(engine.settings.context_tickers))
        return params.build(
            cls,
            engine=engine,
            long_only=params.flag("long_only", False),
            context=[t.strip().upper() for t in context.split(",") if t.strip()],
        )

    def decide_all(self, bars: Bars, others: Mapping[str, Bars]) -> list[Intent | None]:
        """Return the decision after every bar, each scored from the bars up to it."""
        inputs = self._inputs(bars, others)
        scores = self._engine.scores(inputs)
        return [self._intent(bars, scores, i) for i in range(len(bars))]

    def decide(self, view: View) -> Intent | None:
        bars = view.bars
        if not len(bars):
            return None
        others = {t: b for t in self.context if (b := view.other(t)) is not None}
        # The call before this one matters too (only changes trade), so score both bars fully.
        scores = self._engine.scores(self._inputs(bars, others), start=max(0, len(bars) - 2))
        return self._intent(bars, scores, len(bars) - 1)

    def _inputs(self, bars: Bars, others: Mapping[str, Bars]) -> MarketInputs:
        context = {t: frame_of(others[t]) for t in self.context if t in others}
        return MarketInputs(
            ticker=bars.symbol,
            frames={bars.symbol: frame_of(bars)},
            price=float(bars.close[-1]) if len(bars) else 0.0,
            as_of_ns=int(bars.ts[-1]) if len(bars) else 0,
            data_source="backtest",
            context=context,
        )

    def _intent(self, bars: Bars, scores: Scores, i: int) -> Intent | None:
        engine = self._engine
        raw = float(scores.raw[i])
        call = engine.call(raw)
        if call == "HOLD" or (i > 0 and engine.call(float(scores.raw[i - 1])) == call):
            return None
        if call == "SELL" and self._long_only:
            return Intent(hold=Hold.FLAT, reason=f"SELL at score {raw:.1f}")
        lookback = engine.settings.lookback_bars
        window = frame_of(bars.upto(i + 1)).tail(lookback)
        atr = float(scores.indicators.atr[i])
        levels = place_levels(
            engine.settings, engine.periods, window, float(bars.close[i]), atr, call == "BUY"
        )
        if levels is None:
            return None
        return Intent(
            hold=Hold.LONG if call == "BUY" else Hold.SHORT,
            stop=levels.stop,
            targets=(levels.target,),
            score=float(engine.calibrator.probability(raw)) * 100,
            reason=(
                f"{call} at score {raw:.1f}: stop {levels.stop_from}, target {levels.target_from}"
            ),
        )
