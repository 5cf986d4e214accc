"""Evidence for the decision engine's score: does a higher score mean a long more often
reaches its target before its stop?

For every bar of a history, the engine scores the bars up to it (as it would live) and places
a long's levels from that close; the outcome is whether the next ``horizon`` bars touch the
target before the stop (:mod:`tradewire.analysis.outcomes`; a bar touching both counts as the
stop; neither within the horizon is left out). Every bar is a sample, not only the BUY calls,
so the fit sees the whole range of scores; the BUY calls are reported on their own too.

The score is fitted (isotonic, :mod:`tradewire.analysis.calibration`) on the bars before
``split``, keeping only samples whose horizon ends before it, and reported on the bars from
``split`` on: the fit never sees an outcome from the test period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tradewire.analysis.analyzer import DecisionEngine, MarketInputs, place_levels
from tradewire.analysis.calibration import (
    CalibrationReport,
    Calibrator,
    evaluate,
    fit_isotonic,
    reliability_table,
)
from tradewire.analysis.outcomes import label_first_touch
from tradewire.backtest.bars import Bars
from tradewire.backtest.strategies.decision_engine import frame_of
from tradewire.core.errors import ValidationError


@dataclass(frozen=True, slots=True, kw_only=True)
class Samples:
    """One row per scored bar: its time and index, the raw score, the engine's call, the
    long's levels and the outcome (1 target first, 0 stop first, NaN unresolved)."""

    symbol: str
    ts: np.ndarray
    bar: np.ndarray
    score: np.ndarray
    call: np.ndarray
    stop: np.ndarray
    target: np.ndarray
    outcome: np.ndarray

    def rows(self, mask: np.ndarray) -> Samples:
        return Samples(
            symbol=self.symbol,
            **{name: getattr(self, name)[mask] for name in _COLUMNS},
        )


_COLUMNS = ("ts", "bar", "score", "call", "stop", "target", "outcome")


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """A calibration fitted on one period and reported on the next."""

    symbol: str
    horizon: int
    split_ns: int
    train: int
    train_base_rate: float
    report: CalibrationReport
    buy_calls: dict[str, float | int | None]

    @property
    def calibrator(self) -> Calibrator:
        return self.report.calibrator

    def to_dict(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "horizon_bars": self.horizon,
            "split_ns": self.split_ns,
            "train_samples": self.train,
            "train_base_rate": self.train_base_rate,
            "buy_calls_in_test": self.buy_calls,
            **self.report.to_dict(),
        }


def decision_samples(
    bars: Bars,
    engine: DecisionEngine,
    *,
    context: Mapping[str, Bars] | None = None,
    horizon: int = 20,
) -> Samples:
    """Score every bar of ``bars`` and label a long from each close (see the module)."""
    frame = frame_of(bars)
    inputs = MarketInputs(
        ticker=bars.symbol,
        frames={bars.symbol: frame},
        price=float(bars.close[-1]),
        as_of_ns=int(bars.ts[-1]),
        data_source="history",
        context={t: frame_of(b) for t, b in (context or {}).items()},
    )
    scores = engine.scores(inputs)
    atr = scores.indicators.atr
    usable = np.flatnonzero(atr > 0)
    stops, targets = np.full(len(bars), np.nan), np.full(len(bars), np.nan)
    lookback = engine.settings.lookback_bars
    for i in usable:
        window = frame_of(bars.upto(i + 1)).tail(lookback)
        levels = place_levels(
            engine.settings, engine.periods, window, float(bars.close[i]), float(atr[i]), True
        )
        if levels is not None and levels.stop < levels.entry < levels.target:
            stops[i], targets[i] = levels.stop, levels.target
    placed = usable[~np.isnan(stops[usable])]
    outcome = np.full(len(bars), np.nan)
    if len(placed):
        outcome[placed] = label_first_touch(
            bars.high, bars.low, placed + 1, stops[placed], targets[placed], horizon=horizon
        )
    calls = np.array([engine.call(float(s)) for s in scores.raw])
    every = Samples(
        symbol=bars.symbol,
        ts=bars.ts,
        bar=np.arange(len(bars)),
        score=scores.raw,
        call=calls,
        stop=stops,
        target=targets,
        outcome=outcome,
    )
    return every.rows(np.isin(np.arange(len(bars)), placed))


def calibrate(samples: Samples, *, split_ns: int, horizon: int, buckets: int = 10) -> Evidence:
    """Fit on the samples before ``split_ns`` whose horizon ends before it; report on the
    samples from ``split_ns`` on."""
    test_rows = samples.ts >= split_ns
    if not test_rows.any() or test_rows.all():
        raise ValidationError("the split must leave samples on both sides")
    first_test_bar = int(samples.bar[test_rows].min())
    train_rows = (samples.ts < split_ns) & (samples.bar + horizon < first_test_bar)
    train, test = samples.rows(train_rows), samples.rows(test_rows)
    calibrator = fit_isotonic(train.score, train.outcome)
    report = evaluate(calibrator, test.score, test.outcome, train_outcomes=train.outcome)
    resolved = ~np.isnan(train.outcome)
    return Evidence(
        symbol=samples.symbol,
        horizon=horizon,
        split_ns=split_ns,
        train=int(resolved.sum()),
        train_base_rate=float(train.outcome[resolved].mean()),
        report=report,
        buy_calls=_buy_calls(calibrator, test),
    )


def _buy_calls(calibrator: Calibrator, test: Samples) -> dict[str, float | int | None]:
    """How the test period's BUY calls did: count, predicted and realised share."""
    rows = (test.call == "BUY") & ~np.isnan(test.outcome)
    if not rows.any():
        return {"count": 0, "predicted": None, "realised": None}
    predicted = np.asarray(calibrator.probability(test.score[rows]))
    table = reliability_table(predicted, test.outcome[rows], buckets=1)
    return {
        "count": int(rows.sum()),
        "predicted": table[0].predicted,
        "realised": table[0].realised,
    }
