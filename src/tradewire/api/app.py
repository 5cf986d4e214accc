"""FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse

from tradewire import __version__
from tradewire.api import errors, ws
from tradewire.api.routes import (
    capture,
    collector,
    marketdata,
    scraper,
    signals,
    system,
    tape,
    webhook,
)
from tradewire.bootstrap import Container

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


def create_app(container: Container) -> FastAPI:
    """Build the app around ``container``; the container starts and stops with the app."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await container.start()
        try:
            yield
        finally:
            await container.stop()

    app = FastAPI(title="tradewire", version=__version__, lifespan=lifespan)
    app.state.container = container
    errors.install(app)
    for module in (webhook, signals, system, collector, marketdata, scraper, tape, capture):
        app.include_router(module.router)
    app.include_router(ws.router)

    @app.get("/", include_in_schema=False)
    async def dashboard() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html")

    return app
