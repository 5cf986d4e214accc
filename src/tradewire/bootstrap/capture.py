"""Compose browser capture from Settings: prints go to the tape service as a command over the
bus, alerts to the signal pipeline, scraper setting changes to every attached Tradovate page."""

from __future__ import annotations

from tradewire.capture.browser.receiver import AlertSubmitter
from tradewire.capture.browser.service import CaptureService
from tradewire.capture.browser.wakeups import WakeupPolicy
from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock
from tradewire.core.events import ScraperConfigChanged
from tradewire.settings import Settings
from tradewire.tape.config import ScraperSettings
from tradewire.tape.schema import decode_scraped


class TapeCommandSink:
    """Capture's tape sink: each scraped payload becomes a TapeBatch command on the bus.

    A command, not an event: when the store fails, the error reaches the page, which keeps the
    prints and offers them again, instead of being told they were taken.
    """

    def __init__(self, bus: MessageBus) -> None:
        self._bus = bus

    async def __call__(
        self, payload: dict[str, object], *, account: str, source: str, received_ns: int
    ) -> None:
        batch = decode_scraped(
            payload, source=source, received_ns=received_ns, default_account=account
        )
        await self._bus.execute(batch)


def build_capture(
    settings: Settings, *, bus: MessageBus, alerts: AlertSubmitter, clock: Clock
) -> CaptureService:
    """Return the capture service (not started)."""
    tuning = settings.tuning
    service = CaptureService(
        settings.capture,
        data_dir=settings.data_dir,
        tape_sink=TapeCommandSink(bus),
        alerts=alerts,
        clock=clock,
        wakeups=WakeupPolicy(tuning.realtime_priority, tuning.wakeup_slice_us),
    )

    async def push_config(event: ScraperConfigChanged) -> None:
        fields = {name: getattr(event, name) for name in ScraperSettings.model_fields}
        await service.push_config(ScraperSettings(**fields))

    bus.subscribe(ScraperConfigChanged, push_config)
    return service
