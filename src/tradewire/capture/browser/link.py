"""The channel between one page and its receiver: a raw CDP binding, answered by evaluation.

The page calls the binding without waiting (one DevTools event per message, nothing else), and
the session answers: each hello, alert and OCR request with ``tw.reply(id, …)``, tape messages
together with ``tw.ackTape(lastId)`` — one answer in flight at a time, so a page that sends fast
gets fewer, later acknowledgements instead of a queue of them. Answers go to the document that
sent the message: each document of the page numbers its messages from 1. Both directions use the
session's direct DevTools websocket (:mod:`.devtools`); only screenshots go through Playwright.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import orjson
import structlog
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from tradewire.capture.browser.devtools import DevTools, DevToolsError
from tradewire.capture.browser.messages import Rect
from tradewire.capture.browser.receiver import PageReceiver
from tradewire.capture.browser.scripts import BINDING
from tradewire.core.errors import RetryableError

log = structlog.get_logger(__name__)


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
