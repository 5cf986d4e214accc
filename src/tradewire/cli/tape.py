"""``tradewire export trades`` and ``tradewire tape clean``: the stored tape from the shell."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tradewire.cli import console, fail, load_settings
from tradewire.core.errors import TradewireError

export_app = typer.Typer(help="Export stored data.", no_args_is_help=True)
tape_app = typer.Typer(help="Trade-tape maintenance.", no_args_is_help=True)


def open_store():
    """The settings, and the tape store of the configured database."""
    from tradewire.bootstrap import open_tape_store

    settings = load_settings()
    return settings, open_tape_store(settings)


def _counted(chunks: Iterator[list[tuple]], progress: Progress, task) -> Iterator[list[tuple]]:
    for chunk in chunks:
        yield chunk
        progress.advance(task, len(chunk))


@export_app.command("trades")
def export_trades(
    fmt: Annotated[str, typer.Option("--format", help="csv, json or parquet")] = "json",
    start_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD or ISO time (UTC)")] = None,
    end_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (inclusive) or ISO")] = None,
    account: Annotated[str | None, typer.Option(help="Only this account")] = None,
    symbol: Annotated[str | None, typer.Option(help="Only this symbol, e.g. NQZ5")] = None,
    out: Annotated[Path | None, typer.Option(help="File to write [default: stdout]")] = None,
    daily_files: Annotated[
        Path | None, typer.Option(help="Folder for one YYYY-MM-DD_trades.json per day (JSON)")
    ] = None,
) -> None:
    """Export stored trades, streamed with flat memory, with a progress bar."""
    from tradewire.tape.export import (
        date_range,
        ending_in_failure_marker,
        write_daily,
        writer_for,
    )
    from tradewire.tape.ports import TradeQuery

    try:
        write = writer_for(fmt)
        since, until = date_range(start_date, end_date)
    except TradewireError as exc:
        raise fail(exc.message) from exc
    if daily_files is not None and fmt.lower() != "json":
        raise fail("--daily-files writes the seed's JSON layout: use --format json")
    if daily_files is not None and out is not None:
        raise fail("use either --out or --daily-files, not both")
    query = TradeQuery(
        account=account, symbol=symbol.upper() if symbol else None, since_ns=since, until_ns=until
    )
    try:
        _settings, store = open_store()
        total = store.count(query)
    except TradewireError as exc:
        raise fail(exc.message) from exc
    started = time.perf_counter()
    columns = (
        TextColumn("[bold]exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("trades", total=total)
            if daily_files is not None:
                paths = write_daily(
                    store.iter_rows(query), daily_files, lambda n: progress.advance(task, n)
                )
                where = f"{len(paths)} daily files in {daily_files}"
            else:
                chunks = _counted(store.iter_rows(query), progress, task)
                sink = out.open("wb") if out is not None else sys.stdout.buffer
                try:
                    for data in ending_in_failure_marker(fmt, write(chunks)):
                        sink.write(data)
                finally:
                    if out is not None:
                        sink.close()
                where = str(out) if out is not None else "stdout"
    except TradewireError as exc:
        # What was written ends with the format's failure marker.
        raise fail(f"export incomplete: {exc.message}", 1) from exc
    console.print(f"{total} trades → {where} in {time.perf_counter() - started:.2f}s")


@tape_app.command("clean")
def tape_clean(
    days: Annotated[
        int | None,
        typer.Option(min=1, max=3650, help="Keep this many days [default: days_to_keep]"),
    ] = None,
) -> None:
    """Delete stored trades older than the retention period."""
    from tradewire.tape.service import retention_cutoff

    try:
        settings, store = open_store()
        stored = store.load_config()
    except TradewireError as exc:
        raise fail(exc.message) from exc
    keep = days or (stored or settings.scraper).days_to_keep
    deleted = store.delete_before(retention_cutoff(time.time_ns(), keep))
    console.print(f"deleted {deleted} trades older than {keep} days")
