"""Browser capture: session status, script reload, and the installable userscripts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from tradewire.api.deps import AdminDep, CaptureDep, PrincipalDep

router = APIRouter(tags=["capture"])


@router.get("/api/capture/status", summary="Capture sessions: connection, pages, counters")
async def status(service: CaptureDep, _user: PrincipalDep) -> dict[str, object]:
    return {
        "success": True,
        "scripts_version": service.bundle.version,
        "sessions": [asdict(s) for s in service.status()],
    }


@router.post("/api/capture/reload", summary="Re-read the in-page scripts and re-inject them")
async def reload(service: CaptureDep, _admin: AdminDep) -> dict[str, object]:
    version = await service.reload()
    return {"success": True, "scripts_version": version}


@router.get(
    "/userscripts/{site}.user.js",
    summary="The Tampermonkey userscript for a site (POSTs to this server)",
    response_class=PlainTextResponse,
)
async def userscript(
    site: Literal["tradovate", "tradingview"], request: Request, service: CaptureDep
) -> PlainTextResponse:
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
