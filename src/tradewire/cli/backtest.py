"""``tradewire backtest run|list|show``: run a strategy over history, and read past runs.

``run`` takes its bars from exactly one kind of source: tickers (or ``--watchlist``), whose
daily history comes from the configured candle providers in order; bar files (``--data``); or
a history a library ships (``--packaged``). The bars from a year before ``--start`` are loaded
too when a provider serves them, so indicators are warm when trading begins; ``--end`` is
included. The report is printed, the charts written to ``--out`` (default
``<data dir>/backtests/<id>/``) and the result stored in the database, where ``list`` and
``show`` find it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from tradewire.backtest.bars import Bars
from tradewire.backtest.evidence import Evidence
from tradewire.backtest.model import BacktestResult
from tradewire.cli import fail, load_settings
from tradewire.core.clock import iso_utc
from tradewire.core.errors import RejectError, TradewireError
from tradewire.settings import Settings


class _RunByDefault(TyperGroup):
    """``tradewire backtest AAPL …`` is ``tradewire backtest run AAPL …``: anything that is not
    a subcommand's name runs a backtest."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


backtest_app = typer.Typer(
    cls=_RunByDefault,
    help="Backtests: replay history through a strategy on the paper venue (`backtest TICKER… "
    "--start D --end D` is `backtest run`), calibrate the decision engine, read past runs.",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True)
T = TypeVar("T")

DAY_NS = 86_400 * 1_000_000_000
#: History loaded before ``--start`` from a provider, for the strategy's indicators to warm up.
WARM_UP_NS = 365 * DAY_NS
TRADES_SHOWN = 20
NOTES_SHOWN = 10


def _date(option: str, text: str) -> int:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise fail(f"{option} {text!r} is not a date like 2024-01-31") from exc
    return int(day.timestamp()) * 1_000_000_000


def _decimal(option: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise fail(f"{option} {text!r} is not a number") from exc
    if not value.is_finite():
        raise fail(f"{option} {text!r} is not a number")
    return value


def _params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise fail(f"--param {pair!r} is not key=value")
        params[key.strip()] = value.strip()
    return params


def _run(action: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``action``; an error of ours is one line (exit 2 for the input, 1 otherwise)."""
    try:
        return asyncio.run(action())
    except TradewireError as exc:
        raise fail(exc.message, 2 if isinstance(exc, RejectError) else 1) from exc


def _progress(label: str) -> Progress:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # Drawn only on a terminal: piped or logged output gets no half-drawn bars.
    return Progress(*columns, console=err, transient=True, disable=not err.is_terminal)


async def _history(
    settings: Settings, tickers: list[str], start_ns: int, end_ns: int
) -> list[Bars]:
    """Daily bars of each ticker from the first configured provider that has them."""
    from tradewire.backtest.history import provider_history
    from tradewire.bootstrap.backtests import open_history_sources

    loaded: list[Bars] = []
    async with open_history_sources(settings) as sources:
        if not sources:
            raise fail("no configured candle provider serves daily history")
        with _progress("loading") as bar:
            task = bar.add_task("load", total=len(tickers))
            for ticker in tickers:
                failure: TradewireError | None = None
                for source in sources:
                    try:
                        bars = await provider_history(
                            source, ticker, start_ns=start_ns - WARM_UP_NS, end_ns=end_ns
                        )
                    except TradewireError as exc:  # the next provider may have it
                        failure = failure or exc
                        continue
                    loaded.append(bars)
                    break
                else:
                    assert failure is not None  # there was at least one source
                    raise failure
                bar.advance(task)
    return loaded


def _files(paths: list[Path]) -> list[Bars]:
    from tradewire.backtest.data import load_file

    loaded = []
    with _progress("loading") as bar:
        task = bar.add_task("load", total=len(paths))
        for path in paths:
            if not path.is_file():
                raise fail(f"--data {path}: no such file")
            try:
                result = load_file(path)
            except TradewireError as exc:
                raise fail(exc.message) from exc
            for note in result.notes:
                err.print(f"[yellow]note:[/yellow] {note}", soft_wrap=True)
            loaded.append(result.bars)
            bar.advance(task)
    return loaded


@backtest_app.command("run")
def run(
    tickers: Annotated[
        list[str] | None, typer.Argument(help="Tickers whose daily history to fetch")
    ] = None,
    start: Annotated[str, typer.Option(help="First day traded, YYYY-MM-DD")] = "",
    end: Annotated[str, typer.Option(help="Last day traded (included), YYYY-MM-DD")] = "",
    watchlist: Annotated[bool, typer.Option("--watchlist", help="The collector's tickers")] = False,
    data: Annotated[
        list[Path] | None, typer.Option("--data", help="A CSV or Parquet file of bars (repeat)")
    ] = None,
    packaged_name: Annotated[
        str | None, typer.Option("--packaged", help="A shipped history: sp500, eurusd or goog")
    ] = None,
    strategy: Annotated[str, typer.Option(help="decision-engine or sma-cross")] = "decision-engine",
    param: Annotated[
        list[str] | None, typer.Option("--param", help="A strategy parameter key=value (repeat)")
    ] = None,
    cash: Annotated[str, typer.Option(help="Starting cash")] = "10000",
    fee_bps: Annotated[str, typer.Option(help="Fee per fill, basis points of its value")] = "0",
    slippage_bps: Annotated[str, typer.Option(help="Slippage per market fill, bps")] = "0",
    risk_percent: Annotated[
        str, typer.Option(help="Risk-sized entries: percent of equity lost at the stop")
    ] = "1",
    max_notional_percent: Annotated[
        str, typer.Option(help="Risk-sized entries: largest position, percent of equity")
    ] = "100",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Chart folder [default: <data>/backtests/<id>]")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Run a strategy over history: print the report, write the charts, store the result."""
    from tradewire import logs
    from tradewire.backtest.config import BacktestConfig
    from tradewire.backtest.engine import run_backtest
    from tradewire.backtest.strategies import STRATEGY_NAMES, build_strategy
    from tradewire.bootstrap.analysis import build_engine
    from tradewire.trading.account import AccountSettings
    from tradewire.trading.fees import SlippageModel, SlippageUnit

    kinds = [bool(tickers) or watchlist, bool(data), packaged_name is not None]
    if sum(kinds) != 1:
        raise fail("give one source of bars: TICKER... or --watchlist, --data PATH, or --packaged")
    if tickers and watchlist:
        raise fail("give tickers or --watchlist, not both")
    if not start or not end:
        raise fail("give the period with --start YYYY-MM-DD and --end YYYY-MM-DD")
    start_ns, end_ns = _date("--start", start), _date("--end", end) + DAY_NS
    if end_ns <= start_ns:
        raise fail(f"--end {end} is before --start {start}")
    if strategy not in STRATEGY_NAMES:
        raise fail(f"no strategy {strategy!r}; known: {', '.join(STRATEGY_NAMES)}")
    params = _params(param or [])
    amounts = {
        "--cash": cash,
        "--fee-bps": fee_bps,
        "--slippage-bps": slippage_bps,
        "--risk-percent": risk_percent,
        "--max-notional-percent": max_notional_percent,
    }
    cash_, fee, slip, risk, notional = (_decimal(option, text) for option, text in amounts.items())
    if slip < 0:
        raise fail("--slippage-bps cannot be negative")
    try:
        account = AccountSettings(risk_percent=risk, max_notional_percent=notional)
    except TradewireError as exc:
        raise fail(exc.message) from exc
    settings = load_settings()
    logs.configure(settings.log_level, settings.log_json)  # on stderr: stdout stays parseable

    async def execute() -> BacktestResult:
        chosen = build_strategy(strategy, params, build_engine(settings))
        if packaged_name is not None:
            from tradewire.backtest.data import packaged

            bars, source = [packaged(packaged_name)], f"packaged:{packaged_name}"
        elif data:
            bars, source = _files(data), "files:" + ",".join(p.name for p in data)
        else:
            from tradewire.bootstrap.backtests import watchlist_tickers

            names = tickers or await watchlist_tickers(settings)
            bars = await _history(settings, [t.upper() for t in names], start_ns, end_ns)
            source = "providers:" + ",".join(settings.candle_providers)
        config = BacktestConfig(
            cash=cash_,
            fee_bps=fee,
            slippage=SlippageModel(amount=slip, unit=SlippageUnit.BPS),
            account=account,
            start_ns=start_ns,
            end_ns=end_ns,
            source=source,
        )
        with _progress("running") as bar:
            task = bar.add_task("run", total=None)
            return await run_backtest(
                bars,
                chosen,
                config,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )

    result = _run(execute)
    directory = out_dir or settings.data_dir / "backtests" / result.id
    charts = _charts(result, directory)
    _run(lambda: _save(settings, result))
    _report(result, as_json)
    err.print(f"stored as {result.id} in {_where(settings)}", highlight=False)
    err.print(f"charts: {', '.join(map(str, charts))}", highlight=False, soft_wrap=True)


async def _save(settings: Settings, result: BacktestResult) -> None:
    from tradewire.bootstrap.backtests import open_backtest_store

    async with open_backtest_store(settings) as store:
        await store.save(result)


def _charts(result: BacktestResult, directory: Path) -> list[Path]:
    from tradewire.backtest.charts import save_charts

    try:
        return save_charts(result, directory)
    except OSError as exc:
        raise fail(f"cannot write the charts to {directory}: {exc.strerror or exc}") from exc


def _where(settings: Settings) -> str:
    from tradewire.storage.db import safe_url

    return safe_url(settings.db_url)


@backtest_app.command("calibrate")
def calibrate(
    tickers: Annotated[
        list[str] | None, typer.Argument(help="Tickers whose daily history to fetch")
    ] = None,
    split: Annotated[
        str, typer.Option(help="Fit before this day, report from it, YYYY-MM-DD")
    ] = "",
    data: Annotated[
        Path | None, typer.Option("--data", help="A CSV or Parquet file of bars")
    ] = None,
    packaged_name: Annotated[
        str | None, typer.Option("--packaged", help="A shipped history: sp500, eurusd or goog")
    ] = None,
    start: Annotated[str, typer.Option(help="History from this day (providers)")] = "2005-01-01",
    end: Annotated[str, typer.Option(help="History to this day (providers)")] = "",
    horizon: Annotated[int, typer.Option(min=1, max=1_000, help="Bars a trade may take")] = 20,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Calibration file [default: <data>/calibration.json]"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Fit the decision engine's score to how often a long at its levels reached the target
    before the stop, on the bars before --split, and report on the bars after it."""
    from tradewire.backtest.charts import save_reliability
    from tradewire.backtest.evidence import calibrate as fit
    from tradewire.backtest.evidence import decision_samples
    from tradewire.bootstrap.analysis import build_engine

    if sum([bool(tickers), data is not None, packaged_name is not None]) != 1:
        raise fail("give one source of bars: a TICKER, --data PATH or --packaged NAME")
    if tickers and len(tickers) > 1:
        raise fail("calibrate one ticker at a time")
    if not split:
        raise fail("give the split day with --split YYYY-MM-DD")
    split_ns = _date("--split", split)
    settings = load_settings()
    engine = build_engine(settings)

    async def load() -> Bars:
        if packaged_name is not None:
            from tradewire.backtest.data import packaged

            return packaged(packaged_name)
        if data is not None:
            return _files([data])[0]
        assert tickers  # one source was given
        last = _date("--end", end) + DAY_NS if end else int(datetime.now(UTC).timestamp()) * 10**9
        return (await _history(settings, tickers[:1], _date("--start", start), last))[0]

    bars = _run(load)
    context = {t: bars for t in engine.settings.context_tickers[:1]}  # the market: itself
    try:
        samples = decision_samples(bars, engine, context=context, horizon=horizon)
        evidence = fit(samples, split_ns=split_ns, horizon=horizon)
    except TradewireError as exc:
        raise fail(exc.message) from exc
    target = out_file or settings.data_dir / "calibration.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(orjson.dumps(evidence.to_dict(), option=orjson.OPT_INDENT_2))
    charts = save_reliability(evidence.report.table, f"{bars.symbol} from {split}", target.parent)
    if as_json:
        typer.echo(orjson.dumps(evidence.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        print_evidence(out, evidence)
    err.print(
        f"wrote {target} (use it: TRADEWIRE_ANALYZER__CALIBRATION_FILE={target}); "
        f"charts: {', '.join(map(str, charts))}",
        highlight=False,
        soft_wrap=True,
    )


def print_evidence(console: Console, evidence: Evidence) -> None:
    """Print a calibration's out-of-sample report: the reliability table, then the figures
    with a plain verdict."""
    report = evidence.report
    table = Table(title=f"{evidence.symbol}: out of sample, horizon {evidence.horizon} bars")
    for column in ("predicted bucket", "samples", "predicted", "realised"):
        table.add_column(column, justify="right")
    for row in report.table:
        if row.count:
            table.add_row(
                f"{row.low:.1f}–{row.high:.1f}",
                str(row.count),
                f"{row.predicted:.3f}",
                f"{row.realised:.3f}",
            )
    console.print(table)
    verdict = (
        "better than always predicting the base rate"
        if report.brier < report.brier_base_rate
        else "NO better than always predicting the base rate: the score adds nothing here"
    )
    auc = "—" if report.auc is None else f"{report.auc:.3f}"
    buys = evidence.buy_calls
    realised = buys["realised"]
    console.print(
        f"train {evidence.train} samples (base rate {evidence.train_base_rate:.3f}), test "
        f"{report.test_samples} (base rate {report.base_rate_test:.3f})\n"
        f"ECE {report.ece:.4f} · Brier {report.brier:.4f} against the base rate's "
        f"{report.brier_base_rate:.4f}: {verdict} · AUC {auc}\n"
        f"BUY calls in the test period: {buys['count']}"
        + (f", {realised:.1%} reached the target" if isinstance(realised, float) else ""),
        highlight=False,
        soft_wrap=True,
    )


@backtest_app.command("list")
def list_(
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="The latest this many")] = 50,
) -> None:
    """List the stored backtests, newest first."""
    from tradewire.bootstrap.backtests import open_backtest_store

    settings = load_settings()

    async def read():
        async with open_backtest_store(settings) as store:
            return await store.list(limit)

    table = Table(title="backtests")
    table.add_column("id", no_wrap=True, min_width=26)  # to copy into `show`: never wrapped
    for column in ("created", "strategy", "symbols", "period"):
        table.add_column(column)
    for column in ("trades", "return %", "Sharpe", "max DD %"):
        table.add_column(column, justify="right")
    for s in _run(read):
        table.add_row(
            s.id, _time(s.created_ns), s.strategy, ", ".join(s.symbols),
            f"{_day(s.start_ns)} – {_day(s.end_ns)}", str(s.trades), f"{s.return_pct:.2f}",
            _ratio(s.sharpe), f"{s.max_drawdown_pct:.2f}",
        )  # fmt: skip
    out.print(table)


@backtest_app.command("show")
def show(
    id: Annotated[str, typer.Argument(help="The backtest's id (see `backtest list`)")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Chart folder [default: <data>/backtests/<id>]")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Show a stored backtest's report and its charts (written again if they are missing)."""
    from tradewire.bootstrap.backtests import open_backtest_store

    settings = load_settings()

    async def read() -> BacktestResult | None:
        async with open_backtest_store(settings) as store:
            return await store.get(id)

    result = _run(read)
    if result is None:
        raise fail(f"no stored backtest {id!r} (see `tradewire backtest list`)")
    directory = out_dir or settings.data_dir / "backtests" / result.id
    names = ("equity.png", "equity.html", "calibration.png", "calibration.html")
    charts = [directory / n for n in names if (directory / n).is_file()]
    if not charts:
        charts = _charts(result, directory)
    _report(result, as_json)
    err.print(f"charts: {', '.join(map(str, charts))}", highlight=False, soft_wrap=True)


def _report(result: BacktestResult, as_json: bool) -> None:
    """Print the result as JSON, or as the metrics table and the last trades."""
    if as_json:
        from tradewire.backtest.codec import to_dict

        typer.echo(orjson.dumps(to_dict(result), option=orjson.OPT_INDENT_2).decode())
        return
    s, m = result.settings, result.metrics
    params = " ".join(f"{k}={v}" for k, v in s.params.items())
    table = Table(show_header=False, title=f"backtest {result.id}")
    rows = [
        ("strategy", f"{s.strategy} {params}".strip()),
        ("symbols", ", ".join(s.symbols)),
        ("period", f"{_day(s.start_ns)} – {_day(s.end_ns)} ({result.bars} bars)"),
        ("source", s.source),
        ("fees / slippage", f"{s.fee_bps} bps / {s.slippage}"),
        ("start equity", f"{m.start_equity} {s.currency}"),
        ("final equity", f"{m.final_equity} {s.currency}"),
        ("net PnL", f"{m.net_pnl} {s.currency}"),
        ("return %", f"{m.return_pct:.2f}"),
        ("buy and hold %", _ratio(m.buy_and_hold_pct)),
        ("trades (wins / losses)", f"{m.trades} ({m.wins} / {m.losses})"),
        ("win rate %", _ratio(m.win_rate)),
        ("expectancy", "–" if m.expectancy is None else f"{m.expectancy} {s.currency}"),
        ("profit factor", _ratio(m.profit_factor)),
        ("Sharpe", _ratio(m.sharpe)),
        ("max drawdown", f"{m.max_drawdown} {s.currency} ({m.max_drawdown_pct:.2f} %)"),
        ("exposure %", f"{m.exposure_pct:.2f}"),
        ("fees", f"{m.fees} {s.currency}"),
        ("ran in", f"{result.elapsed_s:.2f} s"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)
    for note in result.notes[:NOTES_SHOWN]:
        out.print(f"note: {note}", highlight=False)
    if len(result.notes) > NOTES_SHOWN:
        out.print(f"… and {len(result.notes) - NOTES_SHOWN} more notes (--json has them all)")
    shown = result.trades[-TRADES_SHOWN:]
    trades = Table(
        "symbol", "side", "qty", "entry", "entry price", "exit", "exit price", "PnL", "return %",
        "exit reason", "score",
        title=f"trades (last {len(shown)} of {len(result.trades)})",
    )  # fmt: skip
    for t in shown:
        trades.add_row(
            t.symbol, t.side.value, str(t.qty), _time(t.entry_ts), str(t.entry_price),
            _time(t.exit_ts), str(t.exit_price), str(t.pnl), f"{t.return_pct:.2f}",
            t.exit_reason, _ratio(t.score),
        )  # fmt: skip
    out.print(trades)


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _day(ns: int) -> str:
    return iso_utc(ns)[:10]


def _time(ns: int) -> str:
    return iso_utc(ns)[:16].replace("T", " ")
