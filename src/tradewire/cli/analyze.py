"""``tradewire analyze TICKER [--json] [--user NAME]``: the decision engine's call on a ticker.

Runs without a server: the configured market data providers and cache, built from Settings.
The size is for the default account (10,000 USD, 2 % risk, at most 10 % in one position), or
with ``--user`` for that stored user's settings and paper account. ``--json`` prints what
``GET /api/analyze/{ticker}`` answers.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import orjson
import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from tradewire.analysis.analyzer import Analysis
from tradewire.analysis.sizing import AccountView
from tradewire.analysis.wire import analysis_to_wire
from tradewire.cli import fail, load_settings
from tradewire.core.clock import iso_utc
from tradewire.core.errors import RejectError, TradewireError
from tradewire.marketdata.watchlist import validate_ticker
from tradewire.users.model import user_name

_COLOURS = {"BUY": "green", "SELL": "red", "HOLD": "yellow"}


def analyze(
    ticker: Annotated[str, typer.Argument(help="e.g. NVDA or BRK.B")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the analysis as JSON")] = False,
    user: Annotated[
        str | None,
        typer.Option("--user", help="Size for this stored user's paper account [default: none]"),
    ] = None,
) -> None:
    """Analyse a ticker: the call, its probability, each component, levels and a size."""
    from tradewire import logs
    from tradewire.bootstrap.analysis import open_analysis, paper_account

    settings = load_settings(collector_auto_start=False)
    logs.configure(settings.log_level, settings.log_json)  # on stderr: stdout stays parseable

    async def run() -> tuple[Analysis, str]:
        symbol = validate_ticker(ticker)
        account, label = AccountView(), "default"
        if user is not None:
            account = await paper_account(settings, user)
            label = f"paper:{user_name(user)}"
        async with open_analysis(settings) as service:
            return await service.analyze(symbol, account), label

    try:
        analysis, label = asyncio.run(run())
    except TradewireError as exc:
        # Bad input (a malformed or unknown ticker, an unknown user) exits 2; sources that
        # are down or not configured exit 1.
        raise fail(exc.message, 2 if isinstance(exc, RejectError) else 1) from exc
    if as_json:
        wire = {**analysis_to_wire(analysis), "account": label}
        typer.echo(orjson.dumps(wire, option=orjson.OPT_INDENT_2).decode())
        return
    Console().print(render(analysis, label))


def render(analysis: Analysis, account: str) -> Panel:
    """Return the analysis as a panel: the call, components, levels, size and the data's age."""
    inputs, calibration = analysis.inputs, analysis.calibration
    colour = _COLOURS.get(analysis.signal, "white")
    if calibration.fitted_from == "identity":
        how = "uncalibrated: the score read as a percentage"
    else:
        how = f"calibrated on {calibration.samples:,} past trades ({calibration.fitted_from})"
    buy, sell = analysis.thresholds
    headline = (
        f"[bold {colour}]{analysis.signal}[/]  probability {analysis.probability:.1f}% ({how})\n"
        f"score {analysis.raw_score:.1f}: BUY at {buy:g} or above, SELL at {sell:g} or below"
    )
    parts = Table("component", "score", "weight", "data", "detail", title="components")
    for name, component in analysis.components.items():
        parts.add_row(
            name,
            f"{component.score:.1f}",
            f"{analysis.weights[name]:.0%}",
            "yes" if component.has_data else "[yellow]no[/]",
            component.detail,
        )
    blocks: list[object] = [headline, parts, _levels(analysis), _sizing(analysis, account)]
    blocks.append(
        f"as of {iso_utc(inputs.as_of_ns)} · data {inputs.data_source}, {inputs.age_s:.1f} s old"
    )
    return Panel(Group(*blocks), title=f"{inputs.ticker} · decision engine", expand=False)


def _levels(analysis: Analysis) -> Table | str:
    levels = analysis.levels
    if levels is None:
        return "levels: too few bars for an ATR"
    table = Table("level", "price", "from", title=f"levels ({levels.side})")
    table.add_row("entry", f"{levels.entry:g}", "the latest quote")
    table.add_row("stop", f"{levels.stop:g}", levels.stop_from)
    table.add_row("target", f"{levels.target:g}", levels.target_from)
    table.add_row("reward:risk", f"{levels.r_r_ratio:.2f}", "")
    return table


def _sizing(analysis: Analysis, account: str) -> Table | str:
    size = analysis.size
    if size is None:
        return "size: no levels to size from"
    table = Table("shares", "risk $", "potential $", "capped by", title=f"size ({account})")
    table.add_row(
        str(size.shares),
        format(size.risk_dollars, "f"),
        format(size.potential_profit, "f"),
        size.capped_by or "risk",
    )
    return table
