"""``POST /webhook/tradingview[/{secret}]``: TradingView's alert body as sent.

Served as plain ASGI (see :mod:`tradewire.api.asgi`): it is the first leg of every signal's
latency. :data:`OPENAPI_PATHS` documents it for ``/docs``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from tradewire.api.asgi import (
    ClientGone,
    Receive,
    Scope,
    Send,
    client_host,
    header,
    read_body,
    send_json,
)
from tradewire.api.errors import error_parts
from tradewire.core.errors import RetryableError, TradewireError
from tradewire.core.events import Alert, AlertSource, AlertStatus
from tradewire.core.ids import new_id

if TYPE_CHECKING:
    from tradewire.api.services import ApiServices

PATH = "/webhook/tradingview"
_PREFIX = PATH + "/"


def path_secret(path: str) -> tuple[bool, str | None]:
    """Whether ``path`` is the webhook, and the secret it carries (None for the bare path)."""
    if path == PATH:
        return True, None
    if path.startswith(_PREFIX):
        secret = path[len(_PREFIX) :]
        if secret and "/" not in secret:
            return True, secret
    return False, None


async def handle(
    scope: Scope, receive: Receive, send: Send, api: ApiServices, secret: str | None
) -> None:
    """Answer one webhook request: 200 accepted or duplicate, 4xx with a reason, 503 to retry."""
    if scope["method"] != "POST":
        await send_json(
            send, 405, {"success": False, "error": "use POST"}, headers=[("allow", "POST")]
        )
        return
    try:
        status, payload = await _receive(scope, receive, api, secret)
    except ClientGone:
        return
    except TradewireError as exc:
        status, body, headers = error_parts(exc)
        await send_json(send, status, body, headers.items())
        return
    await send_json(send, status, payload)


async def _receive(
    scope: Scope, receive: Receive, api: ApiServices, secret: str | None
) -> tuple[int, dict[str, object]]:
    received_ns = api.clock.now_ns()
    guard = api.webhook_guard
    address = guard.client_address(client_host(scope), header(scope, b"x-forwarded-for"))
    guard.check_origin(address)
    raw = await read_body(scope, receive, api.limits.max_body_bytes)
    try:
        body, refused = raw.decode("utf-8"), None
    except UnicodeDecodeError:
        # Kept readable and storable: each invalid byte as \xNN.
        body, refused = raw.decode("utf-8", "backslashreplace"), "alert body is not valid UTF-8"
    document = guard.authenticate(secret, body, address)
    alert = Alert(
        id=new_id(),
        source=AlertSource.WEBHOOK,
        body=body,
        content_type=header(scope, b"content-type") or "text/plain",
        remote_addr=address,
        ts_event=received_ns,
        ts_init=api.clock.now_ns(),
    )
    # Broadcast before this returns; storing runs after the subscribers' senders it woke.
    if refused is None:
        storing = api.pipeline.accept(alert, document)
    else:
        storing = api.pipeline.reject(alert, refused)
    # TradingView gives up after 3 s. Answer 503 (it retries) if storage is slower than the
    # configured limit; the shielded work still finishes, and a retry then finds the signal
    # as a duplicate instead of broadcasting it twice.
    try:
        processed = await asyncio.wait_for(asyncio.shield(storing), api.limits.webhook_timeout_s)
    except TimeoutError as exc:
        raise RetryableError("storage is slow: alert not yet saved, retry", retry_after=1) from exc
    if processed.status is AlertStatus.REJECTED:
        reply = {"success": False, "status": "rejected", "reason": processed.reason}
        return 422, {**reply, "alert_id": alert.id}
    if processed.status is AlertStatus.DUPLICATE:
        reply = {"success": True, "status": "duplicate", "duplicate_of": processed.duplicate_of}
        return 200, {**reply, "alert_id": alert.id}
    assert processed.signal is not None
    return 200, {
        "success": True,
        "status": "accepted",
        "alert_id": alert.id,
        "signal": processed.signal.to_wire(),
    }


def _answer(description: str, example: dict[str, object]) -> dict[str, object]:
    return {"description": description, "content": {"application/json": {"example": example}}}


_OPERATION: dict[str, object] = {
    "tags": ["webhook"],
    "description": (
        "TradingView's alert body as sent: `text/plain` (e.g. `BTC/USDT LONG @ 45000 TP: 46000 "
        "SL: 44500`) or `application/json` (ticker/action/price/tp/sl/strategy/passphrase). "
        "The shared secret goes in the path or in the JSON `passphrase` field."
    ),
    "requestBody": {
        "required": True,
        "content": {
            "text/plain": {"schema": {"type": "string", "maxLength": 65536}},
            "application/json": {"schema": {"type": "object"}},
        },
    },
    "responses": {
        "200": _answer(
            "Accepted (a new signal) or a duplicate of an earlier one",
            {"success": True, "status": "accepted", "alert_id": "…", "signal": {}},
        ),
        "401": _answer("Missing or wrong secret", {"success": False, "error": "…"}),
        "403": _answer("Source address not on the allowlist", {"success": False, "error": "…"}),
        "405": _answer("Not a POST", {"success": False, "error": "use POST"}),
        "413": _answer("Body over the size limit", {"success": False, "error": "…"}),
        "422": _answer(
            "Unparseable, invalid, unrendered or undecodable alert (stored with the reason)",
            {"success": False, "status": "rejected", "alert_id": "…", "reason": "…"},
        ),
        "429": _answer(
            "Too many wrong secrets from this address lately: retry after Retry-After seconds "
            "(the right secret is never refused)",
            {"success": False, "error": "…"},
        ),
        "503": _answer("Storage is slow or down: retry", {"success": False, "error": "…"}),
    },
}

#: OpenAPI path items for the two webhook URLs.
OPENAPI_PATHS: dict[str, object] = {
    PATH: {"post": {**_OPERATION, "summary": "Receive a TradingView alert"}},
    PATH + "/{secret}": {
        "post": {
            **_OPERATION,
            "summary": "Receive a TradingView alert (secret in path)",
            "parameters": [
                {"name": "secret", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
        }
    },
}
