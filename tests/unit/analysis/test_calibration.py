"""Calibration of the score: fit on one period, judge on the next, and the figures' arithmetic."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewire.analysis.calibration import (
    IDENTITY,
    CalibrationError,
    Calibrator,
    ReliabilityRow,
    base_rate_brier,
    brier_score,
    evaluate,
    expected_calibration_error,
    fit_isotonic,
    reliability_table,
    split_by_time,
)
from tradewire.core.errors import ValidationError

DAY_NS = 86_400 * 1_000_000_000
N = 20_000


def decisions(seed: int, true_probability) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Return ``(ts, scores, outcomes, boundary)``: one decision a day, the boundary halfway."""
    rng = np.random.default_rng(seed)
    ts = np.arange(N, dtype=np.int64) * DAY_NS
    scores = rng.uniform(0.0, 100.0, N)
    outcomes = (rng.random(N) < true_probability(scores)).astype(np.float64)
    return ts, scores, outcomes, int(ts[N // 2])


def informative(scores: np.ndarray) -> np.ndarray:
    return 0.2 + 0.6 * scores / 100.0


def uninformative(scores: np.ndarray) -> np.ndarray:
    return np.full_like(scores, 0.4)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_informative_score_is_calibrated_out_of_sample(seed: int) -> None:
    ts, scores, outcomes, boundary = decisions(seed, informative)
    (train_s, train_o), (test_s, test_o) = split_by_time(ts, scores, outcomes, boundary_ns=boundary)
    calibrator = fit_isotonic(train_s, train_o)
    report = evaluate(calibrator, test_s, test_o, train_outcomes=train_o)

    assert report.test_samples == N // 2
    assert report.ece < 0.03
    # The score removes about var(p) / (p̄(1 − p̄)) = 0.03 / 0.25 of the base rate's error.
    assert report.brier < report.brier_base_rate - 0.02
    assert report.auc is not None and report.auc > 0.65
    grid = np.linspace(10.0, 90.0, 17)
    assert np.abs(calibrator.probability(grid) - informative(grid)).max() < 0.04


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_uninformative_score_is_calibrated_to_the_base_rate(seed: int) -> None:
    ts, scores, outcomes, boundary = decisions(seed, uninformative)
    (train_s, train_o), (test_s, test_o) = split_by_time(ts, scores, outcomes, boundary_ns=boundary)
    calibrator = fit_isotonic(train_s, train_o)
    report = evaluate(calibrator, test_s, test_o, train_outcomes=train_o)

    assert calibrator.base_rate == pytest.approx(train_o.mean())
    for row in report.table:
        if row.count:
            assert row.predicted is not None
            assert abs(row.predicted - calibrator.base_rate) < 0.05
    # No better than knowing the base rate (a fit to noise can only cost a little).
    assert report.brier == pytest.approx(report.brier_base_rate, abs=0.002)
    assert report.brier > report.brier_base_rate - 0.0005
    assert report.auc is not None and abs(report.auc - 0.5) < 0.03


def test_pooling_is_what_keeps_noise_near_the_base_rate() -> None:
    # Fitted trade by trade, the few lowest and highest scores get a map of their own.
    ts, scores, outcomes, boundary = decisions(1, uninformative)
    (train_s, train_o), (test_s, test_o) = split_by_time(ts, scores, outcomes, boundary_ns=boundary)
    unpooled = fit_isotonic(train_s, train_o, bins=len(train_s))
    report = evaluate(unpooled, test_s, test_o, train_outcomes=train_o)
    worst = max(
        abs(r.predicted - unpooled.base_rate) for r in report.table if r.predicted is not None
    )
    assert worst > 0.2


def test_the_fit_uses_only_training_rows() -> None:
    ts, scores, outcomes, boundary = decisions(7, informative)

    def fitted(o: np.ndarray) -> Calibrator:
        (train_s, train_o), _ = split_by_time(ts, scores, o, boundary_ns=boundary)
        return fit_isotonic(train_s, train_o)

    before = fitted(outcomes)
    test_period = ts >= boundary
    assert fitted(np.where(test_period, 1.0 - outcomes, outcomes)) == before
    assert fitted(np.where(test_period, np.nan, outcomes)) == before
    # The same change to the training period does move the map: the check above is real.
    assert fitted(np.where(~test_period, 1.0 - outcomes, outcomes)) != before


def test_split_by_time_is_strict_at_the_boundary() -> None:
    ts = np.array([10, 20, 30, 40], dtype=np.int64)
    (train_a, train_b), (test_a, test_b) = split_by_time(
        ts, np.array([1.0, 2.0, 3.0, 4.0]), np.array(["a", "b", "c", "d"]), boundary_ns=30
    )
    assert train_a.tolist() == [1.0, 2.0] and train_b.tolist() == ["a", "b"]
    assert test_a.tolist() == [3.0, 4.0] and test_b.tolist() == ["c", "d"]


def test_split_by_time_refuses_bad_columns() -> None:
    ts = np.array([10, 20], dtype=np.int64)
    with pytest.raises(CalibrationError, match="one row per timestamp"):
        split_by_time(ts, np.array([1.0]), boundary_ns=15)
    with pytest.raises(CalibrationError, match="integer epoch"):
        split_by_time(np.array([1.5, 2.5]), np.array([1.0, 2.0]), boundary_ns=2)
    with pytest.raises(CalibrationError, match="at least one column"):
        split_by_time(ts, boundary_ns=15)


def test_few_distinct_scores_are_fitted_to_their_hit_rates() -> None:
    scores = np.repeat([20.0, 50.0, 80.0], 50)
    outcomes = np.concatenate([np.arange(50) < k for k in (10, 25, 40)]).astype(np.float64)
    calibrator = fit_isotonic(scores, outcomes)
    assert calibrator.x == (20.0, 50.0, 80.0)
    assert calibrator.y == pytest.approx((0.2, 0.5, 0.8))
    assert calibrator.probability(35.0) == pytest.approx(0.35)  # between knots: a straight line
    assert calibrator.probability(5.0) == pytest.approx(0.2)  # beyond the ends: clipped
    assert calibrator.probability(100.0) == pytest.approx(0.8)
    assert (calibrator.samples, calibrator.base_rate, calibrator.fitted_from) == (
        150,
        0.5,
        "isotonic",
    )


def test_a_falling_hit_rate_is_pooled_into_a_flat_map() -> None:
    # Wins fall as the score rises: the best non-decreasing map is flat at the overall rate.
    scores = np.repeat([20.0, 80.0], 50)
    outcomes = np.concatenate([np.arange(50) < 30, np.arange(50) < 10]).astype(np.float64)
    calibrator = fit_isotonic(scores, outcomes)
    assert calibrator.probability(np.array([0.0, 50.0, 100.0])) == pytest.approx([0.4] * 3)


def test_unresolved_outcomes_are_dropped_before_fitting() -> None:
    _, scores, outcomes, _ = decisions(4, informative)
    scores, outcomes = scores[:2000], outcomes[:2000].copy()
    with_gaps = outcomes.copy()
    with_gaps[::3] = np.nan
    kept = ~np.isnan(with_gaps)
    assert fit_isotonic(scores, with_gaps) == fit_isotonic(scores[kept], outcomes[kept])


def test_too_few_outcomes_are_refused_with_a_reason() -> None:
    outcomes = np.array([1.0, 0.0] * 20 + [np.nan] * 10)
    scores = np.linspace(0.0, 100.0, len(outcomes))
    with pytest.raises(ValueError, match=r"at least 41 resolved outcomes.*got 40"):
        fit_isotonic(scores, outcomes, min_samples=41)
    assert fit_isotonic(scores, outcomes, min_samples=40).samples == 40


@pytest.mark.parametrize(
    ("scores", "outcomes", "message"),
    [
        ([10.0, 120.0], [1.0, 0.0], "within 0–100"),
        ([10.0, math.nan], [1.0, 0.0], "finite"),
        ([10.0, 20.0], [1.0, 0.5], "1 .* 0 .* or NaN"),
        ([10.0, 20.0], [1.0], "2 predictions but 1 outcomes"),
    ],
)
def test_bad_training_data_is_refused(
    scores: list[float], outcomes: list[float], message: str
) -> None:
    with pytest.raises(CalibrationError, match=message):
        fit_isotonic(scores, outcomes, min_samples=1)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0.0, 100.0), st.sampled_from([0.0, 1.0, math.nan])),
        min_size=1,
        max_size=300,
    ),
    st.integers(1, 400),
)
def test_the_fitted_map_never_decreases(rows: list[tuple[float, float]], bins: int) -> None:
    scores, outcomes = (np.array(column) for column in zip(*rows, strict=True))
    if np.isnan(outcomes).all():
        return
    calibrator = fit_isotonic(scores, outcomes, min_samples=1, bins=bins)
    curve = calibrator.probability(np.linspace(-10.0, 110.0, 241))
    assert (np.diff(curve) >= 0.0).all()
    assert ((curve >= 0.0) & (curve <= 1.0)).all()
    assert Calibrator.from_dict(json.loads(json.dumps(calibrator.to_dict()))) == calibrator


def test_identity_reads_the_score_as_a_percentage() -> None:
    assert IDENTITY.probability(70) == pytest.approx(0.7)
    assert isinstance(IDENTITY.probability(70), float)
    assert IDENTITY.probability([0.0, 25.0, 150.0]).tolist() == [0.0, 0.25, 1.0]
    assert (IDENTITY.samples, IDENTITY.fitted_from) == (0, "identity")


def test_round_trip_through_json() -> None:
    _, scores, outcomes, _ = decisions(5, informative)
    calibrator = fit_isotonic(scores, outcomes)
    assert Calibrator.from_dict(json.loads(json.dumps(calibrator.to_dict()))) == calibrator
    assert Calibrator.from_dict(IDENTITY.to_dict()) == IDENTITY


GOOD = {
    "x": [0, 50, 100],
    "y": [0.1, 0.4, 0.9],
    "base_rate": 0.4,
    "samples": 500,
    "fitted_from": "isotonic",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x": [0, 50]}, "equally many knots"),
        ({"x": [], "y": []}, "equally many knots"),
        ({"x": [0, 50, 50]}, "increase strictly"),
        ({"x": [0, 60, 50]}, "increase strictly"),
        ({"x": [-1, 50, 100]}, "score range"),
        ({"y": [0.1, 0.4, 1.2]}, r"\[0, 1\]"),
        ({"y": [0.5, 0.4, 0.9]}, "never decrease"),
        ({"y": [0.1, math.nan, 0.9]}, "finite"),
        ({"y": [0.1, "0.4", 0.9]}, "numbers"),
        ({"x": "0,50,100"}, "list of numbers"),
        ({"base_rate": 1.5}, "base_rate"),
        ({"base_rate": True}, "base_rate"),
        ({"samples": -1}, "samples"),
        ({"samples": 2.5}, "samples"),
        ({"fitted_from": ""}, "fitted_from"),
        ({"extra": 1}, r"unknown \['extra'\]"),
    ],
)
def test_from_dict_refuses_bad_input(change: dict[str, object], message: str) -> None:
    with pytest.raises(CalibrationError, match=message) as caught:
        Calibrator.from_dict({**GOOD, **change})
    # One error for both kinds of caller: the service's rejection and numeric code's ValueError.
    assert isinstance(caught.value, ValidationError) and isinstance(caught.value, ValueError)


def test_from_dict_refuses_missing_fields_and_non_mappings() -> None:
    with pytest.raises(CalibrationError, match=r"missing \['samples'\]"):
        Calibrator.from_dict({k: v for k, v in GOOD.items() if k != "samples"})
    with pytest.raises(CalibrationError, match="mapping"):
        Calibrator.from_dict([1, 2, 3])


# Five resolved trades and one unresolved, worked by hand below.
PROBS = np.array([0.15, 0.15, 0.35, 0.85, 0.95, 0.5])
OUTCOMES = np.array([0.0, 1.0, 0.0, 1.0, 1.0, np.nan])


def test_reliability_table_by_hand() -> None:
    table = reliability_table(PROBS, OUTCOMES)
    assert len(table) == 10
    assert table[0] == ReliabilityRow(low=0.0, high=0.1, count=0, predicted=None, realised=None)
    assert table[1] == ReliabilityRow(low=0.1, high=0.2, count=2, predicted=0.15, realised=0.5)
    assert table[3] == ReliabilityRow(low=0.3, high=0.4, count=1, predicted=0.35, realised=0.0)
    assert table[5].count == 0  # the unresolved trade at 0.5 is left out
    assert [row.count for row in table] == [0, 2, 0, 1, 0, 0, 0, 0, 1, 1]


def test_ece_and_brier_by_hand() -> None:
    # ECE: (2·|0.15 − 0.5| + 1·|0.35 − 0| + 1·|0.85 − 1| + 1·|0.95 − 1|) / 5 = 1.25 / 5
    assert expected_calibration_error(PROBS, OUTCOMES) == pytest.approx(0.25)
    # Brier: (0.15² + 0.85² + 0.35² + 0.15² + 0.05²) / 5 = 0.8925 / 5
    assert brier_score(PROBS, OUTCOMES) == pytest.approx(0.1785)
    # Training base rate 0.75; on test outcomes 0 and 1: (0.75² + 0.25²) / 2
    assert base_rate_brier([1.0, 1.0, 1.0, 0.0, np.nan], [0.0, 1.0]) == pytest.approx(0.3125)


def test_probability_one_falls_in_the_last_bucket() -> None:
    table = reliability_table([0.0, 1.0, 0.999], [0.0, 1.0, 1.0], buckets=4)
    assert [row.count for row in table] == [1, 0, 0, 2]
    assert (table[-1].low, table[-1].high) == (0.75, 1.0)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.0, 1.0), st.sampled_from([0.0, 1.0, math.nan])), max_size=200),
    st.integers(1, 30),
)
def test_table_counts_sum_to_the_resolved_trades(
    rows: list[tuple[float, float]], buckets: int
) -> None:
    probs = np.array([p for p, _ in rows], dtype=np.float64)
    outcomes = np.array([o for _, o in rows], dtype=np.float64)
    table = reliability_table(probs, outcomes, buckets=buckets)
    assert len(table) == buckets
    assert sum(row.count for row in table) == int((~np.isnan(outcomes)).sum())


def test_measures_refuse_bad_or_empty_input() -> None:
    with pytest.raises(CalibrationError, match="within \\[0, 1\\]"):
        brier_score([1.2], [1.0])
    with pytest.raises(CalibrationError, match="no resolved test outcomes"):
        expected_calibration_error([0.5], [np.nan])
    with pytest.raises(CalibrationError, match="no resolved training outcomes"):
        base_rate_brier([np.nan], [1.0])
    with pytest.raises(CalibrationError, match="buckets"):
        reliability_table([0.5], [1.0], buckets=0)


def test_report_of_one_class_has_no_auc_and_is_json_ready() -> None:
    report = evaluate(IDENTITY, [30.0, 70.0, 90.0], [1.0, 1.0, np.nan], train_outcomes=[1.0, 0.0])
    assert report.auc is None
    assert (report.test_samples, report.base_rate_test) == (2, 1.0)
    assert report.brier == pytest.approx((0.7**2 + 0.3**2) / 2)
    assert report.brier_base_rate == pytest.approx(0.25)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["calibrator"] == IDENTITY.to_dict()
    assert sum(row["count"] for row in data["table"]) == 2
    assert data["table"][3] == {
        "low": 0.3,
        "high": 0.4,
        "count": 1,
        "predicted": 0.3,
        "realised": 1.0,
    }
