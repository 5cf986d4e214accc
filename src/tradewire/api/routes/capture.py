"""Browser capture: sessions (listed, added, removed), script reload, and the userscripts.

``tradewire capture attach|launch`` adds its session here, so what it captures reaches this
server's store and subscribers, and removes it again when it stops.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse
from pydantic import ConfigDict

from tradewire.api.deps import AdminDep, CaptureDep, PrincipalDep
from tradewire.capture.config import ACCOUNT_PATTERN, CaptureSessionSettings

router = APIRouter(tags=["capture"])


class SessionRequest(CaptureSessionSettings):
    """A session to start: ``{"account", "mode": "attach", "cdp_url"}`` or ``{"account",
    "mode": "launch", "site" | "url"}``; unknown fields are refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@router.get("/api/capture/status", summary="Capture sessions: connection, pages, counters")
async def status(service: CaptureDep, _user: PrincipalDep) -> dict[str, object]:
    return {
        "success": True,
        "scripts_version": service.bundle.version,
        "sessions": [asdict(s) for s in service.status()],
    }


@router.post(
    "/api/capture/sessions",
    status_code=201,
    summary="Start capturing from one more account's browser (409 if it has a session)",
)
async def add_session(
    spec: SessionRequest, service: CaptureDep, _admin: AdminDep
) -> dict[str, object]:
    session = await service.add(spec)
    return {"success": True, "session": asdict(session.status())}


@router.delete(
    "/api/capture/sessions/{account}", summary="Stop capturing from an account's browser"
)
async def remove_session(
    account: Annotated[str, Path(pattern=ACCOUNT_PATTERN)], service: CaptureDep, _admin: AdminDep
) -> dict[str, object]:
    await service.remove(account)
    return {"success": True, "account": account}


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
