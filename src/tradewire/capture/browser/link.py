"""The channel between one page and its receiver: a raw CDP binding, answered by evaluation.

The page calls the binding without waiting (one DevTools event per message, nothing else), and
the session answers: each hello, alert and OCR request with ``tw.reply(id, …)``, tape messages
together with ``tw.ackTape(lastId)`` — one answer in flight at a time, so a page that sends fast
gets fewer, later acknowledgements instead of a queue of them. Answers go to the document that
sent the message: each document of the page numbers its messages from 1. Both directions use the
session's direct DevTools websocket (:mod:`.devtools`); only screenshots go through Playwright.

:class:`UnmatchedPages` tells when a page looks like one of the sites but no script runs in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import orjson
import structlog
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from tradewire.capture.browser.devtools import DevTools, DevToolsError
from tradewire.capture.browser.messages import Rect
from tradewire.capture.browser.receiver import PageReceiver
from tradewire.capture.browser.scripts import BINDING, glob_to_regex
from tradewire.capture.config import CaptureSettings
from tradewire.core.errors import RetryableError

log = structlog.get_logger(__name__)


class _Site(NamedTuple):
    domain: str  # its pages' hosts are this domain or under it
    marker: str  # what its trading page shows, wherever it is served from
    setting: str  # the setting that lists its URL patterns


_SITES = {
    "tradovate": _Site(
        "tradovate.com", ".lm_goldenlayout .contract-symbol", "TRADEWIRE_CAPTURE__TRADOVATE_URLS"
    ),
    "tradingview": _Site(
        "tradingview.com",
        '.widgetbar-page, [data-name="alert-log-item"]',
        "TRADEWIRE_CAPTURE__TRADINGVIEW_URLS",
    ),
}
_MARKERS = {name: site.marker for name, site in _SITES.items()}
_PROBE = "markers => Object.keys(markers).find(site => document.querySelector(markers[site]))"


class PageLink:
    """Carry one page's messages to a receiver and its answers back."""

    def __init__(self, page: Page, devtools: DevTools, receiver: PageReceiver) -> None:
        self.page = page
        self._devtools = devtools
        self._session = ""
        self._receiver = receiver
        # Per document (execution context): the newest tape message stored, and whether an
        # acknowledgement is on its way to it.
        self._tape_done: dict[int, int] = {}
        self._acking: set[int] = set()
        self._tasks: set[asyncio.Task] = set()

    @classmethod
    async def open(cls, page: Page, receiver: PageReceiver, devtools: DevTools) -> PageLink:
        """Add the binding to ``page`` (it survives reloads) and start listening."""
        # Playwright names the page's DevTools target; the link then has a session of its own.
        cdp = await page.context.new_cdp_session(page)
        try:
            info = await cdp.send("Target.getTargetInfo")
        finally:
            with contextlib.suppress(PlaywrightError):
                await cdp.detach()
        link = cls(page, devtools, receiver)
        link._session = await devtools.attach(info["targetInfo"]["targetId"], link._on_event)
        await link._send("Runtime.enable")
        await link._send("Runtime.addBinding", {"name": BINDING})
        return link

    async def close(self, grace: float = 5.0) -> None:
        """Finish what the page already sent (up to ``grace`` seconds), then stop listening."""
        if self._tasks:
            _done, late = await asyncio.wait(list(self._tasks), timeout=grace)
            for task in late:
                task.cancel()
        await self._devtools.detach(self._session)

    def _on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Runtime.executionContextDestroyed":
            self._tape_done.pop(params.get("executionContextId", 0), None)
        elif method == "Runtime.executionContextsCleared":
            self._tape_done.clear()
        if method != "Runtime.bindingCalled" or params.get("name") != BINDING:
            return
        # Tasks start in arrival order: the receiver notes a tape watermark before its first
        # await, so a reloaded page's hello always sees every message sent before it.
        handling = self._handle(params.get("payload", ""), params.get("executionContextId", 0))
        task = asyncio.get_running_loop().create_task(handling)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, raw: str, context: int) -> None:
        try:
            reply = await self._receiver.on_message(raw, self._screenshot)
        except Exception:
            # A bug must not silence the page: log it; the page offers the message again.
            log.exception("page message failed", account=self._receiver.account)
            return
        try:
            head = orjson.loads(raw)
            message_id, kind = int(head["id"]), head.get("kind")
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return  # nothing to answer: the page never sent this through the runtime
        if kind == "tape" and reply == '{"ok":true}':
            self._tape_done[context] = max(self._tape_done.get(context, 0), message_id)
            if context not in self._acking:
                self._acking.add(context)
                try:
                    await self._ack_tape(context)
                finally:
                    self._acking.discard(context)
            return
        await self._evaluate(f"window.__tradewire.reply({message_id}, {reply})", context)

    async def _ack_tape(self, context: int) -> None:
        acked = 0
        while acked < self._tape_done.get(context, 0):
            acked = self._tape_done[context]
            if not await self._evaluate(f"window.__tradewire.ackTape({acked})", context):
                self._tape_done.pop(context, None)
                return

    async def _evaluate(self, expression: str, context: int) -> bool:
        """Evaluate in the document that sent the message; False once that document is gone."""
        # A document that was replaced has lost its waiters; its script kept the data (for its
        # tab's next document) and offers it again.
        try:
            await self._send("Runtime.evaluate", {"expression": expression, "contextId": context})
        except DevToolsError:
            return False
        return True

    async def _send(self, method: str, params: dict[str, Any] | None = None) -> None:
        await self._devtools.send(method, params, session=self._session)

    async def _screenshot(self, rect: Rect) -> bytes:
        clip = {"x": rect.x, "y": rect.y, "width": rect.width, "height": rect.height}
        try:
            return await self.page.screenshot(clip=clip, type="png", timeout=5000)
        except PlaywrightError as exc:
            raise RetryableError(f"screenshot failed: {str(exc).splitlines()[0]}") from exc


class UnmatchedPages:
    """Warn, once per site and origin, about pages that look like a site (by their host, or by
    what they show once loaded) but match none of the URL patterns: no script runs in them."""

    def __init__(self, account: str, settings: CaptureSettings) -> None:
        self._account = account
        globs = (*settings.tradovate_urls, *settings.tradingview_urls)
        self._patterns = [re.compile(glob_to_regex(glob)) for glob in globs]
        self._warned: set[tuple[str, str]] = set()

    def watch(self, page: Page) -> None:
        """Check ``page`` now by its host, and after each load by its host or what it shows."""
        if self._outside(page.url):
            self._report(page.url, _site_by_host(page.url))
        page.on("load", self._on_load)

    async def _on_load(self, page: Page) -> None:
        url = page.url
        if not self._outside(url):
            return
        site = _site_by_host(url)
        if site is None:
            # The page may be gone or navigating again: its next load is checked then.
            with contextlib.suppress(PlaywrightError):
                site = await page.evaluate(_PROBE, _MARKERS)
        self._report(url, site)

    def _outside(self, url: str) -> bool:
        """Whether ``url`` is a web page that no in-page script runs in."""
        web = url.startswith(("http://", "https://"))
        return web and not any(pattern.match(url) for pattern in self._patterns)

    def _report(self, url: str, site: str | None) -> None:
        parts = urlsplit(url)
        # Scheme, host and port only: a URL's user info, path or query may hold secrets.
        origin = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        if site is None or (site, origin) in self._warned:
            return
        self._warned.add((site, origin))
        setting = _SITES[site].setting
        log.warning(
            "page looks like a captured site but matches no URL pattern: not captured",
            account=self._account,
            site=site,
            origin=origin,
            setting=setting,
            hint=f"add a URL glob such as {origin}/* to {setting}",
        )


def _site_by_host(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    return next(
        (name for name, site in _SITES.items() if f".{host}".endswith(f".{site.domain}")), None
    )
