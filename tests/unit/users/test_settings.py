"""User settings: defaults, partial changes checked field by field, exact decimals; the exit
settings (take-profit weights, break-even, trailing stop, reduce percent)."""

from decimal import Decimal

import pytest

from tradewire.core.errors import ValidationError
from tradewire.users.settings import (
    OppositeSignal,
    Subscriptions,
    TrailingStopSetting,
    TrailUnit,
    UserSettings,
)

D = Decimal


def test_defaults_on_the_wire():
    assert UserSettings().to_wire() == {
        "paperTradeEnabled": False,
        "realTradeEnabled": False,
        "subscriptions": {"strategies": [], "symbols": []},
        "riskPercent": "2",
        "maxNotionalPercent": "10",
        "defaultStopPercent": None,
        "oppositeSignal": "close",
        "takeProfitWeights": [],
        "breakEvenAfterFirstTakeProfit": False,
        "trailingStop": None,
        "reducePercent": "50",
    }


def test_a_change_touches_only_the_fields_it_names():
    changed = UserSettings().updated(paper_trade_enabled=True, risk_percent=Decimal("1.25"))
    assert changed == UserSettings(paper_trade_enabled=True, risk_percent=Decimal("1.25"))
    assert changed.updated() == changed


@pytest.mark.parametrize(
    ("field", "given", "shown"),
    [
        ("risk_percent", Decimal("100"), "100"),
        ("risk_percent", Decimal("0.00000001"), "0.00000001"),
        ("risk_percent", "2.50", "2.50"),
        ("risk_percent", 3, "3"),
        ("max_notional_percent", Decimal("1E+3"), "1000"),
        ("default_stop_percent", Decimal("99.5"), "99.5"),
    ],
)
def test_percentages_are_kept_exactly_and_shown_in_plain_notation(field, given, shown):
    settings = UserSettings().updated(**{field: given})
    assert getattr(settings, field) == Decimal(shown)
    wire = {"risk_percent": "riskPercent", "max_notional_percent": "maxNotionalPercent"}
    assert settings.to_wire()[wire.get(field, "defaultStopPercent")] == shown


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"risk_percent": Decimal(0)}, "riskPercent must be more than 0 and at most 100"),
        ({"risk_percent": Decimal("100.01")}, "riskPercent must be more than 0 and at most 100"),
        ({"risk_percent": Decimal("-1")}, "riskPercent must be more than 0"),
        ({"risk_percent": None}, "riskPercent must be a decimal number"),
        ({"risk_percent": True}, "riskPercent must be a decimal number"),
        ({"risk_percent": 1.5}, "riskPercent must be a decimal number"),
        ({"risk_percent": "abc"}, "riskPercent must be a decimal number"),
        ({"risk_percent": Decimal("NaN")}, "riskPercent must be more than 0"),
        ({"risk_percent": Decimal("1.000000001")}, "more than 8 decimal places"),
        ({"max_notional_percent": Decimal(1001)}, "maxNotionalPercent must be more than 0 and"),
        ({"default_stop_percent": Decimal(100)}, "defaultStopPercent must be more than 0 and less"),
        ({"default_stop_percent": "x"}, "defaultStopPercent must be a decimal number or null"),
        ({"paper_trade_enabled": "true"}, "paperTradeEnabled must be true or false"),
        ({"real_trade_enabled": None}, "realTradeEnabled must be true or false"),
        ({"opposite_signal": "flip"}, "oppositeSignal must be one of close, reverse, ignore"),
        ({"colour": "red"}, "unknown settings fields: colour"),
    ],
)
def test_each_bad_value_is_refused_naming_its_field(changes, reason):
    with pytest.raises(ValidationError, match=reason):
        UserSettings().updated(**changes)


def test_the_default_stop_may_be_cleared_and_the_opposite_signal_chosen():
    set_ = UserSettings().updated(default_stop_percent=Decimal("1.5"), opposite_signal="reverse")
    assert set_.opposite_signal is OppositeSignal.REVERSE
    assert set_.updated(default_stop_percent=None).default_stop_percent is None


def test_subscriptions_are_normalised_and_a_list_left_out_is_kept():
    first = UserSettings().updated(
        subscriptions={
            "strategies": [" Trend Rider ", "trend rider", "Scalper"],
            "symbols": ["BINANCE:BTCUSDT.P", "btc/usdt", "NQ1!"],
        }
    )
    assert first.subscriptions == Subscriptions(("Trend Rider", "Scalper"), ("BTC/USDT", "NQ1!"))
    second = first.updated(subscriptions={"symbols": []})
    assert second.subscriptions == Subscriptions(("Trend Rider", "Scalper"), ())


@pytest.mark.parametrize(
    ("subscriptions", "reason"),
    [
        ("BTCUSDT", "subscriptions must be"),
        ({"symbols": "BTCUSDT"}, "subscriptions.symbols must be a list"),
        ({"symbols": [42]}, "subscriptions.symbols: 42 is not a symbol"),
        ({"symbols": ["BTC USDT"]}, "subscriptions.symbols: invalid symbol"),
        ({"strategies": [""]}, "subscriptions.strategies: '' is not a strategy name"),
        ({"strategies": ["x" * 201]}, "is not a strategy name"),
        ({"strategies": None}, "subscriptions.strategies must be a list"),
        ({"exchanges": []}, "subscriptions: unknown fields exchanges"),
        ({"strategies": [f"s{n}" for n in range(101)]}, "at most 100 strategies"),
    ],
)
def test_bad_subscriptions_are_refused(subscriptions, reason):
    with pytest.raises(ValidationError, match=reason):
        UserSettings().updated(subscriptions=subscriptions)


def test_exit_settings_are_kept_exactly_and_shown_as_strings():
    settings = UserSettings().updated(
        take_profit_weights=[50, "30.5", D("1E+1")],
        break_even_after_first_take_profit=True,
        trailing_stop={"distance": " 1.50 ", "unit": "percent"},
        reduce_percent=D("100"),
    )
    assert settings == UserSettings(
        take_profit_weights=(D(50), D("30.5"), D(10)),
        break_even_after_first_take_profit=True,
        trailing_stop=TrailingStopSetting(D("1.50"), TrailUnit.PERCENT),
        reduce_percent=D(100),
    )
    wire = settings.to_wire()
    assert (
        wire["takeProfitWeights"],
        wire["breakEvenAfterFirstTakeProfit"],
        wire["trailingStop"],
        wire["reducePercent"],
    ) == (["50", "30.5", "10"], True, {"distance": "1.50", "unit": "percent"}, "100")


def test_exit_settings_may_be_cleared_and_the_rest_stays():
    set_ = UserSettings().updated(
        take_profit_weights=[D(i + 1) for i in range(10)],
        trailing_stop={"distance": 250, "unit": "ticks"},
        reduce_percent="0.5",
    )
    assert set_.trailing_stop == TrailingStopSetting(D(250), TrailUnit.TICKS)
    cleared = set_.updated(take_profit_weights=[], trailing_stop=None)
    assert (cleared.take_profit_weights, cleared.trailing_stop) == ((), None)
    assert cleared.reduce_percent == D("0.5")
    # Ticks are not percentages: a distance of 100 or more ticks is fine.
    assert UserSettings().updated(trailing_stop={"distance": "1000", "unit": "ticks"})


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"take_profit_weights": "50,50"}, "takeProfitWeights must be a list of positive numbers"),
        ({"take_profit_weights": {"a": 1}}, "takeProfitWeights must be a list"),
        ({"take_profit_weights": None}, "takeProfitWeights must be a list"),
        ({"take_profit_weights": [1] * 11}, "takeProfitWeights has at most 10 weights"),
        ({"take_profit_weights": [50, 0]}, r"takeProfitWeights\[1\] must be more than 0"),
        ({"take_profit_weights": [D(-1)]}, r"takeProfitWeights\[0\] must be more than 0"),
        ({"take_profit_weights": [1.5]}, r"takeProfitWeights\[0\] must be a decimal number"),
        ({"take_profit_weights": [True]}, r"takeProfitWeights\[0\] must be a decimal number"),
        ({"take_profit_weights": ["x"]}, r"takeProfitWeights\[0\] must be a decimal number"),
        ({"take_profit_weights": [D("Infinity")]}, r"takeProfitWeights\[0\] must be more"),
        ({"take_profit_weights": [D("1E+7")]}, r"takeProfitWeights\[0\] .* at most 1000000"),
        ({"take_profit_weights": ["0.000000001"]}, "more than 8 decimal places"),
        ({"break_even_after_first_take_profit": 1}, "breakEvenAfterFirstTakeProfit must be true"),
        ({"break_even_after_first_take_profit": None}, "breakEvenAfterFirstTakeProfit must be"),
        ({"trailing_stop": 1.5}, "trailingStop must be null or"),
        ({"trailing_stop": {"distance": 1}}, "trailingStop must be null or"),
        ({"trailing_stop": {"distance": 1, "unit": "pips"}}, "trailingStop.unit must be one of"),
        (
            {"trailing_stop": {"distance": 1, "unit": "percent", "step": 1}},
            "trailingStop must be null or",
        ),
        (
            {"trailing_stop": {"distance": 100, "unit": "percent"}},
            "trailingStop.distance must be more than 0 and less than 100",
        ),
        ({"trailing_stop": {"distance": 0, "unit": "ticks"}}, "trailingStop.distance must be more"),
        ({"trailing_stop": {"distance": "-2", "unit": "ticks"}}, "trailingStop.distance must be"),
        ({"trailing_stop": {"distance": None, "unit": "ticks"}}, "trailingStop.distance must be a"),
        (
            {"trailing_stop": {"distance": D("1000001"), "unit": "ticks"}},
            "trailingStop.distance must be more than 0 and at most 1000000",
        ),
        ({"reduce_percent": 0}, "reducePercent must be more than 0 and at most 100"),
        ({"reduce_percent": "100.5"}, "reducePercent must be more than 0 and at most 100"),
        ({"reduce_percent": None}, "reducePercent must be a decimal number"),
    ],
)
def test_each_bad_exit_setting_is_refused_naming_its_field(changes, reason):
    with pytest.raises(ValidationError, match=reason):
        UserSettings().updated(**changes)
