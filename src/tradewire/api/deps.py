"""FastAPI dependencies: the services a route uses, and the caller's identity.

They are ``async`` on purpose: FastAPI runs plain functions in a worker thread, a hand-off that
costs far more than these trivial lookups.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from tradewire.api.auth import Principal, bearer_token
from tradewire.api.services import ApiServices
from tradewire.capture.browser.service import CaptureService
from tradewire.core.errors import RetryableError
from tradewire.marketdata.collector import Collector
from tradewire.tape.service import TapeService


async def services(request: Request) -> ApiServices:
    return request.app.state.services


ServicesDep = Annotated[ApiServices, Depends(services)]


async def tape_service(api: ServicesDep) -> TapeService:
    """The tape service, or 503 while it is not running."""
    if api.tape is None:
        raise RetryableError("the tape service is not running", retry_after=5)
    return api.tape


async def collector(api: ServicesDep) -> Collector:
    """The collector, or 503 when no market data source is configured."""
    if api.collector is None:
        raise RetryableError("collector disabled: no usable market data source is configured")
    return api.collector


async def capture_service(api: ServicesDep) -> CaptureService:
    """Browser capture, or 503 when it is not available."""
    if api.capture is None:
        raise RetryableError("browser capture is not available", retry_after=5)
    return api.capture


async def principal(
    api: ServicesDep,
    request: Request,
    token: Annotated[str | None, Query(description="JWT, if not sent as a Bearer header")] = None,
) -> Principal:
    """The caller's identity from a Bearer header or ``?token=``; 401 if missing or invalid."""
    raw = bearer_token(request.headers.get("authorization"), token)
    return api.tokens.verify(raw)


async def admin(user: Annotated[Principal, Depends(principal)]) -> Principal:
    """Like :func:`principal` but the token must have the admin role (403 otherwise)."""
    user.require_admin()
    return user


async def ingester(user: Annotated[Principal, Depends(principal)]) -> Principal:
    """Like :func:`principal` but the token must have the ingest or admin role (403 otherwise)."""
    user.require_ingest()
    return user


async def status_reader(
    api: ServicesDep,
    request: Request,
    token: Annotated[str | None, Query(description="JWT, if status endpoints are closed")] = None,
) -> Principal | None:
    """Nobody in particular while status endpoints are open (the default); else as
    :func:`principal`."""
    if api.limits.open_status_endpoints:
        return None
    return await principal(api, request, token)


TapeDep = Annotated[TapeService, Depends(tape_service)]
CollectorDep = Annotated[Collector, Depends(collector)]
CaptureDep = Annotated[CaptureService, Depends(capture_service)]
PrincipalDep = Annotated[Principal, Depends(principal)]
AdminDep = Annotated[Principal, Depends(admin)]
IngestDep = Annotated[Principal, Depends(ingester)]
StatusReaderDep = Annotated[Principal | None, Depends(status_reader)]
