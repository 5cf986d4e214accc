"""``tradewire collector run-once|status`` and ``tradewire watchlist add|remove|list``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tradewire.cli import fail, load_settings
from tradewire.core.errors import TradewireError
from tradewire.marketdata.collector import Collector

collector_app = typer.Typer(help="Market data collector.", no_args_is_help=True)
watchlist_app = typer.Typer(help="The collector's watchlist.", no_args_is_help=True)
out = Console()
T = TypeVar("T")


def with_collector(action: Callable[[Collector], Awaitable[T]]) -> T:
    """Build the service (migrating the database), run ``action`` on its collector, stop."""
    from tradewire import logs
    from tradewire.bootstrap import build

    settings = load_settings(collector_auto_start=False)
    logs.configure(settings.log_level, settings.log_json)  # on stderr: stdout stays parseable

    async def run() -> T:
        container = build(settings)
        await container.start()
        try:
            if container.collector is None:
                raise fail("no usable market data source is configured")
            return await action(container.collector)
        finally:
            await container.stop()

    try:
        return asyncio.run(run())
    except TradewireError as exc:
        raise fail(exc.message) from exc


@collector_app.command("run-once")
def run_once() -> None:
    """Collect every watchlist ticker once, with a progress bar."""

    async def cycle(collector: Collector):
        columns = (
            TextColumn("collecting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True)) as bar:
            task = bar.add_task("cycle", total=len(collector.watchlist.tickers))
            result = await collector.run_once(lambda done, _n: bar.update(task, completed=done))
        return result, collector.counters.last_error

    result, last_error = with_collector(cycle)
    table = Table(title="collection cycle")
    for name in ("tickers", "succeeded", "failed", "api_calls", "duration_s"):
        table.add_column(name, justify="right")
    table.add_row(*(str(getattr(result, n)) for n in ("tickers", "succeeded", "failed")),
                  str(result.api_calls), f"{result.duration_s:.2f}")  # fmt: skip
    out.print(table)
    if result.failed:
        out.print(f"[yellow]last error:[/yellow] {last_error}")
        raise typer.Exit(1)


@collector_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON")] = False,
) -> None:
    """Show the collector's status: the running service's status file if there is one."""
    path = load_settings().collector_status_file
    if path.exists():
        try:
            report = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise fail(f"cannot read {path}: {exc}") from exc
    else:
        report = with_collector(lambda collector: collector.status())
    if as_json:
        typer.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title="collector", show_header=False)
    for key in ("running", "last_run", "tickers_tracked", "cache_entries", "cache_bytes"):
        table.add_row(key, str(report[key]))
    table.add_row("watchlist", ", ".join(report["watchlist"]))
    for source in report["sources"]:
        state = "healthy" if source["healthy"] else "unhealthy"
        table.add_row(f"{source['source']} {source['kind']}", f"{state}, served {source['served']}")
    out.print(table)


@watchlist_app.command("list")
def watchlist_list() -> None:
    """List the watchlist (protected tickers first)."""

    async def load(collector: Collector) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return collector.watchlist.tickers, collector.watchlist.protected

    tickers, protected = with_collector(load)
    for ticker in tickers:
        out.print(f"{ticker}{'  (protected)' if ticker in protected else ''}", highlight=False)


@watchlist_app.command("add")
def watchlist_add(ticker: Annotated[str, typer.Argument(help="e.g. AAPL or BRK.B")]) -> None:
    """Add a ticker to the watchlist."""
    symbol, added = with_collector(lambda collector: collector.watchlist.add(ticker))
    out.print(f"added {symbol}" if added else f"{symbol} already in the watchlist")


@watchlist_app.command("remove")
def watchlist_remove(ticker: Annotated[str, typer.Argument(help="e.g. AAPL")]) -> None:
    """Remove a ticker from the watchlist (SPY and QQQ are protected)."""
    symbol = with_collector(lambda collector: collector.watchlist.remove(ticker))
    out.print(f"removed {symbol}")
