"""A direct DevTools Protocol websocket to the browser, for the capture channel's hot path.

Playwright relays every CDP message through its Node driver (page → Chromium → driver → Python
pipe): one more process to wake per message, and the first to stall when the CPU is busy. The
page messages and their answers go over this connection instead, one per browser, with a flat
session per page (``Target.attachToTarget`` with ``flatten``); Playwright keeps everything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import structlog
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from tradewire.core.errors import RetryableError

log = structlog.get_logger(__name__)

#: The file Chromium writes into its profile when started with ``--remote-debugging-port=0``:
#: the port it chose, then the browser endpoint's path.
ACTIVE_PORT_FILE = "DevToolsActivePort"
EventHandler = Callable[[str, dict[str, Any]], None]


class DevToolsError(RetryableError):
    """The browser refused a command or the connection to it is gone."""


async def endpoint_from_http(cdp_url: str) -> str:
    """The browser's websocket endpoint behind a DevTools URL (``http://host:port`` or ``ws://…``)."""
    if urlsplit(cdp_url).scheme in ("ws", "wss"):
        return cdp_url
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(cdp_url.rstrip("/") + "/json/version")
            response.raise_for_status()
            return str(response.json()["webSocketDebuggerUrl"])
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise DevToolsError(f"no DevTools endpoint at {cdp_url}: {exc}") from exc


async def endpoint_from_profile(profile: Path, timeout: float = 10.0) -> str:
    """The websocket endpoint of a browser launched on ``profile`` with a port chosen by itself
    (the caller removes a stale port file before launching)."""
    port_file = profile / ACTIVE_PORT_FILE
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        lines = port_file.read_text().split() if port_file.exists() else []
        if len(lines) == 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        if asyncio.get_running_loop().time() > deadline:
            raise DevToolsError(f"the browser wrote no {ACTIVE_PORT_FILE} into {profile}")
        await asyncio.sleep(0.05)


class DevTools:
    """One browser-level DevTools connection: commands with replies, events per session."""

    def __init__(self, ws: ClientConnection, on_lost: Callable[[], None] | None = None) -> None:
        self._ws = ws
        self._on_lost = on_lost
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._listeners: dict[str, EventHandler] = {}
        self._reader = asyncio.get_running_loop().create_task(self._read(), name="devtools")

    @classmethod
    async def connect(cls, endpoint: str, on_lost: Callable[[], None] | None = None) -> DevTools:
        """Open the browser's websocket ``endpoint`` (``ws://host:port/devtools/browser/…``);
        ``on_lost`` is called if the browser ends the connection."""
        try:
            # No size limit: a tape message is as large as the page makes it. The browser sends
            # no pings and answers none; its end of the socket closing is the disconnect.
            ws = await connect(
                endpoint, max_size=None, ping_interval=None, compression=None, open_timeout=10
            )
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise DevToolsError(f"cannot open the DevTools websocket: {exc}") from exc
        return cls(ws, on_lost)

    @property
    def closed(self) -> bool:
        """Whether the connection is gone (every later command fails)."""
        return self._reader.done()

    async def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None
    ) -> dict[str, Any]:
        """Send a command (to a page's ``session``, else the browser) and return its result."""
        if self.closed:
            raise DevToolsError("the DevTools connection is closed")
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        reply = self._waiting[message_id] = asyncio.get_running_loop().create_future()
        try:
            await self._ws.send(orjson.dumps(message).decode())
            return await reply
        except WebSocketException as exc:
            raise DevToolsError(f"the DevTools connection closed: {exc}") from exc
        finally:
            self._waiting.pop(message_id, None)

    async def attach(self, target_id: str, on_event: EventHandler) -> str:
        """Open a flat session on a page target; its events go to ``on_event(method, params)``."""
        result = await self.send("Target.attachToTarget", {"targetId": target_id, "flatten": True})
        session = str(result["sessionId"])
        self._listeners[session] = on_event
        return session

    async def detach(self, session: str) -> None:
        """Close a page session (a closed page has already lost it)."""
        self._listeners.pop(session, None)
        with contextlib.suppress(DevToolsError):
            await self.send("Target.detachFromTarget", {"sessionId": session})

    async def close(self) -> None:
        """Close the connection; commands still waiting fail."""
        self._on_lost = None
        await self._ws.close()
        await asyncio.gather(self._reader, return_exceptions=True)

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                self._dispatch(orjson.loads(raw))
        except WebSocketException as exc:
            log.info("DevTools connection lost", error=str(exc))
        finally:
            for reply in self._waiting.values():
                if not reply.done():
                    reply.set_exception(DevToolsError("the DevTools connection closed"))
            self._listeners.clear()
            if self._on_lost is not None:
                self._on_lost()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message:
            reply = self._waiting.get(message["id"])
            if reply is None or reply.done():
                return
            if "error" in message:
                error = message["error"].get("message", "unknown error")
                reply.set_exception(DevToolsError(f"DevTools refused the command: {error}"))
            else:
                reply.set_result(message.get("result", {}))
            return
        method, params = message.get("method", ""), message.get("params", {})
        if method == "Target.detachedFromTarget":
            self._listeners.pop(params.get("sessionId", ""), None)
            return
        listener = self._listeners.get(message.get("sessionId", ""))
        if listener is not None:
            listener(method, params)
