"""Evidence: is the decision engine's score calibrated, out of sample, on real price history?

Two histories that ship in packages (no network): the S&P 500's daily bars 1999–2018
(``arch.data.sp500``; the index is its own market proxy) and EUR/USD hourly bars
(``backtesting.test.EURUSD``). For every bar the engine scores the bars up to it and places a
long's stop and target; the outcome is whether the target is touched before the stop within
``horizon`` bars (20 days; 48 hours). The score is fitted (isotonic) on the earlier period —
S&P 500 before 2011, EUR/USD its first 60 % — and reported on the rest: the reliability
table, expected calibration error, Brier score beside the base rate's, AUC, and how the test
period's BUY calls did. Reliability diagrams (PNG, HTML) are saved beside the JSON.

``--write-shipped`` also writes the S&P 500 fit as the calibration tradewire ships
(``src/tradewire/analysis/data/calibration.json``): the live ``probability_score`` is that
map applied to the raw score.

Run: .venv/bin/python bench/calibration.py [--write-shipped]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from rich.console import Console

from tradewire.analysis.analyzer import DecisionEngine
from tradewire.analysis.calibration import IDENTITY, SHIPPED
from tradewire.analysis.config import AnalyzerSettings, IndicatorSettings
from tradewire.backtest.charts import save_reliability
from tradewire.backtest.data import packaged
from tradewire.backtest.evidence import Evidence, calibrate, decision_samples
from tradewire.cli.backtest import print_evidence

RESULTS = Path(__file__).resolve().parent / "results"
DATASETS = (
    # name, market proxy from its own bars, horizon in bars, split
    ("sp500", True, 20, "2011-01-01"),
    ("eurusd", False, 48, 0.6),
)


def split_ns(ts: np.ndarray, split: str | float) -> int:
    if isinstance(split, str):
        return int(np.datetime64(split, "ns").astype(np.int64))
    return int(ts[int(len(ts) * split)])


def run(name: str, own_context: bool, horizon: int, split: str | float) -> Evidence:
    bars = packaged(name)
    engine = DecisionEngine(AnalyzerSettings(), IndicatorSettings(), IDENTITY)
    context = {"SPY": bars} if own_context else None
    samples = decision_samples(bars, engine, context=context, horizon=horizon)
    return calibrate(samples, split_ns=split_ns(bars.ts, split), horizon=horizon)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-shipped", action="store_true")
    args = parser.parse_args()
    console = Console()
    results: dict[str, Evidence] = {}
    for name, own_context, horizon, split in DATASETS:
        started = time.perf_counter()
        results[name] = run(name, own_context, horizon, split)
        print_evidence(console, results[name])
        console.print(f"{name}: {time.perf_counter() - started:.1f} s")
    RESULTS.mkdir(exist_ok=True)
    out = {name: evidence.to_dict() for name, evidence in results.items()}
    (RESULTS / "calibration.json").write_text(json.dumps(out, indent=2) + "\n")
    for name, evidence in results.items():
        save_reliability(
            evidence.report.table, f"{name}, out of sample", RESULTS / f"calibration-{name}"
        )
    console.print(f"wrote {RESULTS / 'calibration.json'} and the reliability diagrams")
    if args.write_shipped:
        SHIPPED.parent.mkdir(exist_ok=True)
        shipped = results["sp500"].calibrator.to_dict()
        SHIPPED.write_text(json.dumps(shipped, indent=2) + "\n")
        console.print(f"wrote the shipped calibration {SHIPPED}")


if __name__ == "__main__":
    main()
