"""Calibrate the decision engine's score: what a score of 70 really means, and how to check it.

The engine gives each ticker a ``probability_score`` from 0 to 100. On its own that number is a
ranking, not a probability: nothing guarantees that BUYs scored 70 reach their target before
their stop 70 % of the time. Calibration measures the real hit rate behind each score on past
trades and turns the score into that probability.

How it is done
    1. Label past BUY decisions with :mod:`tradewire.analysis.outcomes`: 1 if the target was
       reached before the stop, 0 if the stop came first; trades that resolved neither way are
       left out.
    2. Split them by time (:func:`split_by_time`): an earlier **training** period and a later
       **test** period. The map is fitted on the training period only and judged on the test
       period it has never seen — the honest way to tell skill from hindsight.
    3. Fit (:func:`fit_isotonic`) a map from score to probability that can only go up as the
       score goes up (isotonic regression), after pooling the training trades into groups of
       neighbouring scores (20 by default) so that no step of the map rests on a handful of
       trades. The map is stored as a few (score, probability) knots, :class:`Calibrator`, and
       applied by straight-line interpolation between them.
    4. Report (:func:`evaluate`) on the test period.

Reading the report
    **Base rate** — the share of trades that won, whatever their score. A score that knows
    nothing can do no better than predict this for every trade, and an honest fit of such a
    score comes out as a flat map at about the base rate. The training base rate is what the
    map falls back on; the test base rate shows whether the market changed between periods.

    **Reliability table** — test trades grouped by the probability the map gave them (0–10 %,
    10–20 %, …). For each bucket: how many trades (``count``), the average probability
    predicted (``predicted``), and the share that actually won (``realised``). In a calibrated
    map the two columns agree: of the trades told "about 65 %", about 65 % won. ``realised``
    well below ``predicted`` means the map is over-confident there. Buckets with few trades
    are noisy: with 100 trades a realised rate is only good to about ±10 points. Empty
    buckets are listed with a count of 0, so a map that never says more than 60 % shows it.

    **ECE** (expected calibration error) — the gap between ``predicted`` and ``realised``,
    averaged over the buckets weighted by their trade counts. ECE 0.03 means the predictions
    are off by 3 points on average. It measures honesty, not usefulness: always predicting
    the base rate has an ECE near 0.

    **Brier score** — the average of (predicted probability − outcome)², outcome 1 or 0;
    lower is better, 0 is perfect foresight. It rewards being both honest and decisive.
    Compare it with the **base rate's Brier score** — the same figure for always predicting
    the training base rate (p·(1 − p), about 0.24 at a 40 % base rate). If the Brier score
    is not below the base rate's, the score adds nothing to knowing the base rate. The
    relative gain, 1 − Brier / base-rate Brier, is the share of the base rate's error the
    score removes: 0 % is no edge, and a negative figure means the score misleads.

    **AUC** — how well the raw score ranks trades: the chance that a randomly chosen winner
    scored above a randomly chosen loser. 0.5 is a coin flip, 1.0 a perfect ranking. It
    ignores calibration entirely, so read it beside ECE: a good AUC with a bad ECE needs
    recalibrating, a good ECE with an AUC near 0.5 is an honest score with no edge.

Until a map has been fitted, :data:`IDENTITY` reads the score as a percentage (70 → 0.70).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from tradewire.core.errors import ValidationError

SCORE_MIN, SCORE_MAX = 0.0, 100.0
_FIELDS = ("x", "y", "base_rate", "samples", "fitted_from")


class CalibrationError(ValidationError, ValueError):
    """Calibration input is unusable; the message says why.

    A :class:`ValidationError` for the service's error handling and a :class:`ValueError`
    for numeric callers that expect one.
    """


def _check_knots(x: tuple[float, ...], y: tuple[float, ...]) -> None:
    if not x or len(x) != len(y):
        raise CalibrationError(
            f"x and y need equally many knots, 1 or more; got {len(x)} and {len(y)}"
        )
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise CalibrationError("knots must be finite numbers")
    if xs[0] < SCORE_MIN or xs[-1] > SCORE_MAX or (np.diff(xs) <= 0).any():
        raise CalibrationError("x must increase strictly and lie within the score range 0–100")
    if ys[0] < 0.0 or ys[-1] > 1.0 or (np.diff(ys) < 0).any():
        raise CalibrationError("y must be probabilities in [0, 1] that never decrease")


@dataclass(frozen=True, slots=True, kw_only=True)
class Calibrator:
    """A monotone map from score (0–100) to probability (0–1), as knots joined by lines."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    base_rate: float
    samples: int
    fitted_from: str

    def __post_init__(self) -> None:
        _check_knots(self.x, self.y)
        if not (isinstance(self.base_rate, float | int) and 0.0 <= self.base_rate <= 1.0):
            raise CalibrationError(f"base_rate must be in [0, 1]; got {self.base_rate!r}")
        if isinstance(self.samples, bool) or not isinstance(self.samples, int) or self.samples < 0:
            raise CalibrationError(
                f"samples must be a whole number, 0 or more; got {self.samples!r}"
            )
        if not isinstance(self.fitted_from, str) or not self.fitted_from:
            raise CalibrationError("fitted_from must name the method, e.g. 'isotonic'")

    def probability(self, score: ArrayLike) -> float | np.ndarray:
        """Return the probability of each score; scores beyond the end knots take their value."""
        result = np.interp(np.asarray(score, dtype=np.float64), self.x, self.y)
        return float(result) if np.ndim(result) == 0 else result

    def to_dict(self) -> dict[str, Any]:
        """Return the calibrator as JSON-ready plain values."""
        return {
            "x": list(self.x),
            "y": list(self.y),
            "base_rate": self.base_rate,
            "samples": self.samples,
            "fitted_from": self.fitted_from,
        }

    @classmethod
    def from_dict(cls, d: object) -> Calibrator:
        """Return the calibrator ``d`` holds (see :meth:`to_dict`), or raise CalibrationError."""
        if not isinstance(d, Mapping):
            raise CalibrationError("a calibrator must be a mapping of " + ", ".join(_FIELDS))
        missing = [k for k in _FIELDS if k not in d]
        unknown = sorted(str(k) for k in d if k not in _FIELDS)
        if missing or unknown:
            raise CalibrationError(
                f"calibrator fields: missing {missing or 'none'}, unknown {unknown or 'none'}"
            )
        return cls(
            x=_floats(d["x"], "x"),
            y=_floats(d["y"], "y"),
            base_rate=_number(d["base_rate"], "base_rate"),
            samples=d["samples"],
            fitted_from=d["fitted_from"],
        )


# Not fitted (samples 0): the score read as a percentage; its base rate, 0.5, is the map's
# average over the score range, not a measured hit rate.
IDENTITY = Calibrator(
    x=(SCORE_MIN, SCORE_MAX), y=(0.0, 1.0), base_rate=0.5, samples=0, fitted_from="identity"
)


@dataclass(frozen=True, slots=True)
class ReliabilityRow:
    """One bucket of predicted probability ``[low, high)`` and how its trades turned out."""

    low: float
    high: float
    count: int
    predicted: float | None
    realised: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CalibrationReport:
    """Out-of-sample figures of a calibrator on a test period (see the module docstring)."""

    calibrator: Calibrator
    test_samples: int
    base_rate_test: float
    brier: float
    brier_base_rate: float
    ece: float
    table: list[ReliabilityRow]
    auc: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready plain values."""
        return {
            "calibrator": self.calibrator.to_dict(),
            "test_samples": self.test_samples,
            "base_rate_test": self.base_rate_test,
            "brier": self.brier,
            "brier_base_rate": self.brier_base_rate,
            "ece": self.ece,
            "auc": self.auc,
            "table": [asdict(row) for row in self.table],
        }


def fit_isotonic(
    scores: ArrayLike, outcomes: ArrayLike, *, min_samples: int = 30, bins: int = 20
) -> Calibrator:
    """Fit a non-decreasing score → probability map to training ``outcomes`` (1, 0 or NaN).

    Unresolved (NaN) outcomes are dropped. The trades, sorted by score, are pooled into at
    most ``bins`` groups of about equal size (equal scores never split) before the isotonic
    fit: fitted trade by trade, the lowest and highest few scores of an uninformative score
    get probabilities near 0 and 1 from a handful of trades.
    """
    if min_samples < 1 or bins < 1:
        raise CalibrationError("min_samples and bins must be 1 or more")
    score, outcome = _resolved(_scores(scores), outcomes)
    if len(score) < min_samples:
        raise CalibrationError(
            f"need at least {min_samples} resolved outcomes to fit a calibrator; got {len(score)}"
        )
    x, y, weight = _pool(score, outcome, bins)
    # scikit-learn is imported where it is used: a live analysis only applies a fitted map.
    from sklearn.isotonic import IsotonicRegression

    fit = IsotonicRegression(increasing=True, out_of_bounds="clip", y_min=0.0, y_max=1.0)
    fit.fit(x, y, sample_weight=weight)
    # Pooled means can differ in the last bit; keep the stored map exactly monotone and in range.
    knots_y = np.clip(np.maximum.accumulate(fit.y_thresholds_), 0.0, 1.0)
    return Calibrator(
        x=tuple(float(v) for v in fit.X_thresholds_),
        y=tuple(float(v) for v in knots_y),
        base_rate=float(outcome.mean()),
        samples=len(score),
        fitted_from="isotonic",
    )


def reliability_table(
    probabilities: ArrayLike, outcomes: ArrayLike, *, buckets: int = 10
) -> list[ReliabilityRow]:
    """Return one row per equal-width bucket of predicted probability, empty buckets included.

    Bucket ``k`` holds probabilities in ``[k/buckets, (k+1)/buckets)``; the last includes 1.
    Trades with an unresolved (NaN) outcome are left out.
    """
    if buckets < 1:
        raise CalibrationError(f"buckets must be 1 or more; got {buckets}")
    prob, outcome = _resolved(_probabilities(probabilities), outcomes)
    index = np.minimum((prob * buckets).astype(np.int64), buckets - 1)
    count = np.bincount(index, minlength=buckets)
    prob_sum = np.bincount(index, prob, minlength=buckets)
    won = np.bincount(index, outcome, minlength=buckets)
    return [
        ReliabilityRow(
            low=k / buckets,
            high=(k + 1) / buckets,
            count=int(count[k]),
            predicted=float(prob_sum[k] / count[k]) if count[k] else None,
            realised=float(won[k] / count[k]) if count[k] else None,
        )
        for k in range(buckets)
    ]


def expected_calibration_error(
    probabilities: ArrayLike, outcomes: ArrayLike, *, buckets: int = 10
) -> float:
    """Return Σ (n_b / N)·|predicted_b − realised_b| over the buckets of the reliability table."""
    return _ece(reliability_table(probabilities, outcomes, buckets=buckets))


def brier_score(probabilities: ArrayLike, outcomes: ArrayLike) -> float:
    """Return the mean of (probability − outcome)² over the resolved outcomes."""
    prob, outcome = _resolved(_probabilities(probabilities), outcomes)
    _require_some(outcome, "test")
    return float(np.mean((prob - outcome) ** 2))


def base_rate_brier(train_outcomes: ArrayLike, test_outcomes: ArrayLike) -> float:
    """Return the Brier score on ``test_outcomes`` of always predicting the training base rate."""
    train = _outcomes(train_outcomes)
    train = train[~np.isnan(train)]
    _require_some(train, "training")
    test = _outcomes(test_outcomes)
    return brier_score(np.full(len(test), train.mean()), test)


def evaluate(
    calibrator: Calibrator,
    test_scores: ArrayLike,
    test_outcomes: ArrayLike,
    *,
    train_outcomes: ArrayLike,
    buckets: int = 10,
) -> CalibrationReport:
    """Return the out-of-sample report of ``calibrator`` on the test period's trades."""
    from sklearn.metrics import roc_auc_score

    score, outcome = _resolved(_scores(test_scores), test_outcomes)
    _require_some(outcome, "test")
    prob = np.asarray(calibrator.probability(score))
    table = reliability_table(prob, outcome, buckets=buckets)
    both_classes = 0.0 < outcome.mean() < 1.0
    return CalibrationReport(
        calibrator=calibrator,
        test_samples=len(outcome),
        base_rate_test=float(outcome.mean()),
        brier=brier_score(prob, outcome),
        brier_base_rate=base_rate_brier(train_outcomes, outcome),
        ece=_ece(table),
        table=table,
        auc=float(roc_auc_score(outcome, score)) if both_classes else None,
    )


def split_by_time(
    ts: ArrayLike, *values: ArrayLike, boundary_ns: int
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Return ``(train, test)``: each of ``values`` split into rows before / from ``boundary_ns``.

    ``ts`` holds each row's decision time in epoch ns; training rows have ``ts < boundary_ns``,
    test rows ``ts >= boundary_ns``, so a map fitted on one period never sees the next.
    """
    times = np.asarray(ts)
    if times.ndim != 1 or (times.size and not np.issubdtype(times.dtype, np.integer)):
        raise CalibrationError("ts must be a 1-D array of integer epoch nanoseconds")
    if not values:
        raise CalibrationError("give at least one column to split")
    columns = [np.asarray(v) for v in values]
    if any(c.shape[:1] != times.shape for c in columns):
        raise CalibrationError("every column must have one row per timestamp")
    train = times < boundary_ns
    return tuple(c[train] for c in columns), tuple(c[~train] for c in columns)


def _pool(
    score: np.ndarray, outcome: np.ndarray, bins: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the mean score, win rate and count of consecutive-score groups of ~n/bins trades."""
    values, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    size = math.ceil(len(score) / bins)
    group = np.empty(len(values), dtype=np.int64)
    current, filled = 0, 0
    for k, c in enumerate(counts):
        group[k] = current
        filled += int(c)
        if filled >= size:
            current, filled = current + 1, 0
    # A short remainder (ties can leave one) joins the group before it rather than stand alone.
    if 0 < filled < size / 2 and current > 0:
        group[group == current] = current - 1
    row_group = group[inverse]
    weight = np.bincount(row_group).astype(np.float64)
    return (
        np.bincount(row_group, score) / weight,
        np.bincount(row_group, outcome) / weight,
        weight,
    )


def _ece(table: list[ReliabilityRow]) -> float:
    total = sum(row.count for row in table)
    if not total:
        raise CalibrationError("no resolved test outcomes to measure")
    return float(
        sum(
            row.count / total * abs(row.predicted - row.realised)
            for row in table
            if row.predicted is not None and row.realised is not None
        )
    )


def _floats(raw: object, name: str) -> tuple[float, ...]:
    if not isinstance(raw, list | tuple):
        raise CalibrationError(f"{name} must be a list of numbers")
    return tuple(_number(v, name) for v in raw)


def _number(raw: object, name: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise CalibrationError(f"{name} must hold numbers; got {raw!r}"[:120])
    return float(raw)


def _scores(scores: ArrayLike) -> np.ndarray:
    score = np.asarray(scores, dtype=np.float64)
    if score.ndim != 1:
        raise CalibrationError("scores must be 1-D")
    if not np.isfinite(score).all() or (score < SCORE_MIN).any() or (score > SCORE_MAX).any():
        raise CalibrationError("scores must be finite and within 0–100")
    return score


def _probabilities(probabilities: ArrayLike) -> np.ndarray:
    prob = np.asarray(probabilities, dtype=np.float64)
    if prob.ndim != 1:
        raise CalibrationError("probabilities must be 1-D")
    if not np.isfinite(prob).all() or (prob < 0.0).any() or (prob > 1.0).any():
        raise CalibrationError("probabilities must be finite and within [0, 1]")
    return prob


def _outcomes(outcomes: ArrayLike) -> np.ndarray:
    outcome = np.asarray(outcomes, dtype=np.float64)
    if outcome.ndim != 1:
        raise CalibrationError("outcomes must be 1-D")
    if not np.isin(outcome[~np.isnan(outcome)], (0.0, 1.0)).all():
        raise CalibrationError("outcomes must be 1 (target first), 0 (stop first) or NaN")
    return outcome


def _resolved(values: np.ndarray, outcomes: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Return ``values`` and ``outcomes`` without the rows whose outcome is unresolved (NaN)."""
    outcome = _outcomes(outcomes)
    if outcome.shape != values.shape:
        raise CalibrationError(f"{len(values)} predictions but {len(outcome)} outcomes")
    keep = ~np.isnan(outcome)
    return values[keep], outcome[keep]


def _require_some(outcome: np.ndarray, period: str) -> None:
    if not len(outcome):
        raise CalibrationError(f"no resolved {period} outcomes to measure")


#: The calibration shipped with tradewire (``tradewire backtest calibrate`` writes one).
SHIPPED = Path(__file__).parent / "data" / "calibration.json"


def load_calibrator(path: str | Path | None = None) -> Calibrator:
    """Return the calibrator in ``path`` (JSON from :meth:`Calibrator.to_dict` or a
    calibration report), else the shipped one, else :data:`IDENTITY`; raise
    :class:`CalibrationError` naming the file when it cannot be read."""
    file = Path(path) if path is not None else SHIPPED
    if path is None and not file.exists():
        return IDENTITY
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CalibrationError(f"{file}: cannot read a calibration: {exc}") from exc
    if isinstance(data, Mapping) and "calibrator" in data:
        data = data["calibrator"]
    try:
        return Calibrator.from_dict(data)
    except CalibrationError as exc:
        raise CalibrationError(f"{file}: {exc.message}") from exc
