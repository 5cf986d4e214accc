"""Benchmark: one analysis from a warm cache — target p50 and p99 under 5 ms.

The market data is the simulated replay provider (no network), cached in the default SQLite
store; the ticker and its market proxies (SPY, QQQ) are fetched once, then ``--count``
analyses are timed two ways:

* **service** — ``AnalysisService.analyze`` in process, as ``tradewire analyze`` runs it: three
  cached snapshots read and decoded, the engine's six components, patterns, levels and size;
* **HTTP** — ``GET /api/analyze/{ticker}`` on a running ``tradewire serve`` (token auth, JSON),
  from a client on one keep-alive connection.

Prints a table of p50/p99/max in ms and writes bench/results/analyze.json.

Run: .venv/bin/python bench/analyze.py [--count 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from signal_latency import JWT_SECRET, percentile, start_tradewire

from tradewire.analysis.sizing import AccountView
from tradewire.bootstrap.analysis import open_analysis
from tradewire.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
TICKER = "NVDA"
PROVIDERS = {"TRADEWIRE_QUOTE_PROVIDERS": '["replay"]', "TRADEWIRE_CANDLE_PROVIDERS": '["replay"]'}


async def in_process(data_dir: Path, count: int) -> list[float]:
    settings = Settings(data_dir=data_dir, quote_providers=["replay"], candle_providers=["replay"])
    timings: list[float] = []
    async with open_analysis(settings) as service:
        await service.analyze(TICKER, AccountView())  # fills the cache
        for _ in range(count):
            started = time.perf_counter()
            analysis = await service.analyze(TICKER, AccountView())
            timings.append((time.perf_counter() - started) * 1000)
        assert analysis.inputs.data_source in ("cache", "simulated")
    return timings


async def over_http(port: int, count: int) -> list[float]:
    from tradewire.api.auth import TokenService

    token = TokenService(JWT_SECRET).issue("bench")
    request = (
        f"GET /api/analyze/{TICKER} HTTP/1.1\r\nHost: bench\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    timings: list[float] = []
    try:
        for n in range(count + 1):
            started = time.perf_counter()
            writer.write(request)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = await reader.readexactly(length)
            assert status == 200, body
            if n:  # the first one fills the cache
                timings.append((time.perf_counter() - started) * 1000)
    finally:
        writer.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    console = Console()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        service = asyncio.run(in_process(Path(tmp) / "service", args.count))
        proc, port = start_tradewire(Path(tmp) / "http", PROVIDERS)
        try:
            http = asyncio.run(over_http(port, args.count))
        finally:
            proc.terminate()
            proc.wait(30)
    table = Table(title=f"analyze {TICKER} from a warm cache ({args.count} runs), ms")
    for column in ("path", "p50", "p99", "max", "target"):
        table.add_column(column, justify="right")
    for name, timings in (("service", service), ("HTTP", http)):
        figures = {
            "p50": percentile(timings, 50),
            "p99": percentile(timings, 99),
            "max": max(timings),
        }
        results[name] = figures
        met = "met" if figures["p50"] < 5 and figures["p99"] < 5 else "missed"
        table.add_row(name, *(f"{figures[k]:.2f}" for k in ("p50", "p99", "max")), f"< 5 ({met})")
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "analyze.json").write_text(json.dumps(results, indent=2) + "\n")
    console.print(f"wrote {RESULTS / 'analyze.json'}")


if __name__ == "__main__":
    main()
