"""``tradewire user add|list|disable|enable``: the user store from the shell.

``add`` and ``list`` use the configured database. ``disable`` and ``enable`` ask the running
server (its API, with an admin token signed with this machine's secret), because the process
that owns the store keeps which users are disabled in memory: it then refuses the user's tokens
at once and closes its WebSocket connections. When no server answers, they change the database
directly, and a server started later reads it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar
from urllib.parse import quote

import click
import httpx
import typer
from rich.console import Console
from rich.table import Table

from tradewire.cli import console, fail, load_settings
from tradewire.cli.server import ServerOpt, TokenOpt, refusal, server_token, server_url
from tradewire.core.clock import iso_utc
from tradewire.core.errors import RejectError, TradewireError
from tradewire.settings import Settings
from tradewire.users.model import role_of, user_name
from tradewire.users.service import UserService

user_app = typer.Typer(
    help="Users: names, roles and passwords for signing in.", no_args_is_help=True
)

T = TypeVar("T")

NameArg = Annotated[str, typer.Argument(help="The user's name (the subject of its tokens)")]


def _with_users(settings: Settings, work: Callable[[UserService], Awaitable[T]]) -> T:
    """Run ``work`` on the configured database's user service; errors exit with one line (2
    for bad input, 1 for the environment)."""
    from tradewire.bootstrap.users import open_users

    async def run() -> T:
        async with open_users(settings) as users:
            return await work(users)

    try:
        return asyncio.run(run())
    except TradewireError as exc:
        raise fail(exc.message, 2 if isinstance(exc, RejectError) else 1) from exc


def _password(from_stdin: bool, none: bool) -> str | None:
    """The new user's password: from standard input, asked twice unseen, or none at all."""
    if from_stdin and none:
        raise fail("--password-stdin and --no-password exclude each other")
    if none:
        return None
    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not password:
            raise fail("no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise fail("no terminal to ask for the password on: use --password-stdin or --no-password")
    try:
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    except click.exceptions.Abort as exc:
        raise fail("no password given") from exc


@user_app.command("add")
def add(
    name: NameArg,
    role: Annotated[
        str, typer.Option(help="subscriber (reads), ingest (also stores tape) or admin")
    ] = "subscriber",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    no_password: Annotated[
        bool,
        typer.Option("--no-password", help="No password: only `token create` tokens work for it"),
    ] = False,
) -> None:
    """Add a user; without --password-stdin or --no-password, ask for its password twice."""
    settings = load_settings()
    try:
        name, kind = user_name(name), role_of(role)
    except RejectError as exc:
        raise fail(exc.message) from exc
    password = _password(password_stdin, no_password)
    user = _with_users(settings, lambda users: users.add(name, kind, password))
    how = "with a password" if user.has_password else "without a password"
    console.print(f"added {user.name} ({user.role.value}) {how}")


@user_app.command("list")
def list_users() -> None:
    """Show every user: name, role, whether disabled, whether it has a password, when added."""
    users = _with_users(load_settings(), lambda service: service.list())
    table = Table("name", "role", "disabled", "password", "created")
    for user in users:
        table.add_row(
            user.name,
            user.role.value,
            "yes" if user.disabled else "no",
            "yes" if user.has_password else "no",
            iso_utc(user.created_ns),
        )
    Console().print(table)


@user_app.command("disable")
def disable(name: NameArg, server: ServerOpt = None, token: TokenOpt = None) -> None:
    """Disable a user: its tokens stop working and its connections close at once."""
    _set_disabled(name, True, server, token)


@user_app.command("enable")
def enable(name: NameArg, server: ServerOpt = None, token: TokenOpt = None) -> None:
    """Enable a disabled user again."""
    _set_disabled(name, False, server, token)


def _set_disabled(name: str, disabled: bool, server: str | None, token: str | None) -> None:
    settings = load_settings()
    url = server_url(settings, server)
    action = "disable" if disabled else "enable"
    headers = {"Authorization": f"Bearer {server_token(settings, token, 'user-cli')}"}
    try:
        reply = httpx.post(
            f"{url}/api/users/{quote(name, safe='')}/{action}", headers=headers, timeout=30
        )
    except httpx.ConnectError:
        # Nothing listens there: no server holds the store, so this command may change it.
        _with_users(settings, lambda users: users.set_disabled(name, disabled))
        console.print(f"{action}d {name} in the database (no server answered at {url})")
        return
    except httpx.HTTPError as exc:
        raise fail(f"the server at {url} did not answer ({exc.__class__.__name__})", 1) from exc
    if reply.status_code != 200:
        raise fail(
            f"the server at {url} refused: {refusal(reply)}", 2 if reply.status_code < 500 else 1
        )
    console.print(f"{action}d {name} in the server at {url}")
