"""A user's settings become its account's: every sizing and exit setting, one enum for the
opposite-signal rule, and the trailing stop in the trading core's own type."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.trading.desk import make_signal
from tradewire.trading import account
from tradewire.trading.account import AccountSettings, TrailingStop
from tradewire.trading.followers import Followers, account_settings
from tradewire.users import settings as user_settings
from tradewire.users.settings import UserSettings

D = Decimal


def test_defaults_map_to_the_account_defaults():
    assert account_settings(UserSettings()) == AccountSettings()


def test_every_setting_reaches_the_account():
    settings = UserSettings().updated(
        risk_percent="1",
        max_notional_percent="50",
        default_stop_percent="2",
        opposite_signal="reverse",
        take_profit_weights=[75, 25],
        break_even_after_first_take_profit=True,
        trailing_stop={"distance": "12", "unit": "ticks"},
        reduce_percent="25",
    )
    assert account_settings(settings) == AccountSettings(
        risk_percent=D(1),
        max_notional_percent=D(50),
        default_stop_percent=D(2),
        opposite_signal=account.OppositeSignal.REVERSE,
        take_profit_weights=(D(75), D(25)),
        break_even_after_first_take_profit=True,
        trailing_stop=TrailingStop(distance=D(12), unit=account.TrailUnit.TICKS),
        reduce_percent=D(25),
    )
    assert account_settings(settings).weights(2) == (D(75), D(25))
    assert account_settings(settings).weights(3) == (D(1),) * 3  # a count that does not match


def test_one_enum_each_for_the_opposite_signal_rule_and_the_trail_unit():
    assert account.OppositeSignal is user_settings.OppositeSignal
    assert account.TrailUnit is user_settings.TrailUnit


def test_followers_take_the_exit_settings_and_drop_users_who_opt_out():
    followers = Followers()
    on = UserSettings(paper_trade_enabled=True).updated(
        trailing_stop={"distance": 1, "unit": "percent"}
    )
    followers.set("alice", on)
    assert len(followers) == 1
    (alice,) = followers.of(make_signal())
    assert alice.settings.trailing_stop == TrailingStop(distance=D(1))
    followers.set("alice", on.updated(paper_trade_enabled=False))
    assert len(followers) == 0
