"""An in-process async message bus carrying typed events to subscribed handlers.

Handlers run in subscription order; one failing handler is logged and does not stop the others,
so a broken sink can never block the broadcast or the store.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog

from tradewire.core.events import Event

E = TypeVar("E", bound=Event)
Handler = Callable[[Any], Awaitable[None] | None]

log = structlog.get_logger(__name__)


class MessageBus:
    """Route each published event to the handlers subscribed to its type (or a base type)."""

    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = defaultdict(list)
        self._resolved: dict[type[Event], tuple[Handler, ...]] = {}
        self._running: set[asyncio.Future] = set()

    def subscribe(
        self, event_type: type[E], handler: Callable[[E], Awaitable[None] | None]
    ) -> None:
        """Call ``handler`` for every event of ``event_type`` or a subclass of it."""
        self._handlers[event_type].append(handler)
        self._resolved.clear()

    def unsubscribe(self, event_type: type[E], handler: Callable[[E], Any]) -> None:
        """Stop calling ``handler`` for ``event_type``."""
        self._handlers[event_type].remove(handler)
        self._resolved.clear()

    def _handlers_for(self, event_type: type[Event]) -> tuple[Handler, ...]:
        handlers = self._resolved.get(event_type)
        if handlers is None:
            handlers = tuple(h for base in event_type.__mro__ for h in self._handlers.get(base, ()))
            self._resolved[event_type] = handlers
        return handlers

    async def publish(self, event: Event) -> None:
        """Deliver ``event`` to its handlers; sync handlers are called, async ones awaited."""
        for handler in self._handlers_for(type(event)):
            try:
                result = handler(event)
                if result is not None:
                    await result
            except Exception:
                _log_failure(handler, event)

    def publish_nowait(self, event: Event) -> None:
        """Deliver ``event`` without waiting: sync handlers have run when this returns, async
        ones are started as tasks (for the hot path, where one more loop turn is latency)."""
        for handler in self._handlers_for(type(event)):
            try:
                result = handler(event)
            except Exception:
                _log_failure(handler, event)
                continue
            if result is not None:
                running = asyncio.ensure_future(result)
                self._running.add(running)
                running.add_done_callback(lambda done, h=handler: self._settled(done, h, event))

    def _settled(self, done: asyncio.Future, handler: Handler, event: Event) -> None:
        self._running.discard(done)
        if not done.cancelled() and done.exception() is not None:
            _log_failure(handler, event, done.exception())


def _log_failure(handler: Handler, event: Event, error: BaseException | None = None) -> None:
    log.error(
        "bus handler failed",
        handler=getattr(handler, "__qualname__", handler),
        event_type=type(event).__name__,
        exc_info=error or True,
    )
