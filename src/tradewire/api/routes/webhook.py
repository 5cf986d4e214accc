"""``POST /webhook/tradingview[/{secret}]``: TradingView's alert body as sent."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tradewire.api.deps import ContainerDep
from tradewire.core.errors import PayloadTooLargeError, RetryableError, ValidationError
from tradewire.core.events import Alert, AlertSource, AlertStatus
from tradewire.core.ids import new_id

router = APIRouter(tags=["webhook"])


async def read_body(request: Request, limit: int) -> bytes:
    """Read the body, refusing (413) anything over ``limit`` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ValidationError("invalid Content-Length")
        if int(declared) > limit:
            raise PayloadTooLargeError(f"body larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/webhook/tradingview", summary="Receive a TradingView alert")
async def tradingview(request: Request, container: ContainerDep) -> JSONResponse:
    return await _receive(request, container, None)


@router.post(
    "/webhook/tradingview/{secret}", summary="Receive a TradingView alert (secret in path)"
)
async def tradingview_with_secret(
    request: Request, container: ContainerDep, secret: str
) -> JSONResponse:
    return await _receive(request, container, secret)


async def _receive(request: Request, container, path_secret: str | None) -> JSONResponse:
    received_ns = container.clock.now_ns()
    guard = container.webhook_guard
    peer = request.client.host if request.client else None
    address = guard.client_address(peer, request.headers.get("x-forwarded-for"))
    guard.check_origin(address)
    raw = await read_body(request, container.settings.max_body_bytes)
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("alert body is not valid UTF-8") from exc
    if "\x00" in body:
        raise ValidationError("alert body contains NUL characters")
    document = guard.authenticate(path_secret, body)
    alert = Alert(
        id=new_id(),
        source=AlertSource.WEBHOOK,
        body=body,
        content_type=request.headers.get("content-type", "text/plain"),
        remote_addr=address,
        ts_event=received_ns,
        ts_init=container.clock.now_ns(),
    )
    # TradingView gives up after 3 s. Answer 503 (it retries) if storage is slower than the
    # configured limit; the shielded work still finishes, and a retry then finds the signal
    # as a duplicate instead of broadcasting it twice.
    try:
        processed = await asyncio.wait_for(
            asyncio.shield(container.pipeline.submit(alert, document)),
            container.settings.webhook_timeout_s,
        )
    except TimeoutError as exc:
        raise RetryableError("storage is slow: alert not yet saved, retry", retry_after=1) from exc
    if processed.status is AlertStatus.REJECTED:
        return JSONResponse(
            {
                "success": False,
                "status": "rejected",
                "alert_id": alert.id,
                "reason": processed.reason,
            },
            status_code=422,
        )
    if processed.status is AlertStatus.DUPLICATE:
        return JSONResponse(
            {
                "success": True,
                "status": "duplicate",
                "alert_id": alert.id,
                "duplicate_of": processed.duplicate_of,
            }
        )
    assert processed.signal is not None
    return JSONResponse(
        {
            "success": True,
            "status": "accepted",
            "alert_id": alert.id,
            "signal": processed.signal.to_wire(),
        }
    )
