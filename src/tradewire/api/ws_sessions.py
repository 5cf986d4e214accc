"""Open WebSocket connections by user, so that disabling a user closes its connections at once
(its tokens are refused from then on, but a connection checked its token only when it opened)."""

from __future__ import annotations

import asyncio

from tradewire.signals.hub import SignalHub, Subscriber
from tradewire.users.model import UserDisabled

#: Policy violation, as for a refused token.
CLOSE_DISABLED = 1008


class UserConnections:
    """Which subscribers each user has connected."""

    def __init__(self, hub: SignalHub) -> None:
        self._hub = hub
        self._by_user: dict[str, set[Subscriber]] = {}

    def add(self, sub: Subscriber) -> None:
        self._by_user.setdefault(sub.user, set()).add(sub)

    def remove(self, sub: Subscriber) -> None:
        subs = self._by_user.get(sub.user)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._by_user[sub.user]

    def of(self, user: str) -> tuple[Subscriber, ...]:
        """The user's open connections (none: an empty tuple)."""
        return tuple(self._by_user.get(user, ()))

    async def on_user_disabled(self, event: UserDisabled) -> None:
        """Bus handler: close every connection of the disabled user with 1008."""
        subs = self._by_user.pop(event.user, set())
        await asyncio.gather(
            *(self._hub.close(sub, CLOSE_DISABLED, "user disabled") for sub in subs)
        )
