"""Browser capture: session status, script reload, and the installable userscripts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from tradewire.api.deps import AdminDep, ContainerDep, PrincipalDep
from tradewire.capture.browser.service import CaptureService
from tradewire.core.errors import RetryableError

router = APIRouter(tags=["capture"])


def capture_of(container) -> CaptureService:
    if container.capture is None:
        raise RetryableError("browser capture is not available", retry_after=5)
    return container.capture


@router.get("/api/capture/status", summary="Capture sessions: connection, pages, counters")
async def status(container: ContainerDep, _user: PrincipalDep) -> dict[str, object]:
    service = capture_of(container)
    return {
        "success": True,
        "scripts_version": service.bundle.version,
        "sessions": [asdict(s) for s in service.status()],
    }


@router.post("/api/capture/reload", summary="Re-read the in-page scripts and re-inject them")
async def reload(container: ContainerDep, _admin: AdminDep) -> dict[str, object]:
    version = await capture_of(container).reload()
    return {"success": True, "scripts_version": version}


@router.get(
    "/userscripts/{site}.user.js",
    summary="The Tampermonkey userscript for a site (POSTs to this server)",
    response_class=PlainTextResponse,
)
async def userscript(
    site: Literal["tradovate", "tradingview"], request: Request, container: ContainerDep
) -> PlainTextResponse:
    service = capture_of(container)
    match = (
        service.settings.tradovate_urls
        if site == "tradovate"
        else service.settings.tradingview_urls
    )
    base_url = str(request.base_url).rstrip("/")
    return PlainTextResponse(
        service.bundle.userscript(site, base_url=base_url, match=match),
        media_type="text/javascript; charset=utf-8",
    )
