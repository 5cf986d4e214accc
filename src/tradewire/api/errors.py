"""Map the error hierarchy to HTTP answers at the edge: 4xx with a reason, never a 500 for
bad input."""

from __future__ import annotations

import math

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from tradewire.core.errors import (
    AuthenticationError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    RejectError,
    RetryableError,
    ThrottledError,
    TradewireError,
)

log = structlog.get_logger(__name__)

_STATUS: tuple[tuple[type[TradewireError], int], ...] = (
    (AuthenticationError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (PayloadTooLargeError, 413),
    (RejectError, 422),
    (ThrottledError, 429),
    (RetryableError, 503),
)


def status_for(exc: TradewireError) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def error_parts(exc: TradewireError) -> tuple[int, dict[str, object], dict[str, str]]:
    """The status, JSON body and headers that answer ``exc``; log it if it is a server fault."""
    status = status_for(exc)
    headers = {}
    if isinstance(exc, RetryableError) and exc.retry_after:
        # Whole seconds, rounded up: retrying earlier than asked would only be refused again.
        headers["Retry-After"] = str(math.ceil(exc.retry_after))
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status >= 500:
        log.error("request failed", error=exc.message)
    return status, {"success": False, "error": exc.message}, headers


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(TradewireError)
    async def _tradewire(_request: Request, exc: TradewireError) -> JSONResponse:
        status, body, headers = error_parts(exc)
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in err.get("loc", ())), "reason": err.get("msg")}
            for err in exc.errors()
        ]
        reason = "; ".join(f"{d['field']}: {d['reason']}" for d in details)
        return JSONResponse(
            {"success": False, "error": reason, "details": details}, status_code=422
        )
