"""Benchmark: how often chart-pattern detection finds each pattern, how often it raises one on
series without any, and what one call costs on a trailing window of 300 bars.

Detection: ``--series`` synthetic series per pattern kind (tests/support/pattern_series.py: a
random-walk history, the pattern with noise at a random price level from ~1 to ~50,000, its
breakout, and 0–3 bars more) and ``--plain`` pattern-free series (random walks with drift, noisy
straight trends, flat prices, sine waves; 300 bars each), one call at each series' last bar. A
*hit* is the pattern's kind with its bias, confirmed, ending within 5 bars of the bar at which
the drawn breakout crosses the line; a *wrong kind* is a series on which another kind was
reported too (alongside a hit or not); a *false alarm* is a pattern-free series on which anything
was reported, counted under the kind raised.

Timing: ``find_patterns`` with its defaults on every trailing 300-bar window of 10 random walks
(``--calls`` calls in all), as a backtest calls it once per bar. The same calls give the share of
bars of a random walk at which some pattern is visible. Prints two tables and writes
bench/results/patterns.json.

Run: .venv/bin/python bench/patterns.py [--series 50] [--plain 200] [--calls 5000]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.pattern_series import (
    PLAIN_KINDS,
    Series,
    pattern_series,
    plain_series,
)
from tradewire.analysis.patterns import PatternKind, find_patterns

RESULTS = Path(__file__).resolve().parent / "results"
WINDOW = 300
WALKS = 10
END_SLACK = 5  # bars between the reported end and the drawn breakout that still count as a hit


def detect(series_per_kind: int, plain: int) -> tuple[dict, dict]:
    kinds: dict[str, dict] = {}
    for kind in PatternKind:
        hits = wrong = 0
        wrong_kinds: Counter[str] = Counter()
        for seed in range(series_per_kind):
            series = pattern_series(kind, seed)
            found = find_patterns(series.high, series.low, series.close)
            if any(_hit(p, series) for p in found):
                hits += 1
            others = {p.kind.value for p in found if p.kind is not kind}
            wrong += bool(others)
            wrong_kinds.update(others)
        kinds[kind.value] = {
            "series": series_per_kind,
            "hits": hits,
            "misses": series_per_kind - hits,
            "hit_rate": hits / series_per_kind,
            "wrong_kind_series": wrong,
            "wrong_kinds": dict(wrong_kinds),
            "false_alarms": 0,
        }
    families: dict[str, dict] = {}
    for name in PLAIN_KINDS:
        count = plain // len(PLAIN_KINDS)
        alarms = 0
        raised: Counter[str] = Counter()
        for seed in range(count):
            series = plain_series(name, seed)
            found = find_patterns(series.high, series.low, series.close)
            alarms += bool(found)
            raised.update({p.kind.value for p in found})
        for kind_name, n in raised.items():
            kinds[kind_name]["false_alarms"] += n
        families[name] = {"series": count, "false_alarm_series": alarms, "kinds": dict(raised)}
    return kinds, families


def _hit(p, series: Series) -> bool:
    assert series.completes is not None
    return (
        p.kind is series.kind
        and p.bias == series.bias
        and p.confirmed
        and abs(p.end - series.completes) <= END_SLACK
    )


def timing(calls: int) -> dict:
    per_walk = -(-calls // WALKS)
    samples: list[int] = []
    visible = 0
    for seed in range(WALKS):
        walk = plain_series("random_walk", 1000 + seed, bars=WINDOW + per_walk)
        windows = [
            (walk.high[t - WINDOW : t], walk.low[t - WINDOW : t], walk.close[t - WINDOW : t])
            for t in range(WINDOW, WINDOW + per_walk)
        ]
        gc.collect()
        for high, low, close in windows:
            t0 = time.perf_counter_ns()
            found = find_patterns(high, low, close)
            samples.append(time.perf_counter_ns() - t0)
            visible += bool(found)
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000

    return {
        "calls": len(ordered),
        "bars_per_call": WINDOW,
        "p50_us": at(0.50),
        "p99_us": at(0.99),
        "mean_us": sum(ordered) / len(ordered) / 1000,
        "random_walk_bars_with_a_pattern": visible / len(ordered),
    }


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--series", type=int, default=50)
    args.add_argument("--plain", type=int, default=200)
    args.add_argument("--calls", type=int, default=5000)
    opts = args.parse_args()
    kinds, families = detect(opts.series, opts.plain)
    cost = timing(opts.calls)

    console = Console()
    plain_total = sum(f["series"] for f in families.values())
    table = Table(
        title=f"Detection at the last bar: {opts.series} series per kind, "
        f"{plain_total} pattern-free series"
    )
    table.add_column("kind", no_wrap=True)
    for column in ("series", "hits", "misses", "wrong-kind series", "false alarms"):
        table.add_column(column, justify="right")
    for name, row in kinds.items():
        table.add_row(
            name,
            str(row["series"]),
            f"{row['hits']} ({row['hit_rate']:.0%})",
            str(row["misses"]),
            str(row["wrong_kind_series"]),
            str(row["false_alarms"]),
        )
    console.print(table)
    plain_table = Table(title="Pattern-free series with any pattern at the last bar")
    plain_table.add_column("family")
    plain_table.add_column("series", justify="right")
    plain_table.add_column("with a pattern", justify="right")
    plain_table.add_column("kinds raised")
    for name, row in families.items():
        raised = ", ".join(f"{k} {n}" for k, n in sorted(row["kinds"].items())) or "—"
        plain_table.add_row(name, str(row["series"]), str(row["false_alarm_series"]), raised)
    console.print(plain_table)
    console.print(
        f"find_patterns on {cost['bars_per_call']} bars: p50 {cost['p50_us']:.0f} µs, "
        f"p99 {cost['p99_us']:.0f} µs, mean {cost['mean_us']:.0f} µs over {cost['calls']:,} "
        f"calls; a pattern visible at {cost['random_walk_bars_with_a_pattern']:.1%} of "
        "random-walk bars"
    )
    RESULTS.mkdir(exist_ok=True)
    result = {
        "series_per_kind": opts.series,
        "end_slack_bars": END_SLACK,
        "kinds": kinds,
        "pattern_free": families,
        "timing": cost,
    }
    (RESULTS / "patterns.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
