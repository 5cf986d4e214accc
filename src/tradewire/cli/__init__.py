"""The ``tradewire`` command line (Typer)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from typing import Annotated

import typer
from pydantic import ValidationError
from pydantic_settings import DotEnvSettingsSource, EnvSettingsSource, SettingsError
from rich.console import Console
from rich.markup import escape

from tradewire.core.errors import FatalError, TradewireError
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
    """Build Settings from the environment plus CLI overrides; if invalid, exit 2 with one line
    naming the environment variable at fault."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        reason = "; ".join(f"{env_variable(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise fail(f"invalid setting {reason}") from exc
    except SettingsError as exc:
        raise fail(f"invalid setting {unreadable_variable(exc)}") from exc


def env_variable(loc: Sequence[int | str]) -> str:
    """The environment variable a validation error's location points into.

    Nested sections and mappings continue the name (``__``); a list index or anything else
    inside a JSON value ends it.
    """
    parts: list[str] = []
    for part in loc:
        if not isinstance(part, str) or not part.isidentifier():
            break
        parts.append(part.upper())
    return "TRADEWIRE_" + "__".join(parts) if parts else "settings"


_SOURCES = {source.__name__: source for source in (EnvSettingsSource, DotEnvSettingsSource)}


def unreadable_variable(exc: SettingsError) -> str:
    """Name the variable whose value could not be read as JSON, and say why.

    The settings library names only the top-level field; the variable is found by letting its
    own reader try each one of that field alone.
    """
    found = re.search(r'field "(\w+)" from source "(\w+)"', str(exc))
    if found is None:
        return str(exc)
    field, source_name = found.groups()
    name = f"TRADEWIRE_{field.upper()}"
    source_class = _SOURCES.get(source_name)
    if source_class is not None:
        source = source_class(Settings)
        for variable, value in source.env_vars.items():
            try:
                source.explode_env_vars(field, Settings.model_fields[field], {variable: value})
            except ValueError:
                name = variable.upper()
                break
    return f"{name}: not valid JSON ({exc.__cause__}); lists and objects are written as JSON"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` as one line and return the exit to raise."""
    console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


HostOpt = Annotated[str | None, typer.Option(help="Address to listen on [default: 127.0.0.1]")]
PortOpt = Annotated[int | None, typer.Option(min=1, max=65535, help="Port [default: 6001]")]


DebugOpt = Annotated[
    bool, typer.Option("--debug", help="Show the whole traceback of a start-up failure")
]


def run_service(start: Callable[[], None], debug: bool) -> None:
    """Run ``start``; a failure is one line (exit 1 for the environment, 2 for the input)."""
    try:
        start()
    except TradewireError as exc:
        if debug:
            raise
        raise fail(exc.message, 1 if isinstance(exc, FatalError) else 2) from exc


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None, debug: DebugOpt = False) -> None:
    """Run the whole service."""
    from tradewire.server import run

    settings = load_settings(host=host, port=port)
    run_service(lambda: run(settings), debug)


@app.command()
def demo(
    host: HostOpt = None,
    port: PortOpt = None,
    rate: Annotated[float, typer.Option(min=0.05, max=1000, help="Alerts per second")] = 0.5,
    duration: Annotated[
        float | None, typer.Option(min=1, help="Stop after this many seconds [default: never]")
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Run the service with built-in simulated sources: no network, no accounts."""
    from tradewire.demo import run_demo

    settings = load_settings(host=host, port=port)
    run_service(lambda: run_demo(settings, rate=rate, duration=duration), debug)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option(help="Who the token is for")],
    role: Annotated[
        str, typer.Option(help="subscriber (reads), ingest (also stores tape) or admin")
    ] = "subscriber",
    account: Annotated[
        str | None,
        typer.Option(help="The account it stores tape for [default: the user, for ingest]"),
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3650, help="Days until it expires")] = 30,
) -> None:
    """Print a JWT for the API and WebSocket."""
    from tradewire.bootstrap import token_service

    settings = load_settings()
    try:
        tokens = token_service(settings)
        token = tokens.issue(
            user.strip(), role, ttl_days=days, account=account.strip() if account else account
        )
    except TradewireError as exc:
        raise fail(exc.message) from exc
    typer.echo(token)


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
from tradewire.cli import users as _users  # noqa: E402

app.add_typer(_users.user_app, name="user")
from tradewire.cli import paper as _paper  # noqa: E402

app.add_typer(_paper.paper_app, name="paper")
from tradewire.cli import backtest as _backtest  # noqa: E402

app.add_typer(_backtest.backtest_app, name="backtest")
from tradewire.cli import analyze as _analyze  # noqa: E402

app.command("analyze")(_analyze.analyze)
