"""The ``tradewire`` command line (Typer)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError as SettingsError
from rich.console import Console

from tradewire.core.errors import TradewireError
from tradewire.settings import Settings

app = typer.Typer(
    name="tradewire",
    help="Signal desk: capture alerts and tape, store, analyse, broadcast and trade them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
token_app = typer.Typer(help="Issue API and WebSocket tokens.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")

console = Console(stderr=True)


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment plus CLI overrides; exit 2 with the reason if invalid."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except SettingsError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "settings"
            console.print(f"[red]invalid setting[/red] {field}: {err['msg']}")
        raise typer.Exit(2) from exc


def fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


HostOpt = Annotated[str | None, typer.Option(help="Address to listen on [default: 127.0.0.1]")]
PortOpt = Annotated[int | None, typer.Option(min=1, max=65535, help="Port [default: 6001]")]


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None) -> None:
    """Run the whole service."""
    from tradewire.server import run

    settings = load_settings(host=host, port=port)
    try:
        run(settings)
    except TradewireError as exc:
        raise fail(exc.message) from exc


@app.command()
def demo(
    host: HostOpt = None,
    port: PortOpt = None,
    rate: Annotated[float, typer.Option(min=0.05, max=1000, help="Alerts per second")] = 0.5,
    duration: Annotated[
        float | None, typer.Option(min=1, help="Stop after this many seconds [default: never]")
    ] = None,
) -> None:
    """Run the service with built-in simulated sources: no network, no accounts."""
    from tradewire.demo import run_demo

    settings = load_settings(host=host, port=port)
    try:
        run_demo(settings, rate=rate, duration=duration)
    except TradewireError as exc:
        raise fail(exc.message) from exc


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option(help="Who the token is for")],
    role: Annotated[str, typer.Option(help="admin or subscriber")] = "subscriber",
    days: Annotated[int, typer.Option(min=1, max=3650, help="Days until it expires")] = 30,
) -> None:
    """Print a JWT for the API and WebSocket."""
    from tradewire.api.auth import ROLES
    from tradewire.bootstrap import token_service

    if role not in ROLES:
        raise fail(f"unknown role {role!r}: use admin or subscriber")
    if not user.strip() or len(user) > 100:
        raise fail("--user must be 1-100 characters")
    settings = load_settings()
    try:
        tokens = token_service(settings)
    except TradewireError as exc:
        raise fail(exc.message) from exc
    typer.echo(tokens.issue(user.strip(), role, ttl_days=days))


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Apply database migrations."""
    from tradewire.storage.migrate import upgrade

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        upgrade(settings.db_url, revision)
    except TradewireError as exc:
        raise fail(exc.message) from exc
    except Exception as exc:
        raise fail(f"migration failed: {exc}", 1) from exc
    console.print(f"database at revision {revision}")


from tradewire.cli.tape import export_app, tape_app  # noqa: E402 (needs the helpers above)

app.add_typer(export_app, name="export")
app.add_typer(tape_app, name="tape")
from tradewire.cli.capture import capture_app  # noqa: E402

app.add_typer(capture_app, name="capture")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


# Command groups of the other areas, one line each (imported last: they use load_settings/fail).
from tradewire.cli import marketdata as _marketdata  # noqa: E402

app.add_typer(_marketdata.collector_app, name="collector")
app.add_typer(_marketdata.watchlist_app, name="watchlist")
