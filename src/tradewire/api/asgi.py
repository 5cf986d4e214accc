"""Plain-ASGI plumbing for the endpoints on the latency-critical path.

The webhook and the signal stream are served without the framework's middleware, routing and
dependency solving, which cost more than the whole alert → signal pipeline; these helpers give
them what they need of HTTP.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import orjson

from tradewire.core.errors import PayloadTooLargeError, ValidationError

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ClientGone(Exception):
    """The client disconnected before its request was read: there is nobody to answer."""


def header(scope: Scope, name: bytes) -> str | None:
    """The value of header ``name`` (lower case), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def query_param(scope: Scope, name: str) -> str | None:
    """The first value of query parameter ``name``, or None."""
    raw = scope.get("query_string", b"")
    if not raw:
        return None
    values = parse_qs(raw.decode("latin-1")).get(name)
    return values[0] if values else None


def client_host(scope: Scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """Read the request body, refusing (413) anything over ``limit`` bytes before reading it all."""
    declared = header(scope, b"content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ValidationError("invalid Content-Length")
        if int(declared) > limit:
            raise PayloadTooLargeError(f"body larger than {limit} bytes")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"body larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_json(
    send: Send,
    status: int,
    payload: object,
    headers: Iterable[tuple[str, str]] = (),
) -> None:
    """Answer with ``payload`` as JSON."""
    body = orjson.dumps(payload)
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.encode("latin-1"), value.encode("latin-1")) for name, value in headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
