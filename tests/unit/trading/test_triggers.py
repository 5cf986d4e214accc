"""The trigger index: what a move fires, trailing stops, and agreement with a plain scan."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewire.trading.triggers import Cross, Trail, TriggerIndex

D = Decimal
TICK = D("0.25")


def index_with(*triggers: tuple[str, str, Cross]) -> TriggerIndex[str]:
    index: TriggerIndex[str] = TriggerIndex()
    for key, level, cross in triggers:
        index.add(key, "NQZ5", D(level), cross)
    return index


def test_a_tick_fires_up_triggers_at_or_below_it_and_down_triggers_at_or_above_it():
    index = index_with(
        ("tp-long", "20010", Cross.UP),
        ("stop-short", "20020", Cross.UP),
        ("stop-long", "19990", Cross.DOWN),
        ("tp-short", "19980", Cross.DOWN),
    )
    assert index.crossed("NQZ5", D("20005"), D("20005")) == []
    hits = index.crossed("NQZ5", D("20010"), D("20010"))
    assert [(h.key, h.level) for h in hits] == [("tp-long", D("20010"))]
    assert "tp-long" not in index and len(index) == 3
    assert index.crossed("ESZ5", D(0), D(99999)) == []  # another symbol's book


def test_a_gap_fires_everything_it_jumped_over_and_a_range_fires_both_sides():
    index = index_with(
        ("a", "100", Cross.UP),
        ("b", "101", Cross.UP),
        ("c", "105", Cross.UP),
        ("s", "95", Cross.DOWN),
    )
    assert {h.key for h in index.crossed("NQZ5", D("102"), D("102"))} == {"a", "b"}
    index.add("a", "NQZ5", D("100"), Cross.UP)
    # A bar from 94 to 106 crosses the stop below and both targets above.
    assert {h.key for h in index.crossed("NQZ5", D("94"), D("106"))} == {"a", "c", "s"}
    assert len(index) == 0


def test_equal_levels_and_remove_and_move():
    index = index_with(("a", "100", Cross.DOWN), ("b", "100", Cross.DOWN), ("c", "90", Cross.DOWN))
    assert index.remove("a") and not index.remove("a")
    index.move("c", D("101"))
    assert index.level("c") == D("101")
    assert [h.key for h in index.crossed("NQZ5", D("100.5"), D("100.5"))] == ["c"]
    assert [h.key for h in index.crossed("NQZ5", D("100"), D("100"))] == ["b"]
    index.add("b", "NQZ5", D(1), Cross.UP)
    with pytest.raises(ValueError, match="exists already"):
        index.add("b", "NQZ5", D(1), Cross.UP)


def test_a_trailing_stop_follows_new_extremes_only_and_never_backs_off():
    index: TriggerIndex[str] = TriggerIndex()
    ticks = Trail(distance=D(10), percent=False, tick=TICK)  # 10 points
    percent = Trail(distance=D(1), percent=True, tick=TICK)  # 1%
    index.add("long", "NQZ5", D(19990), Cross.DOWN, trail=ticks, watermark=D(20000))
    index.add("short", "NQZ5", D(20200), Cross.UP, trail=percent, watermark=D(20000))
    # 20,005: a new high for the long (stop 19,995), no new low for the short.
    assert index.ratchet("NQZ5", D(20005)) == [("long", D(19995))]
    # Back to 20,001: nothing moves, for either.
    assert index.ratchet("NQZ5", D(20001)) == []
    # 19,900: a new low for the short: 1% above is 20,099 (on the 0.25 grid, rounded down).
    assert index.ratchet("NQZ5", D(19900)) == [("short", D(20099))]
    # 20,050: the long's stop rises to 20,040.
    assert index.ratchet("NQZ5", D(20050)) == [("long", D(20040))]
    assert [h.key for h in index.crossed("NQZ5", D(20040), D(20040))] == ["long"]
    assert index.ratchet("NQZ5", D(30000)) == []  # a fired stop trails no more


def test_a_trailing_stop_that_would_loosen_stays_where_it_is():
    index: TriggerIndex[str] = TriggerIndex()
    trail = Trail(distance=D(50), percent=False, tick=TICK)
    index.add("long", "NQZ5", D(19990), Cross.DOWN, trail=trail, watermark=D(20000))
    assert index.ratchet("NQZ5", D(20030)) == []  # 20,030 − 50 = 19,980 is below 19,990
    assert index.level("long") == D(19990)


# --- the index agrees with scanning every trigger --------------------------------------------

levels = st.integers(min_value=0, max_value=40).map(lambda n: D(19990) + n * TICK)
op = st.one_of(
    st.tuples(
        st.just("add"), st.integers(0, 15), levels, st.sampled_from(list(Cross)), st.booleans()
    ),
    st.tuples(st.just("remove"), st.integers(0, 15)),
    st.tuples(st.just("move"), st.integers(0, 15), levels),
    st.tuples(st.just("cross"), levels, levels),
    st.tuples(st.just("ratchet"), levels),
)


@settings(max_examples=300)
@given(st.lists(op, max_size=60))
def test_the_index_fires_and_trails_exactly_what_a_full_scan_would(ops):
    trail = Trail(distance=D(2), percent=False, tick=TICK)
    index: TriggerIndex[int] = TriggerIndex()
    # The scan: key -> [level, cross, watermark or None]
    scan: dict[int, list] = {}
    for o in ops:
        if o[0] == "add" and o[1] not in scan:
            _, key, level, cross, trailing = o
            scan[key] = [level, cross, level if trailing else None]
            index.add(
                key,
                "NQZ5",
                level,
                cross,
                trail=trail if trailing else None,
                watermark=level if trailing else None,
            )
        elif o[0] == "remove":
            assert index.remove(o[1]) == (scan.pop(o[1], None) is not None)
        elif o[0] == "move" and o[1] in scan:
            scan[o[1]][0] = o[2]
            index.move(o[1], o[2])
        elif o[0] == "cross":
            low, high = min(o[1], o[2]), max(o[1], o[2])
            expected = {
                k
                for k, (level, cross, _) in scan.items()
                if (level <= high if cross is Cross.UP else level >= low)
            }
            assert {h.key for h in index.crossed("NQZ5", low, high)} == expected
            for k in expected:
                del scan[k]
        elif o[0] == "ratchet":
            price, moved = o[1], {}
            for k, entry in scan.items():
                level, cross, mark = entry
                if mark is None:
                    continue
                if cross is Cross.DOWN and price > mark:
                    entry[2], new = price, trail.level(price, cross)
                    if new > level:
                        entry[0] = moved[k] = new
                elif cross is Cross.UP and price < mark:
                    entry[2], new = price, trail.level(price, cross)
                    if new < level:
                        entry[0] = moved[k] = new
            assert dict(index.ratchet("NQZ5", price)) == moved
    assert len(index) == len(scan)
    for k, (level, _, _) in scan.items():
        assert index.level(k) == level
