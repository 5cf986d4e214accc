"""Benchmark: the backtester's speed, against backtesting.py in the same run and at scale.

1. **SMA crossover on the S&P 500, 1999–2018** (5,031 daily bars, 10/20-day averages, 0.2 %
   commission): tradewire's backtester (paper venue, trade manager, exact Decimal accounting,
   metrics) and backtesting.py (``Backtest(...).run()``, its statistics included) take turns,
   ``--rounds`` times each, each run starting after a garbage collection (interpreter settings
   untouched); the table gives each one's median and the ratio of medians. Both must make the
   same trades (checked on every run).
2. **The decision engine on 50 tickers × 10 years of daily bars** (126,000 bars, seeded
   random walks; SPY and QQQ among them as the market proxies), with the default worker
   processes and with one, to show what the second core buys.

Prints a table and writes bench/results/backtest.json.

Run: .venv/bin/python bench/backtest.py [--rounds 7] [--tickers 50] [--years 10]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import string
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from tradewire.analysis.analyzer import DecisionEngine
from tradewire.analysis.calibration import load_calibrator
from tradewire.analysis.config import AnalyzerSettings, IndicatorSettings
from tradewire.backtest.bars import Bars
from tradewire.backtest.config import BacktestConfig
from tradewire.backtest.data import packaged
from tradewire.backtest.engine import run_backtest
from tradewire.backtest.strategies.decision_engine import DecisionEngineStrategy
from tradewire.backtest.strategies.sma_cross import SmaCross
from tradewire.trading.account import AccountSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.reference_backtest import reference_run

RESULTS = Path(__file__).resolve().parent / "results"
COMMISSION = 0.002


def time_ours(bars: Bars) -> tuple[float, int, Decimal]:
    config = BacktestConfig(fee_bps=Decimal(repr(COMMISSION)) * 10_000)
    gc.collect()  # each timed run starts from the same heap (the previous run's garbage freed)
    started = time.perf_counter()
    result = asyncio.run(run_backtest([bars], SmaCross(), config))
    return time.perf_counter() - started, len(result.trades), result.metrics.final_equity


def time_theirs(bars: Bars) -> tuple[float, int, float]:
    gc.collect()
    started = time.perf_counter()
    stats = reference_run(bars, 10, 20, COMMISSION)
    return time.perf_counter() - started, len(stats._trades), float(stats["Equity Final [$]"])


def sma_race(rounds: int) -> dict[str, object]:
    bars = packaged("sp500")
    time_ours(bars), time_theirs(bars)  # warm both: imports, caches
    ours, theirs = [], []
    for _ in range(rounds):
        seconds, trades, final = time_ours(bars)
        ours.append(seconds)
        their_seconds, their_trades, their_final = time_theirs(bars)
        theirs.append(their_seconds)
        if trades != their_trades or abs(final - Decimal(repr(their_final))) >= Decimal("0.01"):
            raise SystemExit(
                f"the engines disagree: {trades}/{final} vs {their_trades}/{their_final}"
            )
    return {
        "bars": len(bars),
        "trades": trades,
        "ours_s": ours,
        "theirs_s": theirs,
        "ours_median_s": statistics.median(ours),
        "theirs_median_s": statistics.median(theirs),
        "ratio": statistics.median(ours) / statistics.median(theirs),
    }


def universe(tickers: int, years: int, seed: int = 16) -> list[Bars]:
    rng = np.random.default_rng(seed)
    days = np.arange(np.datetime64("2010-01-04"), np.datetime64("2040-01-01"))
    days = days[np.is_busday(days)][: 252 * years]
    ts = days.astype("datetime64[ns]").astype(np.int64)
    letters = string.ascii_uppercase
    names = ["SPY", "QQQ", *(a + b + c for a in letters for b in letters for c in letters)]
    out = []
    for name in names[:tickers]:
        close = rng.uniform(20, 300) * np.exp(np.cumsum(rng.normal(0.0003, 0.018, len(ts))))
        open_ = close * np.exp(rng.normal(0, 0.004, len(ts)))
        high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.006, len(ts))))
        low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.006, len(ts))))
        out.append(Bars.build(name, ts, open_, high, low, close, rng.uniform(1e6, 5e6, len(ts))))
    return out


def scale_run(tickers: int, years: int, workers: int | None) -> dict[str, object]:
    bars = universe(tickers, years)
    engine = DecisionEngine(AnalyzerSettings(), IndicatorSettings(), load_calibrator())
    account = AccountSettings(risk_percent=Decimal("0.5"), max_notional_percent=Decimal(10))
    config = BacktestConfig(cash=Decimal(1_000_000), account=account)
    if workers is not None:
        config = BacktestConfig(cash=Decimal(1_000_000), account=account, workers=workers)
    started = time.perf_counter()
    result = asyncio.run(run_backtest(bars, DecisionEngineStrategy(engine), config))
    seconds = time.perf_counter() - started
    return {
        "tickers": tickers,
        "bars": result.bars,
        "workers": config.workers,
        "seconds": seconds,
        "bars_per_s": result.bars / seconds,
        "trades": len(result.trades),
        "final_equity": str(result.metrics.final_equity),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tickers", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    console = Console()
    race = sma_race(args.rounds)
    scale = [scale_run(args.tickers, args.years, None), scale_run(args.tickers, args.years, 1)]

    table = Table(title="Backtests")
    for column in ("run", "bars", "trades", "seconds (median)", "against"):
        table.add_column(column, justify="right")
    table.add_row(
        "SMA S&P 500, tradewire",
        str(race["bars"]),
        str(race["trades"]),
        f"{race['ours_median_s']:.3f}",
        f"{race['ratio']:.2f}× backtesting.py",
    )
    table.add_row(
        "SMA S&P 500, backtesting.py",
        str(race["bars"]),
        str(race["trades"]),
        f"{race['theirs_median_s']:.3f}",
        "",
    )
    for run in scale:
        table.add_row(
            f"decision engine, {run['tickers']} tickers, {run['workers']} worker(s)",
            str(run["bars"]),
            str(run["trades"]),
            f"{run['seconds']:.1f}",
            f"{run['bars_per_s']:,.0f} bars/s (target < 60 s)",
        )
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    out = {"sma_sp500": race, "decision_engine": scale}
    (RESULTS / "backtest.json").write_text(json.dumps(out, indent=2) + "\n")
    console.print(f"wrote {RESULTS / 'backtest.json'}")


if __name__ == "__main__":
    main()
