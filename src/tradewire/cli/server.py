"""What commands need to ask the running ``tradewire serve``: its address, an admin token, and
the reason it gave for a refusal."""

from __future__ import annotations

from typing import Annotated

import httpx
import typer

from tradewire.cli import fail
from tradewire.core.errors import TradewireError
from tradewire.settings import Settings

ServerOpt = Annotated[
    str | None,
    typer.Option(help="The running server [default: http://HOST:PORT from the settings]"),
]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        envvar="TRADEWIRE_TOKEN",
        help="An admin token for the server [default: one signed with this machine's secret]",
    ),
]


def server_url(settings: Settings, server: str | None) -> str:
    """The given server, or the one the settings say ``serve`` listens on."""
    return (server or f"http://{settings.host}:{settings.port}").rstrip("/")


def server_token(settings: Settings, token: str | None, issuer: str) -> str:
    """The given token, or an admin token for ``issuer`` signed with this machine's secret."""
    if token:
        return token
    from tradewire.bootstrap import token_service

    try:
        return token_service(settings).issue(issuer, "admin", ttl_days=1)
    except TradewireError as exc:
        raise fail(exc.message) from exc


def refusal(reply: httpx.Response) -> str:
    """The reason the server gave for refusing a request."""
    try:
        return str(reply.json().get("error") or reply.text)
    except ValueError:
        return reply.text or f"HTTP {reply.status_code}"
