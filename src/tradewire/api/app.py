"""The application: FastAPI for the API and dashboard, with the webhook and the signal stream
served in front of it as plain ASGI (they carry every signal's latency)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse
from starlette.requests import ClientDisconnect

from tradewire import __version__
from tradewire.api import errors, webhook, ws
from tradewire.api.asgi import Receive, Scope, Send
from tradewire.api.routes import (
    analyze,
    auth,
    capture,
    collector,
    marketdata,
    me,
    paper,
    prices,
    scraper,
    signals,
    system,
    tape,
    users,
)
from tradewire.api.services import ApiServices

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


class App:
    """Route the webhook and ``/ws`` to their plain-ASGI handlers, everything else to FastAPI."""

    def __init__(self, api: FastAPI, services: ApiServices) -> None:
        self.api = api
        self._services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            is_webhook, secret = webhook.path_secret(scope["path"])
            if is_webhook:
                await webhook.handle(scope, receive, send, self._services, secret)
                return
        elif kind == "websocket" and scope["path"] == ws.PATH:
            await ws.serve(scope, receive, send, self._services)
            return
        # A client that left (or was cut off for being slow) before its body was read has
        # nobody to answer.
        with contextlib.suppress(ClientDisconnect):
            await self.api(scope, receive, send)


def create_app(services: ApiServices) -> App:
    """Build the app around ``services``, which start and stop with it."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await services.start()
        try:
            yield
        finally:
            await services.stop()

    app = FastAPI(title="tradewire", version=__version__, lifespan=lifespan)
    app.state.services = services
    errors.install(app)
    for module in (signals, system, collector, marketdata, scraper, tape, capture, auth, me, users):
        app.include_router(module.router)
    app.include_router(prices.router)
    app.include_router(paper.router)
    app.include_router(analyze.router)

    @app.get("/", include_in_schema=False)
    async def dashboard() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html")

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schema["paths"] = {**webhook.OPENAPI_PATHS, **schema["paths"]}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
    return App(app, services)
