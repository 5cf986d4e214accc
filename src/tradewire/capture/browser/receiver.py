"""Turn what in-page scripts send into tradewire events: tape payloads, alerts, OCR reads.

Framework-free: the session hands in the raw JSON text and a screenshot function, so the same
receiver serves any browser driver.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Protocol

import orjson
import structlog
from pydantic import ValidationError as SchemaError

from tradewire.capture.browser.messages import (
    PAGE_MESSAGE,
    AlertMessage,
    Hello,
    OcrRequest,
    Rect,
    TapeMessage,
    Watermark,
)
from tradewire.capture.ocr import TesseractOcr, alert_message
from tradewire.core.clock import Clock, LiveClock
from tradewire.core.errors import RetryableError, TradewireError
from tradewire.core.events import Alert, AlertProcessed, AlertSource, AlertStatus
from tradewire.core.ids import new_id

log = structlog.get_logger(__name__)

CONSOLE_PREFIX = "[SCRAPER_DATA] "
_PLAUSIBLE_NS = 86_400 * 10**9
Screenshot = Callable[[Rect], Awaitable[bytes]]


class TapeSink(Protocol):
    """Port: where scraped tape payloads (the seed's JSON shape) go.

    Return once the payload's new prints are durable. Raise RetryableError when nothing could be
    stored now (the page keeps the payload and offers it again), RejectError when the payload
    itself is unreadable. Offering a payload again never stores a print twice.
    """

    async def __call__(
        self, payload: dict[str, object], *, account: str, source: str, received_ns: int
    ) -> None: ...


class AlertSubmitter(Protocol):
    """Port: the alert pipeline (parse, dedupe, publish, store)."""

    async def submit(self, alert: Alert) -> AlertProcessed: ...


@dataclass
class ReceiverStats:
    """Counters for the capture status."""

    tape_batches: int = 0
    prints: int = 0
    console_batches: int = 0
    alerts: int = 0
    signals: int = 0
    duplicates: int = 0
    rejected: int = 0
    ocr_reads: int = 0
    ocr_low_confidence: int = 0
    invalid_messages: int = 0
    last_error: str | None = None


class PageReceiver:
    """Handle one account's page messages."""

    def __init__(
        self,
        account: str,
        *,
        tape_sink: TapeSink,
        alerts: AlertSubmitter,
        ocr: TesseractOcr | None = None,
        min_ocr_confidence: float = 60.0,
        clock: Clock | None = None,
    ) -> None:
        self.account = account
        self.stats = ReceiverStats()
        self._tape_sink = tape_sink
        self._alerts = alerts
        self._ocr = ocr
        self._min_confidence = min_ocr_confidence
        self._clock = clock or LiveClock()
        # What this session already received, per symbol: a reloaded page starts from here.
        self._watermarks: dict[str, Watermark] = {}

    async def on_message(self, raw: str, screenshot: Screenshot) -> str:
        """Handle one message; return the JSON reply the page's promise resolves with."""
        received_ns = self._clock.now_ns()
        try:
            message = PAGE_MESSAGE.validate_json(raw)
        except SchemaError as exc:
            return self._invalid(f"malformed page message: {exc.errors()[0]['msg']}")
        try:
            if isinstance(message, Hello):
                marks = {s: w.model_dump() for s, w in self._watermarks.items()}
                return orjson.dumps({"watermarks": marks}).decode()
            if isinstance(message, TapeMessage):
                await self._tape(message, received_ns)
            elif isinstance(message, AlertMessage):
                source = AlertSource.POPUP if message.source == "popup" else AlertSource.ALERT_LOG
                await self._submit(message.message, source, message.detected_at, received_ns)
            elif isinstance(message, OcrRequest):
                await self._read_region(message, screenshot, received_ns)
        except TradewireError as exc:
            # A retryable failure leaves the message with the page, which offers it again with
            # its next change; anything else would fail again and is dropped with its reason.
            retry = isinstance(exc, RetryableError)
            self.stats.last_error = exc.message
            log.warning("page message not handled", account=self.account, reason=exc.message)
            return orjson.dumps({"ok": False, "retry": retry, "error": exc.message}).decode()
        return '{"ok":true}'

    async def on_console(self, text: str) -> bool:
        """Feed a ``[SCRAPER_DATA] {json}`` console line into the tape path; False if not one."""
        if not text.startswith(CONSOLE_PREFIX):
            return False
        received_ns = self._clock.now_ns()
        try:
            payload = orjson.loads(text[len(CONSOLE_PREFIX) :])
        except orjson.JSONDecodeError:
            self._invalid("console [SCRAPER_DATA] line is not JSON")
            return True
        if not isinstance(payload, dict):
            self._invalid("console [SCRAPER_DATA] payload is not an object")
            return True
        try:
            await self._tape_sink(
                payload, account=self.account, source="console", received_ns=received_ns
            )
        except TradewireError as exc:
            self._invalid(exc.message)
            return True
        self.stats.console_batches += 1
        return True

    def snapshot(self) -> dict[str, object]:
        """The counters as plain values."""
        return asdict(self.stats)

    async def _tape(self, message: TapeMessage, received_ns: int) -> None:
        # Recorded before the first await: a reloaded page's hello is handled after this.
        previous = self._watermarks.get(message.symbol)
        if previous is None or message.watermark.t >= previous.t:
            self._watermarks[message.symbol] = message.watermark
        try:
            await self._tape_sink(
                message.data, account=self.account, source="cdp", received_ns=received_ns
            )
        except TradewireError:
            if previous is not None:
                self._watermarks[message.symbol] = previous
            else:
                self._watermarks.pop(message.symbol, None)
            raise
        self.stats.tape_batches += 1
        trades = message.data.get("trades")
        self.stats.prints += len(trades) if isinstance(trades, list) else 0

    async def _submit(
        self,
        text: str,
        source: AlertSource,
        detected_ms: float,
        received_ns: int,
        confidence: float | None = None,
    ) -> None:
        detected_ns = int(detected_ms * 1_000_000)
        if abs(detected_ns - received_ns) > _PLAUSIBLE_NS:
            detected_ns = received_ns  # the page's clock is off; its time cannot be trusted
        alert = Alert(
            id=new_id(),
            source=source,
            body=text,
            content_type="text/plain",
            account=self.account,
            ocr_confidence=confidence,
            ts_event=detected_ns,
            ts_init=received_ns,
        )
        processed = await self._alerts.submit(alert)
        self.stats.alerts += 1
        if processed.status is AlertStatus.ACCEPTED:
            self.stats.signals += 1
        elif processed.status is AlertStatus.DUPLICATE:
            self.stats.duplicates += 1
        else:
            self.stats.rejected += 1

    async def _read_region(
        self, message: OcrRequest, screenshot: Screenshot, received_ns: int
    ) -> None:
        if self._ocr is None:
            raise RetryableError("OCR is not configured for this session")
        result = await self._ocr.read(await screenshot(message.rect))
        self.stats.ocr_reads += 1
        line = alert_message(result)
        if line is None or line.confidence < self._min_confidence:
            # A misread price is worse than a missed pop-up: the alert log is the backup.
            self.stats.ocr_low_confidence += 1
            log.warning(
                "OCR result below the confidence threshold, not submitted",
                account=self.account,
                confidence=line.confidence if line else None,
                threshold=self._min_confidence,
            )
            return
        await self._submit(
            line.text, AlertSource.OCR, message.detected_at, received_ns, line.confidence
        )

    def _invalid(self, reason: str) -> str:
        self.stats.invalid_messages += 1
        self.stats.last_error = reason
        log.warning("invalid page message", account=self.account, reason=reason)
        return orjson.dumps({"ok": False, "retry": False, "error": reason}).decode()
