"""Who trades a signal on paper: the users who opted in, with what they follow and how they size.

Kept in memory (loaded once, then changed by settings events) so that fanning a signal out to
a thousand users costs a pass over a dict, not a query per user.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradewire.core.events import Signal
from tradewire.trading.account import AccountSettings, TrailingStop
from tradewire.users.settings import UserSettings


@dataclass(frozen=True, slots=True)
class Follower:
    """One opted-in user: its account settings and its filters (empty: everything)."""

    account: str
    settings: AccountSettings
    #: Strategy names, lower case (a signal's strategy is compared case-insensitively).
    strategies: frozenset[str]
    #: Pairs as signals carry them (the user's settings store them normalised).
    symbols: frozenset[str]

    def follows(self, signal: Signal) -> bool:
        """Whether ``signal``'s strategy and pair are among those this user follows."""
        if self.strategies and (signal.strategy or "").lower() not in self.strategies:
            return False
        return not self.symbols or signal.pair in self.symbols


def account_settings(settings: UserSettings) -> AccountSettings:
    """The trading core's settings for a user's own."""
    trailing = settings.trailing_stop
    return AccountSettings(
        risk_percent=settings.risk_percent,
        max_notional_percent=settings.max_notional_percent,
        default_stop_percent=settings.default_stop_percent,
        opposite_signal=settings.opposite_signal,
        take_profit_weights=settings.take_profit_weights,
        break_even_after_first_take_profit=settings.break_even_after_first_take_profit,
        trailing_stop=(
            None
            if trailing is None
            else TrailingStop(distance=trailing.distance, unit=trailing.unit)
        ),
        reduce_percent=settings.reduce_percent,
    )


class Followers:
    """The users whose settings say to trade signals on paper."""

    def __init__(self) -> None:
        self._by_name: dict[str, Follower] = {}

    def __len__(self) -> int:
        return len(self._by_name)

    def set(self, name: str, settings: UserSettings) -> None:
        """Take a user's current settings: follow its signals if it opted in, else stop."""
        if not settings.paper_trade_enabled:
            self._by_name.pop(name, None)
            return
        subscriptions = settings.subscriptions
        self._by_name[name] = Follower(
            account=name,
            settings=account_settings(settings),
            strategies=frozenset(s.lower() for s in subscriptions.strategies),
            symbols=frozenset(subscriptions.symbols),
        )

    def of(self, signal: Signal) -> list[Follower]:
        """The followers ``signal`` is for."""
        return [f for f in self._by_name.values() if f.follows(signal)]
