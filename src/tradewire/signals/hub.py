"""WebSocket hub: fan a signal out to every interested subscriber without letting one slow
subscriber delay the others.

A broadcast writes straight to every idle subscriber whose socket takes the message without
waiting (as ``websockets.broadcast`` does), so no task switch stands between a signal and its
subscribers. Everything else goes through the subscriber's bounded queue, drained by its own
sender task, so a slow subscriber never holds up the others: one whose queue overflows is
dropped and closed with code 1013 (try again later) rather than growing memory without bound.
The hub knows nothing of the web framework: it talks to a :class:`Transport`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import orjson
import structlog

from tradewire.alerts.symbols import normalise_symbol
from tradewire.core.clock import Clock, LiveClock
from tradewire.core.errors import ValidationError
from tradewire.core.events import Signal, SignalEmitted
from tradewire.signals.latency import LatencyTracker, SignalTiming

log = structlog.get_logger(__name__)

#: Give up the CPU for a moment (Unix); a no-op where the platform has no such call.
_yield_cpu = getattr(os, "sched_yield", lambda: None)

CLOSE_SLOW_CONSUMER = 1013
CLOSE_GOING_AWAY = 1001
#: How long a close waits for the connection (and, when flushing, for its queue to drain).
CLOSE_TIMEOUT_S = 5.0


class Transport(Protocol):
    """What the hub needs from a WebSocket connection."""

    async def send_text(self, data: str) -> None: ...

    def send_now(self, data: str) -> bool:
        """Write ``data`` at once if that needs no waiting; return False (nothing sent) if not."""
        ...

    async def close(self, code: int, reason: str) -> None: ...


@dataclass(slots=True)
class Delivery:
    """One broadcast: how many subscribers still have to be sent it."""

    timing: SignalTiming | None
    pending: int = 0


@dataclass(eq=False, slots=True)
class Subscriber:
    """One connected client and what it asked to receive."""

    id: int
    user: str
    role: str
    transport: Transport
    queue: asyncio.Queue[tuple[str, Delivery | None]]
    strategies: frozenset[str] = frozenset()
    symbols: frozenset[str] = frozenset()
    sent: int = 0
    last_sent_ns: int = 0
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    closing: bool = False
    #: The sender task is writing a message (a direct write now would overtake it).
    sending: bool = False

    def wants(self, signal: Signal) -> bool:
        """Empty filters mean everything; otherwise the strategy and the pair must be listed."""
        if self.strategies and (signal.strategy or "").lower() not in self.strategies:
            return False
        return not self.symbols or signal.pair in self.symbols


class SignalHub:
    """Registry of subscribers; receives SignalEmitted from the bus and fans it out."""

    def __init__(
        self,
        latency: LatencyTracker,
        *,
        queue_size: int = 256,
        heartbeat_s: float = 20.0,
        clock: Clock | None = None,
        yield_after_broadcast: bool = False,
    ) -> None:
        self._latency = latency
        self._yield_after_broadcast = yield_after_broadcast
        self._queue_size = queue_size
        self._heartbeat_s = heartbeat_s
        self._clock = clock or LiveClock()
        self._subscribers: dict[int, Subscriber] = {}
        self._ids = itertools.count(1)
        self._heartbeat: asyncio.Task[None] | None = None
        self.dropped_slow = 0
        #: Broadcast messages written straight to an idle subscriber's socket.
        self.written_at_once = 0

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def start(self) -> None:
        self._heartbeat = asyncio.create_task(self._heartbeat_loop(), name="ws-heartbeat")

    async def stop(self) -> None:
        """Stop heartbeats and close every subscriber with 1001 (going away)."""
        if self._heartbeat:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        await asyncio.gather(
            *(
                self.close(s, CLOSE_GOING_AWAY, "server shutting down")
                for s in list(self._subscribers.values())
            ),
            return_exceptions=True,
        )

    def attach(self, transport: Transport, user: str, role: str) -> Subscriber:
        """Register a connection and start its sender task."""
        sub = Subscriber(
            id=next(self._ids),
            user=user,
            role=role,
            transport=transport,
            queue=asyncio.Queue(self._queue_size),
        )
        sub.task = asyncio.create_task(self._sender(sub), name=f"ws-sender-{sub.id}")
        self._subscribers[sub.id] = sub
        return sub

    async def detach(self, sub: Subscriber) -> None:
        """Forget a subscriber whose connection ended."""
        self._discard(sub)
        if sub.task and sub.task is not asyncio.current_task():
            sub.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sub.task

    @staticmethod
    def set_filters(
        sub: Subscriber, strategies: Iterable[object], symbols: Iterable[object]
    ) -> None:
        """Replace a subscriber's filters; symbols are normalised like alert symbols."""
        strategy_set, symbol_set = set(), set()
        for strategy in strategies:
            if not isinstance(strategy, str) or not strategy.strip() or len(strategy) > 200:
                raise ValidationError(f"invalid strategy filter {strategy!r}")
            strategy_set.add(strategy.strip().lower())
        for symbol in symbols:
            if not isinstance(symbol, str):
                raise ValidationError(f"invalid symbol filter {symbol!r}")
            symbol_set.add(normalise_symbol(symbol).pair)
        sub.strategies, sub.symbols = frozenset(strategy_set), frozenset(symbol_set)

    def send_to(self, sub: Subscriber, message: dict[str, object]) -> None:
        """Queue a control message (welcome, error, pong) for one subscriber."""
        self._enqueue(sub, orjson.dumps(message).decode(), None)

    def on_signal(self, event: SignalEmitted) -> None:
        """Bus handler: serialise once, queue for every interested subscriber."""
        signal = event.signal
        now = self._clock.now_ns()
        timing = SignalTiming(signal.id, signal.ts_event, signal.ts_parsed, published_ns=now)
        payload = orjson.dumps(
            {"type": "SIGNAL", "timestamp": now // 1_000_000, "data": signal.to_wire()}
        ).decode()
        targets = [sub for sub in self._subscribers.values() if sub.wants(signal)]
        if not targets:
            self._latency.delivered(timing)
            return
        # Count every target before sending: a delivery settled early must not see the count
        # reach zero while other targets are still to come.
        delivery = Delivery(timing, pending=len(targets))
        written = 0
        for sub in targets:
            if self._write_now(sub, payload):
                written += 1
                self._sent(sub, delivery)
            else:
                self._enqueue(sub, payload, delivery)
        self.written_at_once += written
        if written and self._yield_after_broadcast:
            # Opt-in tuning: a subscriber on this machine that the write woke may be waiting for
            # this CPU; let it read the signal before the rest of the request (storage) runs.
            _yield_cpu()

    @staticmethod
    def _write_now(sub: Subscriber, payload: str) -> bool:
        # Only an idle subscriber: a message still queued or being sent must go first.
        if sub.closing or sub.sending or not sub.queue.empty():
            return False
        try:
            return sub.transport.send_now(payload)
        except Exception:
            # A broken connection must not cut the broadcast short: its sender finds out.
            log.warning("direct write failed", subscriber=sub.id, exc_info=True)
            return False

    def _sent(self, sub: Subscriber, delivery: Delivery | None) -> None:
        sub.sent += 1
        sub.last_sent_ns = self._clock.now_ns()
        self._settle(delivery, sub.last_sent_ns)

    def _enqueue(self, sub: Subscriber, payload: str, delivery: Delivery | None) -> None:
        if sub.closing:
            self._settle(delivery)
            return
        try:
            sub.queue.put_nowait((payload, delivery))
        except asyncio.QueueFull:
            self._settle(delivery)
            queued = sub.queue.qsize()
            # Stop sending at once, not when the close task runs: the broadcasts before then
            # must find the subscriber gone rather than drop (and count) it again.
            sub.closing = True
            self._stop_sending(sub)
            self.dropped_slow += 1
            log.warning("dropping slow subscriber", subscriber=sub.id, user=sub.user, queued=queued)
            asyncio.get_running_loop().create_task(
                self._close_transport(
                    sub, CLOSE_SLOW_CONSUMER, f"slow consumer: {queued} messages not read"
                )
            )

    def _settle(self, delivery: Delivery | None, sent_ns: int = 0) -> None:
        if delivery is None or delivery.timing is None:
            return
        delivery.pending -= 1
        timing = delivery.timing
        if sent_ns:
            if not timing.first_send_ns:
                timing.first_send_ns = sent_ns
            timing.last_send_ns = sent_ns
        if delivery.pending == 0:
            self._latency.delivered(timing)

    async def _sender(self, sub: Subscriber) -> None:
        try:
            while True:
                payload, delivery = await sub.queue.get()
                sub.sending = True
                try:
                    await sub.transport.send_text(payload)
                except BaseException:
                    self._settle(delivery)
                    raise
                finally:
                    sub.sending = False
                    sub.queue.task_done()
                self._sent(sub, delivery)
        except asyncio.CancelledError:
            raise
        except Exception:
            self._discard(sub)

    async def close(self, sub: Subscriber, code: int, reason: str, *, flush: bool = False) -> None:
        """Stop sending to a subscriber and close its connection with ``code`` and ``reason``
        (once: a subscriber closing already is left as it is).

        With ``flush``, what is queued for it already (answers to its own messages, say) is
        sent before the close, for at most ``CLOSE_TIMEOUT_S``; nothing new is queued.
        """
        if sub.closing:
            return
        sub.closing = True
        if flush:
            self._subscribers.pop(sub.id, None)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sub.queue.join(), CLOSE_TIMEOUT_S)
        self._stop_sending(sub)
        await self._close_transport(sub, code, reason)

    def _stop_sending(self, sub: Subscriber) -> None:
        """Forget a closing subscriber, settle what is queued for it and cancel its sender."""
        self._discard(sub)
        if sub.task:
            sub.task.cancel()

    @staticmethod
    async def _close_transport(sub: Subscriber, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(sub.transport.close(code, reason), CLOSE_TIMEOUT_S)

    def _discard(self, sub: Subscriber) -> None:
        self._subscribers.pop(sub.id, None)
        while not sub.queue.empty():
            _payload, delivery = sub.queue.get_nowait()
            sub.queue.task_done()
            self._settle(delivery)

    async def _heartbeat_loop(self) -> None:
        # Only idle subscribers need a heartbeat: one that just received a message knows the
        # link is alive, and skipping it keeps heartbeats from competing with live signals.
        period_ns = int(self._heartbeat_s * 1e9)
        while True:
            await asyncio.sleep(self._heartbeat_s / 2)
            now = self._clock.now_ns()
            idle = [s for s in self._subscribers.values() if now - s.last_sent_ns >= period_ns]
            if not idle:
                continue
            message = orjson.dumps(
                {
                    "type": "HEARTBEAT",
                    "timestamp": now // 1_000_000,
                    "subscribers": len(self._subscribers),
                }
            ).decode()
            for sub in idle:
                self._enqueue(sub, message, None)
