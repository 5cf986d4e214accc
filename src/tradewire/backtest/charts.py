"""A backtest's charts: PNG images (matplotlib, Agg, no display) and self-contained HTML pages.

* ``equity.png`` — the equity curve, and below it the drawdown from the running peak in percent.
* ``equity.html`` — the same as an interactive chart (TradingView's lightweight-charts, inlined
  so the page needs nothing else), with each trade's entry and exit marked on the curve.
* ``calibration.png`` / ``calibration.html`` — when long trades carry the strategy's score (the
  probability that a long reaches its target) and whether they reached it: a reliability
  diagram. Trades are bucketed by the
  probability predicted (the calibrator's, or the score read as a percentage); each bucket
  shows the share that reached the target against the share predicted, with its count, beside
  the diagonal a calibrated score would follow.

The chart library is vendored at ``tradewire/web/vendor/`` (``scripts/setup.sh`` puts it back if
it is missing); without it the HTML says so in one line and still holds the data, and the PNGs
are unaffected.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from tradewire.analysis.calibration import IDENTITY, Calibrator, ReliabilityRow, reliability_table
from tradewire.backtest.model import BacktestResult, TradeRecord
from tradewire.core.events import Side

LIBRARY = "lightweight-charts.standalone.production.js"
MISSING_LIBRARY = (
    "The chart library (lightweight-charts) is missing: run scripts/setup.sh to restore "
    f"src/tradewire/web/vendor/{LIBRARY}."
)
_NS_PER_S = 1_000_000_000
#: Up to this many trades, each marker on the HTML equity chart says what it is.
_LABELLED_TRADES = 30


def save_charts(
    result: BacktestResult, directory: Path, *, calibration: Calibrator | None = None
) -> list[Path]:
    """Write the charts of ``result`` into ``directory`` (made if missing); return their paths.

    ``calibration`` maps scores to probabilities for the reliability diagram (default: the
    score read as a percentage).
    """
    directory.mkdir(parents=True, exist_ok=True)
    title = _title(result)
    paths = [directory / "equity.png", directory / "equity.html"]
    _equity_png(result, title, paths[0])
    paths[1].write_text(_equity_html(result, title), encoding="utf-8")
    rows = reliability(result.trades, calibration or IDENTITY)
    if rows is not None:
        paths += save_reliability(rows, title, directory)
    return paths


def save_reliability(rows: list[ReliabilityRow], title: str, directory: Path) -> list[Path]:
    """Write the reliability diagram of ``rows`` as ``calibration.png`` and ``.html``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "calibration.png", directory / "calibration.html"]
    _calibration_png(rows, title, paths[0])
    paths[1].write_text(_calibration_html(rows, title), encoding="utf-8")
    return paths


def drawdown_pct(start: float, equity: Sequence[float]) -> np.ndarray:
    """Return each point's fall from the running peak (the start included), in percent (≤ 0)."""
    curve = np.asarray([start, *equity], dtype=np.float64)
    peak = np.maximum.accumulate(curve)
    with np.errstate(divide="ignore", invalid="ignore"):
        fall = np.where(peak > 0, (curve - peak) / peak * 100, 0.0)
    return fall[1:]


def reliability(
    trades: Sequence[TradeRecord], calibration: Calibrator, buckets: int = 10
) -> list[ReliabilityRow] | None:
    """Return the reliability table of the long trades with a score and a known outcome, or
    None when there are none (a score is the probability that a *long* reaches its target, so
    a short's outcome does not test it)."""
    scored = [
        t
        for t in trades
        if t.side is Side.LONG and t.score is not None and t.reached_target is not None
    ]
    if not scored:
        return None
    probabilities = np.atleast_1d(calibration.probability([t.score for t in scored]))
    outcomes = [1.0 if t.reached_target else 0.0 for t in scored]
    return reliability_table(probabilities, outcomes, buckets=buckets)


def _title(result: BacktestResult) -> str:
    s = result.settings
    period = f"{_day(s.start_ns)} – {_day(s.end_ns)}"
    return f"{s.strategy} on {', '.join(s.symbols)}, {period}"


def _day(ns: int) -> str:
    return datetime.fromtimestamp(ns / _NS_PER_S, tz=UTC).strftime("%Y-%m-%d")


def _equity_png(result: BacktestResult, title: str, path: Path) -> None:
    times = [datetime.fromtimestamp(t / _NS_PER_S, tz=UTC) for t in result.equity_ts]
    equity = [float(v) for v in result.equity]
    fall = drawdown_pct(float(result.metrics.start_equity), equity)
    figure = Figure(figsize=(10, 6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    top.plot(times, equity, color="#2962ff", linewidth=1.2)
    top.set_title(title)
    top.set_ylabel(f"equity ({result.settings.currency})")
    top.grid(alpha=0.3)
    bottom.fill_between(times, fall, 0, color="#ef5350", alpha=0.5, linewidth=0)
    bottom.set_ylabel("drawdown %")
    bottom.grid(alpha=0.3)
    figure.savefig(path, format="png", dpi=100)


def _calibration_png(rows: list[ReliabilityRow], title: str, path: Path) -> None:
    figure = Figure(figsize=(6, 6), layout="constrained")
    axes = figure.subplots()
    axes.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1, label="calibrated")
    filled = [r for r in rows if r.count and r.predicted is not None and r.realised is not None]
    xs = [r.predicted * 100 for r in filled if r.predicted is not None]
    ys = [r.realised * 100 for r in filled if r.realised is not None]
    axes.plot(xs, ys, marker="o", color="#2962ff", label="trades")
    for x, y, row in zip(xs, ys, filled, strict=True):
        axes.annotate(f"n={row.count}", (x, y), textcoords="offset points", xytext=(4, -12))
    axes.set(xlim=(0, 100), ylim=(0, 100), title=f"calibration: {title}")
    axes.set_xlabel("predicted: probability of reaching the target (%)")
    axes.set_ylabel("realised: share that reached the target (%)")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left")
    figure.savefig(path, format="png", dpi=100)


def _library() -> str | None:
    resource = files("tradewire").joinpath("web", "vendor", LIBRARY)
    try:
        return resource.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None


def _script_json(value: object) -> str:
    # Inside <script>, "</" could end the element early.
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def _chart_data(result: BacktestResult) -> dict[str, object]:
    equity = [float(v) for v in result.equity]
    fall = drawdown_pct(float(result.metrics.start_equity), equity)
    points: dict[int, tuple[float, float]] = {}  # by second: the chart needs distinct times
    for ts, value, dd in zip(result.equity_ts, equity, fall.tolist(), strict=True):
        points[ts // _NS_PER_S] = (value, dd)
    # Labels on every marker bury the curve once trades are many: then the arrows speak alone.
    labelled = len(result.trades) <= _LABELLED_TRADES
    markers = []
    for trade in result.trades:
        long = trade.side is Side.LONG
        markers.append({
            "time": trade.entry_ts // _NS_PER_S,
            "position": "belowBar" if long else "aboveBar",
            "color": "#26a69a" if long else "#ef5350",
            "shape": "arrowUp" if long else "arrowDown",
            "text": f"{'buy' if long else 'sell'} {trade.symbol}" if labelled else "",
        })  # fmt: skip
        markers.append({
            "time": trade.exit_ts // _NS_PER_S,
            "position": "aboveBar" if long else "belowBar",
            "color": "#787b86",
            "shape": "circle",
            "text": f"exit {trade.pnl:+f}" if labelled else "",
        })  # fmt: skip
    markers.sort(key=lambda m: m["time"])
    return {
        "equity": [{"time": t, "value": v} for t, (v, _) in sorted(points.items())],
        "drawdown": [{"time": t, "value": d} for t, (_, d) in sorted(points.items())],
        "markers": markers,
    }


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:16px;color:#222}}
#chart{{width:100%;height:560px}} table{{border-collapse:collapse}}
td,th{{padding:2px 10px;text-align:right;border-bottom:1px solid #ddd}}</style></head>
<body><h2>{title}</h2>
{body}
</body></html>
"""

_EQUITY_SCRIPT = """
const chart = LightweightCharts.createChart(document.getElementById("chart"),
  {autoSize: true, rightPriceScale: {scaleMargins: {top: 0.05, bottom: 0.3}}});
const equity = chart.addLineSeries({color: "#2962ff", lineWidth: 2, title: "equity"});
equity.setData(DATA.equity);
equity.setMarkers(DATA.markers);
const drawdown = chart.addHistogramSeries({priceScaleId: "drawdown", color: "#ef5350",
  title: "drawdown %", priceFormat: {type: "percent"}});
chart.priceScale("drawdown").applyOptions({scaleMargins: {top: 0.75, bottom: 0}});
drawdown.setData(DATA.drawdown);
chart.timeScale().fitContent();
"""


def _equity_html(result: BacktestResult, title: str) -> str:
    data = f"<script>const DATA = {_script_json(_chart_data(result))};</script>"
    library = _library()
    if library is None:
        body = f"<p>{html.escape(MISSING_LIBRARY)}</p>\n{data}"
    else:
        script = f"<script>{library}</script>\n{data}\n<script>{_EQUITY_SCRIPT}</script>"
        body = f'<div id="chart"></div>\n{script}'
    m = result.metrics
    summary = (
        f"<p>return {m.return_pct:.2f} % · trades {m.trades} · max drawdown "
        f"{m.max_drawdown_pct:.2f} % · Sharpe {'–' if m.sharpe is None else f'{m.sharpe:.2f}'}</p>"
    )
    return _PAGE.format(title=html.escape(title), body=f"{summary}\n{body}")


def _calibration_html(rows: list[ReliabilityRow], title: str) -> str:
    size, pad = 400, 40

    def at(x: float, y: float) -> tuple[float, float]:
        return pad + x * size, pad + (1 - y) * size

    shapes = [
        f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" stroke="#999"/>',
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999" stroke-dasharray="4"/>'.format(
            *at(0, 0), *at(1, 1)
        ),
    ]
    for tick in range(0, 101, 20):
        x, y = at(tick / 100, 0)
        shapes.append(f'<text x="{x}" y="{y + 16}" text-anchor="middle">{tick}</text>')
        x, y = at(0, tick / 100)
        shapes.append(f'<text x="{x - 6}" y="{y + 4}" text-anchor="end">{tick}</text>')
    table = ["<tr><th>bucket %</th><th>trades</th><th>predicted %</th><th>realised %</th></tr>"]
    for row in rows:
        if row.count and row.predicted is not None and row.realised is not None:
            x, y = at(row.predicted, row.realised)
            shapes.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#2962ff"/>')
            shapes.append(f'<text x="{x + 7:.1f}" y="{y - 7:.1f}">n={row.count}</text>')
        cells = (
            f"{row.low * 100:.0f}–{row.high * 100:.0f}",
            str(row.count),
            "" if row.predicted is None else f"{row.predicted * 100:.1f}",
            "" if row.realised is None else f"{row.realised * 100:.1f}",
        )
        table.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    width = size + 2 * pad
    svg = (
        f'<svg width="{width}" height="{width}" font-size="11" xmlns="http://www.w3.org/2000/svg">'
        + "".join(shapes)
        + "</svg>"
    )
    caption = (
        "<p>Predicted probability of reaching the target (across) against the share of trades "
        "that did (up); a calibrated score follows the dashed diagonal.</p>"
    )
    body = f"{caption}\n{svg}\n<table>{''.join(table)}</table>"
    return _PAGE.format(title=html.escape(f"calibration: {title}"), body=body)
