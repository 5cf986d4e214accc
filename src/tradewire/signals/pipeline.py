"""The alert → signal pipeline: parse, suppress duplicates, publish, store durably.

Publishing happens before the store is awaited, so slow storage never holds up the broadcast;
:meth:`SignalPipeline.submit` returns only after the alert (and its signal) are committed, so
a source that acknowledges after ``submit`` never acknowledges something that could be lost.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import orjson
import structlog

from tradewire.alerts import AlertParser, ParsedAlert, decode_json
from tradewire.alerts.redaction import redact, redact_text
from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock, LiveClock
from tradewire.core.errors import RetryableError, ValidationError
from tradewire.core.events import Alert, AlertProcessed, AlertStatus, Signal, SignalEmitted
from tradewire.core.ids import new_id
from tradewire.signals.dedupe import Deduplicator, identity_key
from tradewire.signals.latency import LatencyTracker, SignalTiming
from tradewire.signals.ports import SignalStore

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What became of an alert, before it is stored."""

    alert: Alert
    status: AlertStatus
    reason: str | None = None
    signal: Signal | None = None
    duplicate_of: str | None = None
    #: A duplicate's original that a storage failure left unsaved: stored with the duplicate.
    retry_signal: Signal | None = None


class SignalPipeline:
    """Turn raw alerts into at most one signal each, published and stored."""

    def __init__(
        self,
        *,
        parser: AlertParser,
        dedupe: Deduplicator,
        bus: MessageBus,
        store: SignalStore,
        latency: LatencyTracker,
        clock: Clock | None = None,
    ) -> None:
        self._parser = parser
        self._dedupe = dedupe
        self._bus = bus
        self._store = store
        self._latency = latency
        self._clock = clock or LiveClock()
        self._pending: dict[str, Signal] = {}

    async def submit(self, alert: Alert, document: object | None = None) -> AlertProcessed:
        """Process one raw alert; raise RetryableError if it could not be stored.

        ``document`` is the already-decoded JSON body, when the caller has it.
        """
        return await self.accept(alert, document)

    def accept(self, alert: Alert, document: object | None = None) -> asyncio.Task[AlertProcessed]:
        """Parse ``alert``, suppress a duplicate and broadcast a new signal before returning;
        return the task that stores the outcome (it raises RetryableError if that fails).

        The broadcast happens without a turn of the event loop, and the storage task starts only
        after the subscribers' senders woken by it, so storage never holds up the broadcast.
        """
        return asyncio.ensure_future(self._finish(self._classify(alert, document)))

    def reject(self, alert: Alert, reason: str) -> asyncio.Task[AlertProcessed]:
        """Store ``alert``, which its source refused before it could be parsed, as rejected
        with ``reason``; return the task that stores it, as :meth:`accept` does."""
        return asyncio.ensure_future(self._finish(_rejected(alert, reason)))

    def _classify(self, alert: Alert, document: object | None) -> _Outcome:
        if "\x00" in alert.body:
            return _rejected(alert, "alert body contains NUL characters")
        try:
            if document is None:
                document = decode_json(alert.body)
        except ValidationError as exc:
            return _rejected(alert, exc.message)
        original_body = alert.body
        # Secrets are masked here, before the alert or its signal is stored, logged or broadcast.
        if document is None:
            alert = replace(alert, body=redact_text(alert.body))
        else:
            alert = replace(alert, body=orjson.dumps(redact(document)).decode())
        try:
            parsed = self._parser.parse(original_body, document)
        except ValidationError as exc:
            return _rejected(alert, exc.message)

        key = identity_key(parsed)
        now = self._clock.now_ns()
        seen = self._dedupe.lookup(key, now)
        if seen is not None:
            unstored = self._pending.get(seen.signal_id)
            return _Outcome(
                alert, AlertStatus.DUPLICATE, duplicate_of=seen.signal_id, retry_signal=unstored
            )

        signal = _make_signal(alert, parsed, key, parsed_ns=now)
        self._dedupe.remember(key, signal.id, now)
        self._bus.publish_nowait(SignalEmitted(signal=signal, ts_event=now, ts_init=now))
        return _Outcome(alert, AlertStatus.ACCEPTED, signal=signal)

    async def _finish(self, outcome: _Outcome) -> AlertProcessed:
        alert, signal = outcome.alert, outcome.signal
        to_store = signal or outcome.retry_signal
        now = self._clock.now_ns()
        processed = AlertProcessed(
            alert=alert,
            status=outcome.status,
            reason=outcome.reason,
            signal=to_store,
            duplicate_of=outcome.duplicate_of,
            ts_event=now,
            ts_init=now,
        )
        try:
            await self._store.save(processed, to_store)
        except Exception as exc:
            if to_store is not None:
                # Keep the signal so a redelivery (TradingView retries 5xx) can store it without
                # broadcasting it a second time.
                self._pending[to_store.id] = to_store
            log.error("alert not stored", alert_id=alert.id, status=outcome.status.value)
            raise RetryableError("storage unavailable, alert not saved", retry_after=1) from exc
        if to_store is not None:
            self._pending.pop(to_store.id, None)
            timing = SignalTiming(
                to_store.id, to_store.ts_event, to_store.ts_parsed, stored_ns=self._clock.now_ns()
            )
            self._latency.stored(timing)
        source = alert.source.value
        if outcome.status is AlertStatus.REJECTED:
            log.info("alert rejected", alert_id=alert.id, source=source, reason=outcome.reason)
        elif outcome.status is AlertStatus.DUPLICATE:
            log.info(
                "duplicate suppressed",
                alert_id=alert.id,
                source=source,
                duplicate_of=outcome.duplicate_of,
            )
        elif signal is not None:
            log.info(
                "signal",
                id=signal.id,
                pair=signal.pair,
                direction=signal.direction.value,
                entry=signal.entry,
                source=source,
                strategy=signal.strategy,
            )
        await self._bus.publish(processed)
        return processed


def _rejected(alert: Alert, reason: str) -> _Outcome:
    """The outcome of a refused alert: its body and the reason (which may quote it) redacted,
    NUL characters escaped as ``\\x00`` (PostgreSQL stores no NUL in text)."""
    body = redact_text(alert.body.replace("\x00", "\\x00"))
    return _Outcome(replace(alert, body=body), AlertStatus.REJECTED, reason=redact_text(reason))


def _make_signal(alert: Alert, parsed: ParsedAlert, key: str, parsed_ns: int) -> Signal:
    return Signal(
        id=new_id(),
        alert_id=alert.id,
        pair=parsed.symbol.pair,
        direction=parsed.direction,
        intent=parsed.intent,
        side=parsed.side,
        raw_text=alert.body,
        format=parsed.format,
        source=alert.source,
        dedupe_key=key,
        entry=parsed.entry,
        entry_levels=parsed.entries,
        take_profit=parsed.take_profit,
        stop_loss=parsed.stop_loss,
        levels_from=parsed.levels_from,
        strategy=parsed.strategy,
        qty=parsed.qty,
        qty_unit=parsed.qty_unit,
        symbol=parsed.symbol.symbol,
        exchange=parsed.symbol.exchange,
        contract=parsed.symbol.contract,
        external_id=parsed.external_id,
        account=alert.account,
        ts_event=alert.ts_event,
        ts_init=parsed_ns,
        ts_parsed=parsed_ns,
    )
