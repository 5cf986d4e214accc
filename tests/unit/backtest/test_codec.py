"""A backtest result survives the trip to JSON and back exactly."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.backtest.results import result, trade
from tradewire.backtest.codec import from_dict, to_dict
from tradewire.backtest.model import TradeRecord
from tradewire.core.errors import ValidationError
from tradewire.core.events import Side


def through_json(value):
    return from_dict(orjson.loads(orjson.dumps(to_dict(value))))


def test_a_result_round_trips_through_json_text():
    original = result(trades=(trade("50.5", score=71.5, reached_target=True), trade("-3.10")))
    assert through_json(original) == original


def test_money_is_written_as_exact_strings():
    data = to_dict(result())
    assert data["equity"][1] == "10050.5"
    assert data["trades"][1]["pnl"] == "-60.25"
    assert data["metrics"]["net_pnl"] == "80.125"
    assert data["settings"]["fee_bps"] == "2.5"


def test_decimal_parameters_read_back_as_decimals():
    original = result()
    settings = dataclasses.replace(
        original.settings, params={"risk": Decimal("0.010"), "levels": [Decimal("1.5"), 2]}
    )
    back = through_json(dataclasses.replace(original, settings=settings))
    assert back.settings.params == {"risk": Decimal("0.010"), "levels": [Decimal("1.5"), 2]}
    assert str(back.settings.params["risk"]) == "0.010"


def test_a_parameter_that_is_not_a_json_value_is_refused():
    original = result()
    settings = dataclasses.replace(original.settings, params={"when": object()})
    with pytest.raises(ValidationError, match="parameter 'when'"):
        to_dict(dataclasses.replace(original, settings=settings))


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("metrics"),
        lambda d: d["equity"].pop(),
        lambda d: d.update(version=99),
        lambda d: d["trades"][0].update(pnl="NaN"),
        lambda d: d["trades"][0].update(side="sideways"),
        lambda d: d.update(bars="5"),
    ],
)
def test_a_damaged_result_is_a_validation_error(damage):
    data = to_dict(result())
    damage(data)
    with pytest.raises(ValidationError, match="not a stored backtest result"):
        from_dict(data)


money = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: d.is_finite()
)
ratio = st.none() | st.floats(allow_nan=False, allow_infinity=False)

trades = st.builds(
    TradeRecord,
    symbol=st.text(min_size=1, max_size=12),
    side=st.sampled_from(Side),
    qty=money,
    entry_bar=st.integers(0, 10**6),
    entry_ts=st.integers(0, 2**62),
    entry_price=money,
    exit_bar=st.integers(0, 10**6),
    exit_ts=st.integers(0, 2**62),
    exit_price=money,
    pnl=money,
    fees=money,
    exit_reason=st.text(max_size=20),
    score=ratio,
    reached_target=st.none() | st.booleans(),
)


@given(trades=st.lists(trades, max_size=4), equity=st.lists(money, max_size=6), sharpe=ratio)
def test_any_trades_and_equity_round_trip(trades, equity, sharpe):
    original = result()
    original = dataclasses.replace(
        original,
        trades=tuple(trades),
        equity=tuple(equity),
        equity_ts=tuple(range(len(equity))),
        metrics=dataclasses.replace(original.metrics, sharpe=sharpe),
    )
    back = through_json(original)
    assert back == original
    # Equal Decimals may differ in their digits (1.0 and 1.00): the digits come back too.
    assert list(map(str, back.equity)) == list(map(str, equity))
    assert [str(t.pnl) for t in back.trades] == [str(t.pnl) for t in trades]
