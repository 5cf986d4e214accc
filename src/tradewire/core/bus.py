"""An in-process async message bus: commands to their one handler, events to all of theirs.

A **command** (store this tape batch, place this order) has exactly one handler. The sender
awaits :meth:`MessageBus.execute` and gets the handler's result, or its exception: a failure
that matters (storage down, an order refused) always reaches whoever can retry or report it.

An **event** (a signal was accepted, prints were stored) has any number of handlers, run in
subscription order. One failing handler is logged and does not stop the others, so a broken
sink can never block the broadcast or the store; an event's sender has nothing to undo.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog

from tradewire.core.errors import RetryableError
from tradewire.core.events import Command, Event

E = TypeVar("E", bound=Event)
C = TypeVar("C", bound=Command)
R = TypeVar("R")
Handler = Callable[[Any], Awaitable[None] | None]

log = structlog.get_logger(__name__)


class NoHandlerError(RetryableError):
    """A command was sent that nothing handles now (its service is stopped or not yet started)."""


class MessageBus:
    """Route commands to their handler and events to the handlers of their type (or a base)."""

    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = defaultdict(list)
        self._resolved: dict[type[Event], tuple[Handler, ...]] = {}
        self._commands: dict[type[Command], Callable[[Any], Awaitable[Any]]] = {}
        self._running: set[asyncio.Future] = set()

    # --- commands ----------------------------------------------------------------------------

    def handle(self, command_type: type[C], handler: Callable[[C], Awaitable[R]]) -> None:
        """Make ``handler`` the one handler of ``command_type``; a second one is an error."""
        if command_type in self._commands:
            raise ValueError(f"{command_type.__name__} already has a handler")
        self._commands[command_type] = handler

    def unhandle(self, command_type: type[Command]) -> None:
        """Stop handling ``command_type``: sending one then raises :class:`NoHandlerError`."""
        self._commands.pop(command_type, None)

    async def execute(self, command: Command) -> Any:
        """Run ``command``'s handler and return its result; its exception reaches the caller."""
        handler = self._commands.get(type(command))
        if handler is None:
            raise NoHandlerError(f"nothing handles {type(command).__name__} now", retry_after=1)
        return await handler(command)

    # --- events ------------------------------------------------------------------------------

    def subscribe(
        self, event_type: type[E], handler: Callable[[E], Awaitable[None] | None]
    ) -> None:
        """Call ``handler`` for every event of ``event_type`` or a subclass of it."""
        self._handlers[_event_type(event_type)].append(handler)
        self._resolved.clear()

    def unsubscribe(self, event_type: type[E], handler: Callable[[E], Any]) -> None:
        """Stop calling ``handler`` for ``event_type``."""
        self._handlers[event_type].remove(handler)
        self._resolved.clear()

    def _handlers_for(self, event_type: type[Event]) -> tuple[Handler, ...]:
        handlers = self._resolved.get(event_type)
        if handlers is None:
            _event_type(event_type)
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


def _event_type(message_type: type) -> type:
    """Refuse a command where an event belongs: its failures would be logged, not returned."""
    if issubclass(message_type, Command):
        raise TypeError(f"{message_type.__name__} is a command: execute it, do not publish it")
    return message_type


def _log_failure(handler: Handler, event: Event, error: BaseException | None = None) -> None:
    log.error(
        "bus handler failed",
        handler=getattr(handler, "__qualname__", handler),
        event_type=type(event).__name__,
        exc_info=error or True,
    )
