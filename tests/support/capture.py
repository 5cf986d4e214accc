"""A real tradewire core capturing from real Chromium, with every relevant event recorded."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from playwright.async_api import Page

from tests.support.waiting import wait_until
from tradewire.bootstrap import Container, build
from tradewire.capture.browser.session import CaptureSession
from tradewire.capture.config import CaptureSessionSettings, CaptureSettings
from tradewire.core.events import AlertProcessed, SignalEmitted, TapeBatch
from tradewire.demo.pages import PageServer
from tradewire.settings import Settings
from tradewire.tape.ports import ROW_FIELDS, TradeQuery

CHROMIUM = Path("/usr/bin/chromium")
XVFB = Path("/usr/bin/Xvfb")


@contextmanager
def virtual_display() -> Iterator[str]:
    """An X display (Xvfb) for a Chromium with a window; yield its name, e.g. ``:99``."""
    number = next(n for n in range(99, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    proc = subprocess.Popen(
        [str(XVFB), f":{number}", "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), timeout=15)
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def running_chrome(profile: Path, port: int = 0, display: str | None = None) -> Iterator[str]:
    """A Chromium the way a user would run it for ``capture attach`` (headless, or with a window
    on X ``display``); yield its CDP URL."""
    window = {"env": {**os.environ, "DISPLAY": display}} if display else {}
    proc = subprocess.Popen(
        [
            str(CHROMIUM),
            *([] if display else ["--headless"]),
            "--no-sandbox",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={profile}",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **window,
    )
    port_file = profile / "DevToolsActivePort"  # written only when the port is chosen (0)

    def listening() -> str | None:
        if not port:
            text = port_file.read_text().strip() if port_file.exists() else ""
            return f"http://127.0.0.1:{text.splitlines()[0]}" if text else None
        try:
            httpx.get(f"http://127.0.0.1:{port}/json/version", timeout=1).raise_for_status()
        except httpx.HTTPError:
            return None
        return f"http://127.0.0.1:{port}"

    try:
        yield wait_until(listening, timeout=30)
    finally:
        proc.terminate()
        proc.wait(10)


def print_key(symbol: str, trade: dict) -> str:
    """The simulated page's key for a print (it records every print it inserted by this key)."""
    price = trade["price"]
    price = int(price) if float(price).is_integer() else price
    acc = trade["accumulated_volume"]
    return f"{symbol}|{trade['timestamp']}|{price}|{int(trade['size'])}|{int(acc)}"


class Desk:
    """The container plus recorders of what capture delivered."""

    def __init__(
        self,
        tmp: Path,
        pages: PageServer,
        sessions: list[CaptureSessionSettings],
        database_url: str | None = None,
        **capture: object,
    ):
        defaults = {
            "headless": True,
            "tradovate_urls": [pages.base_url + "/tradovate.html*"],
            "tradingview_urls": [pages.base_url + "/tradingview.html*"],
        }
        capture = CaptureSettings(sessions=sessions, **{**defaults, **capture})
        self.settings = Settings(
            data_dir=tmp,
            database_url=database_url,
            capture=capture,
            jwt_secret="test-secret-" + "x" * 32,
            _env_file=None,
        )
        self.container: Container = build(self.settings)
        self.batches: list[TapeBatch] = []
        self.processed: list[AlertProcessed] = []
        self.signals: list[SignalEmitted] = []
        self.opened: list[Page] = []
        bus = self.container.bus
        bus.subscribe(AlertProcessed, self.processed.append)
        bus.subscribe(SignalEmitted, self.signals.append)

    async def start(self) -> Desk:
        await self.container.start()
        self._record_tape_batches()
        for session in self.container.capture.sessions.values():
            await session.wait_connected()
        return self

    def _record_tape_batches(self) -> None:
        """Keep every TapeBatch the pages send, on its way to the real tape service."""
        bus, tape = self.container.bus, self.container.tape
        assert tape is not None

        async def record(batch: TapeBatch):
            self.batches.append(batch)
            return await tape.ingest(batch)

        bus.unhandle(TapeBatch)
        bus.handle(TapeBatch, record)

    async def stop(self) -> None:
        for page in self.opened:
            if not page.is_closed():
                await page.close()
        await self.container.stop()

    def session(self, account: str) -> CaptureSession:
        return self.container.capture.sessions[account]

    async def open(self, account: str, url: str) -> Page:
        page = await self.session(account).open(url)
        self.opened.append(page)
        return page

    def prints(self, account: str | None = None) -> list[str]:
        """Every print delivered, as page keys, in arrival order (repeats kept)."""
        keys = []
        for batch in self.batches:
            if account is not None and batch.account != account:
                continue
            symbol = batch.contract.symbol if batch.contract else ""
            for p in batch.prints:
                keys.append(
                    print_key(
                        symbol,
                        {
                            "timestamp": p.timestamp,
                            "price": p.price,
                            "size": p.size,
                            "accumulated_volume": p.accumulated_volume,
                        },
                    )
                )
        return keys

    def stored_prints(self, account: str) -> list[str]:
        """Every print of ``account`` in the database, as page keys (repeats kept)."""
        assert self.container.tape is not None
        column = {name: i for i, name in enumerate(ROW_FIELDS)}
        keys = []
        for chunk in self.container.tape.rows(TradeQuery(account=account)):
            for row in chunk:
                trade = {f: row[column[f]] for f in ("timestamp", "price", "size")}
                trade["accumulated_volume"] = row[column["accumulated_volume"]]
                keys.append(print_key(row[column["symbol"]], trade))
        return keys

    def bodies(self, source: str | None = None) -> list[str]:
        return [
            p.alert.body for p in self.processed if source is None or p.alert.source.value == source
        ]
