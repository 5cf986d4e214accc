"""One account's browser over the DevTools Protocol (Playwright): attach or launch, inject the
in-page scripts into every document, reconnect with backoff, re-inject on demand. The page
messages travel over a direct DevTools websocket of the session's own (:mod:`.devtools`)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from playwright.async_api import BrowserContext, Page, Playwright
from playwright.async_api import Error as PlaywrightError

from tradewire.capture.browser.devtools import (
    ACTIVE_PORT_FILE,
    DevTools,
    DevToolsError,
    endpoint_from_http,
    endpoint_from_profile,
)
from tradewire.capture.browser.link import PageLink, UnmatchedPages
from tradewire.capture.browser.login import AutoLogin
from tradewire.capture.browser.receiver import CONSOLE_PREFIX, PageReceiver
from tradewire.capture.browser.scripts import PageConfig, ScriptBundle
from tradewire.capture.browser.wakeups import PromptWakeups, WakeupPolicy
from tradewire.capture.config import CaptureSessionSettings, CaptureSettings

log = structlog.get_logger(__name__)

SITE_URLS = {
    "tradovate": "https://trader.tradovate.com/",
    "tradingview": "https://www.tradingview.com/chart/",
}
LAUNCH_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    # A localhost port of the browser's choosing, for the session's direct DevTools websocket.
    "--remote-debugging-port=0",
)
_PUSH_CONFIG = """cfg => {
  const control = window.TradovateScraperControl;
  if (!control) return false;
  for (const [key, value] of Object.entries(cfg)) control.setConfig(key, value);
  return true;
}"""


@dataclass(frozen=True, slots=True)
class SessionStatus:
    """What a session is doing, for the API and the CLI."""

    account: str
    mode: str
    state: str
    pages: tuple[str, ...]
    reconnects: int
    last_error: str | None
    #: Threads of the browser this session launched that carry its messages and wake at once
    #: (opt-in, see :mod:`.wakeups`), and how many of them run real-time.
    prompt_wakeups: int = 0
    realtime_threads: int = 0
    stats: dict[str, object] = field(default_factory=dict)
    login: dict[str, str] = field(default_factory=dict)


class CaptureSession:
    """Capture from one account's browser until stopped."""

    def __init__(
        self,
        spec: CaptureSessionSettings,
        *,
        receiver: PageReceiver,
        bundle: ScriptBundle,
        settings: CaptureSettings,
        profiles_dir: Path,
        wakeups: WakeupPolicy = WakeupPolicy(),
    ) -> None:
        self.spec = spec
        self.receiver = receiver
        self._bundle = bundle
        self._settings = settings
        self._profile = profiles_dir / spec.account
        self._context: BrowserContext | None = None
        self._devtools: DevTools | None = None
        self._links: dict[Page, asyncio.Task[PageLink | None]] = {}
        self._task: asyncio.Task | None = None
        self._connected = asyncio.Event()
        self._closed = asyncio.Event()
        self._stopping = False
        self._config: dict[str, object] | None = None
        self._login = AutoLogin(spec.account, settings)
        self._unmatched = UnmatchedPages(spec.account, settings)
        self.state = "stopped"
        self.reconnects = 0
        self.last_error: str | None = None
        self._wakeups = PromptWakeups(wakeups)

    @property
    def pages(self) -> list[Page]:
        """The pages currently open in this session's browser."""
        return list(self._context.pages) if self._context else []

    async def open(self, url: str) -> Page:
        """Open ``url`` in a new tab of this session's browser (captured like any other)."""
        if self._context is None:
            raise RuntimeError(f"capture session {self.spec.account!r} is not connected")
        page = await self._context.new_page()
        await self._link(page)
        await page.goto(url)
        return page

    def start(self, playwright: Playwright) -> None:
        """Start connecting in the background (retrying with backoff until stopped)."""
        self._stopping = False
        self._task = asyncio.create_task(
            self._supervise(playwright), name=f"capture:{self.spec.account}"
        )

    async def wait_connected(self, timeout: float = 30) -> None:
        """Wait until the browser is connected and the scripts are installed."""
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def stop(self) -> None:
        """Disconnect (an attached browser keeps running; a launched one is closed)."""
        self._stopping = True
        self._closed.set()
        if self._task:
            await asyncio.gather(self._task, return_exceptions=True)
        self.state = "stopped"

    async def reload_scripts(self) -> int:
        """Inject the bundle's current scripts into every page, replacing the running ones (the
        caller re-reads them from disk first); return their version."""
        version = self._bundle.version
        if self._context is not None:
            script = self._script()
            await self._context.add_init_script(script=script)
            for page in self.pages:
                await self._evaluate(page, script)
        log.info("capture scripts reloaded", account=self.spec.account, version=version)
        return version

    async def push_config(self, config: dict[str, object]) -> int:
        """Apply scraper settings to every Tradovate page; return how many pages took them."""
        self._config = dict(config)
        applied = 0
        for page in self.pages:
            with contextlib.suppress(PlaywrightError):
                applied += bool(await page.evaluate(_PUSH_CONFIG, self._config))
        return applied

    def status(self) -> SessionStatus:
        return SessionStatus(
            account=self.spec.account,
            mode=self.spec.mode,
            state=self.state,
            pages=tuple(page.url for page in self.pages),
            reconnects=self.reconnects,
            last_error=self.last_error,
            prompt_wakeups=self._wakeups.status.prompt,
            realtime_threads=self._wakeups.status.realtime,
            stats=self.receiver.snapshot(),
            login=self._login.status(),
        )

    def _script(self) -> str:
        sites = {
            "tradovate": self._settings.tradovate_urls,
            "tradingview": self._settings.tradingview_urls,
        }
        return self._bundle.page_script(PageConfig(account=self.spec.account, sites=sites))

    async def _supervise(self, playwright: Playwright) -> None:
        delay = 0.5
        while not self._stopping:
            self.state = "connecting"
            try:
                await self._connect(playwright)
                self.state, delay = "connected", 0.5
                self._connected.set()
                await self._closed.wait()
            except (PlaywrightError, DevToolsError) as exc:
                self.last_error = str(exc).splitlines()[0]
                log.warning(
                    "capture connection failed", account=self.spec.account, error=self.last_error
                )
            finally:
                self._connected.clear()
                await self._disconnect()
                # Both the driver and the DevTools websocket report a lost browser: forget both.
                self._closed.clear()
            if self._stopping:
                break
            self.state = "reconnecting"
            self.reconnects += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._settings.reconnect_max_s)

    async def _connect(self, playwright: Playwright) -> None:
        chromium = playwright.chromium
        if self.spec.mode == "attach":
            assert self.spec.cdp_url is not None
            browser = await chromium.connect_over_cdp(self.spec.cdp_url)
            browser.on("disconnected", lambda _: self._closed.set())
            context = browser.contexts[0] if browser.contexts else await browser.new_context()
        else:
            self._profile.mkdir(parents=True, exist_ok=True)
            # A file left by a browser that crashed would name a port nobody listens on.
            (self._profile / ACTIVE_PORT_FILE).unlink(missing_ok=True)
            context = await chromium.launch_persistent_context(
                str(self._profile),
                executable_path=str(self._settings.chromium_path),
                headless=self._settings.headless,
                args=list(LAUNCH_ARGS),
                no_viewport=not self._settings.headless,
            )
            context.on("close", lambda _: self._closed.set())
        self._context = context
        endpoint = (
            await endpoint_from_http(self.spec.cdp_url)
            if self.spec.cdp_url and self.spec.mode == "attach"
            else await endpoint_from_profile(self._profile)
        )
        self._devtools = await DevTools.connect(endpoint, on_lost=self._closed.set)
        launched = self._profile if self.spec.mode == "launch" else None
        await asyncio.to_thread(self._wakeups.take, launched)
        script = self._script()
        await context.add_init_script(script=script)
        await self._login.install(context)
        context.on("page", self._link)
        for page in context.pages:
            await self._link(page)
            await self._evaluate(page, script)
        if self.spec.mode == "launch":
            url = self.spec.url or SITE_URLS[self.spec.site or "tradovate"]
            page = context.pages[0] if context.pages else await context.new_page()
            await page.goto(url, wait_until="commit")
        log.info("capture connected", account=self.spec.account, mode=self.spec.mode)

    async def _disconnect(self) -> None:
        self._wakeups.release()
        await self._login.close()
        linking, self._links = list(self._links.values()), {}
        links = await asyncio.gather(*linking)
        await asyncio.gather(*(link.close() for link in links if link is not None))
        devtools, self._devtools = self._devtools, None
        if devtools is not None:
            await devtools.close()
        context, self._context = self._context, None
        if context is None:
            return
        with contextlib.suppress(PlaywrightError):
            if self.spec.mode == "launch":
                await context.close()
            elif context.browser is not None:
                # Closes only our connection: the user's Chrome keeps running.
                await context.browser.close()

    async def _link(self, page: Page) -> None:
        """Connect a page to the receiver once and wait until it is (new tabs get here from the
        "page" event, and open() waits for the binding before it navigates)."""
        linking = self._links.get(page)
        if linking is None:
            if page.is_closed() or self._devtools is None:
                return
            # Claimed before the first await: the "page" event and open() may both get here.
            linking = self._links[page] = asyncio.create_task(self._open_link(page, self._devtools))
            page.on("console", self._on_console)
            self._unmatched.watch(page)
            page.on("close", lambda closed: self._links.pop(closed, None))
            if self.spec.mode == "launch":
                page.on("load", self._on_load)
        await asyncio.shield(linking)

    async def _open_link(self, page: Page, devtools: DevTools) -> PageLink | None:
        try:
            return await PageLink.open(page, self.receiver, devtools)
        except (PlaywrightError, DevToolsError) as exc:
            reason = str(exc).splitlines()[0]
            log.warning("page not linked", account=self.spec.account, error=reason)
            return None

    async def _on_load(self, _page: Page) -> None:
        # A navigation may have started a renderer, whose IO thread carries the page's messages.
        await asyncio.to_thread(self._wakeups.refresh)

    async def _on_console(self, message: Any) -> None:
        text = message.text
        if text.startswith(CONSOLE_PREFIX):
            await self.receiver.on_console(text)

    async def _evaluate(self, page: Page, script: str) -> None:
        # A page that is navigating or closing gets the script from the init script instead.
        with contextlib.suppress(PlaywrightError):
            await page.evaluate(script)
