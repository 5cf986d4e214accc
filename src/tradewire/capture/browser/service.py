"""Run several capture sessions (one per account) in one process, as the server or the CLI does.

``tradewire capture reload`` finds running capture processes through their run files under
``data_dir/capture/run`` and sends them SIGHUP; each re-reads the scripts and re-injects them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterable
from pathlib import Path

import structlog
from playwright.async_api import Playwright, async_playwright

from tradewire.capture.browser.receiver import AlertSubmitter, PageReceiver, TapeSink
from tradewire.capture.browser.scripts import ScriptBundle
from tradewire.capture.browser.session import CaptureSession, SessionStatus
from tradewire.capture.browser.wakeups import WakeupPolicy
from tradewire.capture.config import CaptureSessionSettings, CaptureSettings
from tradewire.capture.ocr import TesseractOcr
from tradewire.core.clock import Clock
from tradewire.core.errors import ConflictError, NotFoundError
from tradewire.tape.config import ScraperSettings

log = structlog.get_logger(__name__)

#: How asyncio says a loop cannot take signal handlers: not supported on the platform
#: (NotImplementedError), not the main thread (RuntimeError/ValueError). That process then
#: ignores `tradewire capture reload` (SIGHUP); `POST /api/capture/reload` still reaches it.
_SIGNALS_UNAVAILABLE = (NotImplementedError, RuntimeError, ValueError)


def run_dir(data_dir: Path) -> Path:
    """Where running capture processes register themselves."""
    return data_dir / "capture" / "run"


def scraper_page_config(scraper: ScraperSettings) -> dict[str, object]:
    """The scraper settings under the names the in-page control object uses."""
    return {
        "enabled": scraper.enabled,
        "interval": scraper.interval,
        "volumeFilter": scraper.volume_filter,
        "debug": scraper.debug,
        "autoStart": scraper.auto_start,
    }


class CaptureService:
    """Own the browser driver and every session; start, stop, reload, push settings."""

    def __init__(
        self,
        settings: CaptureSettings,
        *,
        data_dir: Path,
        tape_sink: TapeSink,
        alerts: AlertSubmitter,
        clock: Clock | None = None,
        wakeups: WakeupPolicy = WakeupPolicy(),
    ) -> None:
        self.settings = settings
        self._wakeups = wakeups
        self._data_dir = data_dir
        self._tape_sink = tape_sink
        self._alerts = alerts
        self._clock = clock
        self._ocr = TesseractOcr(settings.tesseract_path)
        self.bundle = ScriptBundle()
        self.sessions: dict[str, CaptureSession] = {}
        self._driver = None
        self._playwright: Playwright | None = None
        self._run_file: Path | None = None

    async def start(self, specs: Iterable[CaptureSessionSettings] | None = None) -> None:
        """Start a session per spec (default: the configured sessions)."""
        for spec in self.settings.sessions if specs is None else specs:
            await self.add(spec)

    async def add(self, spec: CaptureSessionSettings) -> CaptureSession:
        """Start capturing from one more account's browser (the driver starts with the first)."""
        if spec.account in self.sessions:
            raise ConflictError(f"account {spec.account!r} already has a capture session")
        if self._playwright is None:
            self._driver = async_playwright()
            self._playwright = await self._driver.start()
        receiver = PageReceiver(
            spec.account,
            tape_sink=self._tape_sink,
            alerts=self._alerts,
            ocr=self._ocr,
            min_ocr_confidence=self.settings.ocr_min_confidence,
            clock=self._clock,
        )
        session = CaptureSession(
            spec,
            receiver=receiver,
            bundle=self.bundle,
            settings=self.settings,
            profiles_dir=self._data_dir / "profiles",
            wakeups=self._wakeups,
        )
        session.start(self._playwright)
        self.sessions[spec.account] = session
        self._register()
        return session

    async def remove(self, account: str) -> None:
        """Stop capturing from ``account``'s browser (an attached browser keeps running)."""
        session = self.sessions.pop(account, None)
        if session is None:
            raise NotFoundError(f"account {account!r} has no capture session")
        await session.stop()
        self._register()

    async def stop(self) -> None:
        """Stop every session and the driver."""
        await asyncio.gather(*(s.stop() for s in self.sessions.values()))
        self.sessions.clear()
        self._unregister()
        if self._driver is not None:
            await self._driver.__aexit__(None, None, None)
            self._driver = self._playwright = None

    async def reload(self) -> int:
        """Re-read the in-page scripts and re-inject them everywhere; return the version."""
        self.bundle.reload()
        for session in self.sessions.values():
            await session.reload_scripts()
        return self.bundle.version

    async def push_config(self, scraper: ScraperSettings) -> int:
        """Apply scraper settings to every attached Tradovate page; return how many took them."""
        values = scraper_page_config(scraper)
        counts = await asyncio.gather(*(s.push_config(values) for s in self.sessions.values()))
        return sum(counts)

    def status(self) -> list[SessionStatus]:
        return [session.status() for session in self.sessions.values()]

    def _register(self) -> None:
        directory = run_dir(self._data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        first = self._run_file is None
        self._run_file = directory / str(os.getpid())
        self._run_file.write_text(",".join(self.sessions))
        if first:
            with contextlib.suppress(*_SIGNALS_UNAVAILABLE):
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._on_sighup)

    def _unregister(self) -> None:
        if self._run_file is not None:
            self._run_file.unlink(missing_ok=True)
            self._run_file = None
            with contextlib.suppress(*_SIGNALS_UNAVAILABLE):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    def _on_sighup(self) -> None:
        task = asyncio.get_running_loop().create_task(self.reload())
        task.add_done_callback(
            lambda t: t.exception() and log.error("script reload failed", error=str(t.exception()))
        )


def signal_reload(data_dir: Path) -> list[int]:
    """Ask every running capture process to reload its scripts; return the pids signalled."""
    signalled = []
    directory = run_dir(data_dir)
    for run_file in sorted(directory.glob("*")) if directory.exists() else []:
        if not run_file.name.isdigit():
            continue
        pid = int(run_file.name)
        try:
            os.kill(pid, signal.SIGHUP)
        except ProcessLookupError:
            run_file.unlink(missing_ok=True)  # left behind by a process that was killed
            continue
        signalled.append(pid)
    return signalled
