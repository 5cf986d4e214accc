"""Calibration evidence: every bar scored from the bars up to it, and a fit that never sees an
outcome from the period it is reported on."""

from __future__ import annotations

import numpy as np
import pytest

from tradewire.analysis.analyzer import DecisionEngine
from tradewire.analysis.calibration import IDENTITY
from tradewire.analysis.config import AnalyzerSettings, IndicatorSettings
from tradewire.backtest.bars import Bars
from tradewire.backtest.data import packaged
from tradewire.backtest.evidence import Samples, calibrate, decision_samples
from tradewire.core.errors import ValidationError

HORIZON = 20


@pytest.fixture(scope="module")
def samples() -> Samples:
    sp500 = packaged("sp500")
    bars = Bars.build("SPX", *(column[:2_000] for column in sp500.columns()))
    engine = DecisionEngine(AnalyzerSettings(), IndicatorSettings(), IDENTITY)
    return decision_samples(bars, engine, context={"SPY": bars}, horizon=HORIZON)


def with_outcomes(samples: Samples, outcome: np.ndarray) -> Samples:
    fields = {
        name: getattr(samples, name) for name in ("ts", "bar", "score", "call", "stop", "target")
    }
    return Samples(symbol=samples.symbol, outcome=outcome, **fields)


def test_each_sample_is_a_long_below_its_target_and_above_its_stop(samples: Samples) -> None:
    assert len(samples.ts) > 1_500
    assert np.all(samples.stop < samples.target)
    assert set(np.unique(samples.outcome[~np.isnan(samples.outcome)])) <= {0.0, 1.0}
    assert set(samples.call) <= {"BUY", "SELL", "HOLD"}


def test_the_fit_never_sees_an_outcome_from_the_test_period(samples: Samples) -> None:
    split = int(samples.ts[1_200])
    evidence = calibrate(samples, split_ns=split, horizon=HORIZON)
    rewritten = samples.outcome.copy()
    test_rows = samples.ts >= split
    rewritten[test_rows] = 1.0 - np.nan_to_num(rewritten[test_rows], nan=0.0)
    again = calibrate(with_outcomes(samples, rewritten), split_ns=split, horizon=HORIZON)
    assert again.calibrator == evidence.calibrator
    assert again.report.brier != evidence.report.brier


def test_training_stops_a_horizon_before_the_split(samples: Samples) -> None:
    split = int(samples.ts[1_200])
    evidence = calibrate(samples, split_ns=split, horizon=HORIZON)
    first_test_bar = int(samples.bar[samples.ts >= split].min())
    eligible = (samples.ts < split) & (samples.bar + HORIZON < first_test_bar)
    assert evidence.train == int((~np.isnan(samples.outcome[eligible])).sum())
    # An outcome decided by bars after the split changes nothing in the fit either.
    crossing = (samples.ts < split) & ~eligible
    assert crossing.sum() > 0
    rewritten = samples.outcome.copy()
    rewritten[crossing] = 1.0
    assert (
        calibrate(with_outcomes(samples, rewritten), split_ns=split, horizon=HORIZON).calibrator
        == evidence.calibrator
    )


def test_a_split_with_nothing_on_one_side_is_refused(samples: Samples) -> None:
    with pytest.raises(ValidationError, match="both sides"):
        calibrate(samples, split_ns=int(samples.ts[-1]) + 1, horizon=HORIZON)
