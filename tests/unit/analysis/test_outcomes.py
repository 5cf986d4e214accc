"""Target-before-stop labels: hand-made bars, and the vectorised labeller against the scalar one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewire.analysis.outcomes import first_touch, label_first_touch

# A long from 100 with its stop at 95 and its target at 110; bar 0 is the decision bar.
HIGH = [101.0, 102.0, 104.0, 111.0, 103.0]
LOW = [99.0, 98.0, 101.0, 105.0, 94.0]


def long_trade(high: list[float], low: list[float], horizon: int = 10) -> bool | None:
    return first_touch(high, low, start=1, stop=95.0, target=110.0, horizon=horizon)


def test_target_touched_first_is_a_win() -> None:
    assert long_trade(HIGH, LOW) is True


def test_stop_touched_first_is_a_loss() -> None:
    high = [101.0, 102.0, 99.0, 111.0]
    low = [99.0, 97.0, 95.0, 105.0]  # bar 2's low reaches the stop exactly
    assert long_trade(high, low) is False


def test_one_bar_touching_both_counts_as_the_stop() -> None:
    high = [101.0, 102.0, 112.0]
    low = [99.0, 98.0, 94.0]
    assert long_trade(high, low) is False


def test_a_gap_through_the_stop_counts_as_the_stop() -> None:
    # Bar 2 opens and trades wholly below the stop: its range contains neither level.
    high = [101.0, 102.0, 90.0, 111.0]
    low = [99.0, 98.0, 88.0, 100.0]
    assert long_trade(high, low) is False
    assert label_first_touch(high, low, [1], [95.0], [110.0], horizon=10)[0] == 0.0


def test_a_gap_through_the_target_counts_as_the_target() -> None:
    high = [101.0, 102.0, 118.0]
    low = [99.0, 98.0, 115.0]
    assert long_trade(high, low) is True


def test_neither_within_the_horizon_is_unresolved() -> None:
    # The target comes on bar 3, one bar after a two-bar horizon from bar 1 ends.
    assert long_trade(HIGH, LOW, horizon=2) is None
    assert long_trade(HIGH, LOW, horizon=3) is True


def test_data_ending_before_either_is_unresolved() -> None:
    assert long_trade(HIGH[:3], LOW[:3], horizon=60) is None
    assert first_touch(HIGH, LOW, start=9, stop=95.0, target=110.0, horizon=5) is None


def test_the_decision_bar_itself_is_not_looked_at() -> None:
    # Bar 0 touches the target, but a decision on its close starts at bar 1.
    high = [120.0, 102.0, 103.0]
    low = [99.0, 98.0, 100.0]
    assert long_trade(high, low) is None


def test_short_side_mirrors_the_long() -> None:
    # A short from 100, stop 105 above, target 90 below.
    high = [101.0, 102.0, 101.0, 99.0]
    low = [99.0, 96.0, 93.0, 89.0]
    assert first_touch(high, low, start=1, stop=105.0, target=90.0, horizon=5, long=False) is True
    high_stop = [101.0, 102.0, 106.0, 99.0]
    assert (
        first_touch(high_stop, low, start=1, stop=105.0, target=90.0, horizon=5, long=False)
        is False
    )
    both = [101.0, 106.0]
    assert (
        first_touch(both, [99.0, 88.0], start=1, stop=105.0, target=90.0, horizon=5, long=False)
        is False
    )


def test_labeller_gives_floats_with_nan_for_unresolved() -> None:
    labels = label_first_touch(
        HIGH, LOW, np.array([1, 1, 4, 5]), [95.0, 95.0, 95.0, 95.0], [110.0] * 4, horizon=10
    )
    # start 1: target on bar 3; start 4: stop on bar 4; start 5: no bars left.
    assert labels[0] == 1.0 and labels[1] == 1.0 and labels[2] == 0.0
    assert math.isnan(labels[3])
    assert label_first_touch(HIGH, LOW, np.array([], dtype=int), [], [], horizon=5).shape == (0,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stop": 110.0, "target": 95.0}, "stop must be below its target"),
        ({"stop": 95.0, "target": 110.0, "long": False}, "stop must be above its target"),
        ({"stop": math.nan, "target": 110.0}, "finite"),
        ({"stop": 95.0, "target": 110.0, "horizon": 0}, "horizon"),
        ({"stop": 95.0, "target": 110.0, "start": -1}, "start"),
    ],
)
def test_bad_trades_are_refused_with_a_reason(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"start": 1, "horizon": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        first_touch(HIGH, LOW, **args)  # type: ignore[arg-type]


def test_labeller_refuses_mismatched_or_fractional_inputs() -> None:
    with pytest.raises(ValueError, match="one length"):
        label_first_touch(HIGH, LOW, np.array([1, 2]), [95.0], [110.0], horizon=5)
    with pytest.raises(ValueError, match="integer"):
        label_first_touch(HIGH, LOW, np.array([1.5]), [95.0], [110.0], horizon=5)
    with pytest.raises(ValueError, match="high and low"):
        label_first_touch(HIGH, LOW[:-1], np.array([1]), [95.0], [110.0], horizon=5)


@st.composite
def random_trades(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, dict[str, object]]:
    """Random-walk bars (wide ones often touch both levels) and trades on either side."""
    seed = draw(st.integers(0, 2**32 - 1))
    bars = draw(st.integers(1, 80))
    decisions = draw(st.integers(1, 40))
    long = draw(st.booleans())
    rng = np.random.default_rng(seed)
    close = 100.0 + np.cumsum(rng.normal(0.0, 1.0, bars))
    high = close + rng.exponential(1.0, bars)
    low = close - rng.exponential(1.0, bars)
    starts = rng.integers(0, bars + 5, decisions)
    entry = close[np.minimum(starts, bars - 1)]
    below = entry - rng.uniform(0.5, 4.0, decisions)
    above = entry + rng.uniform(0.5, 4.0, decisions)
    trades = {
        "starts": starts,
        "stops": below if long else above,
        "targets": above if long else below,
        "horizon": draw(st.integers(1, 30)),
        "long": long,
    }
    return high, low, trades


@settings(max_examples=200, deadline=None)
@given(random_trades())
def test_vectorised_labeller_equals_the_scalar_one(
    case: tuple[np.ndarray, np.ndarray, dict[str, object]],
) -> None:
    high, low, t = case
    labels = label_first_touch(
        high, low, t["starts"], t["stops"], t["targets"], horizon=t["horizon"], long=t["long"]
    )
    expected = [
        first_touch(
            high, low, start=int(s), stop=float(sp), target=float(tg),
            horizon=t["horizon"], long=t["long"],
        )
        for s, sp, tg in zip(t["starts"], t["stops"], t["targets"], strict=True)
    ]  # fmt: skip
    assert [None if math.isnan(v) else v == 1.0 for v in labels] == expected
