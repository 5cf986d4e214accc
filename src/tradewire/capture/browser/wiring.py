"""Compose browser capture from Settings (called by ``bootstrap.build``; the area's wiring)."""

from __future__ import annotations

from tradewire.capture.browser.receiver import AlertSubmitter
from tradewire.capture.browser.service import CaptureService
from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock
from tradewire.core.events import ScraperConfigChanged
from tradewire.settings import ScraperSettings, Settings
from tradewire.tape.schema import decode_scraped


def build_capture(
    settings: Settings, *, bus: MessageBus, alerts: AlertSubmitter, clock: Clock
) -> CaptureService:
    """Return the capture service: prints go to the tape service over the bus, alerts to the
    pipeline, and scraper setting changes to every attached Tradovate page (not started)."""

    async def publish_tape(
        payload: dict[str, object], *, account: str, source: str, received_ns: int
    ) -> None:
        batch = decode_scraped(
            payload, source=source, received_ns=received_ns, default_account=account
        )
        await bus.publish(batch)

    service = CaptureService(
        settings.capture,
        data_dir=settings.data_dir,
        tape_sink=publish_tape,
        alerts=alerts,
        clock=clock,
    )

    async def push_config(event: ScraperConfigChanged) -> None:
        fields = {name: getattr(event, name) for name in ScraperSettings.model_fields}
        await service.push_config(ScraperSettings(**fields))

    bus.subscribe(ScraperConfigChanged, push_config)
    return service
