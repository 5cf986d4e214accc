"""Benchmark: webhook POST → receipt by the last WebSocket subscriber, and sustained intake.

For 1, 100 and 1,000 subscribers (held by a separate process) it measures p50/p99 of the time
from just before the alert is POSTed to the moment the last subscriber has it, for tradewire
(`tradewire serve`, SQLite, durable storage on) twice, in its default configuration and tuned
(every ``TRADEWIRE_TUNING__`` knob on, see docs/deployment.md), and, in the same run, for the
baseline: a raw asyncio HTTP listener calling `websockets.broadcast` on a bare websockets server
(bench/_baseline_server.py), on the standard event loop (the ratio target) and on uvloop (which
tradewire runs on; shown for comparison). The systems take turns in rounds, so background load
falls on all of them. Then it measures sustained durable intake into SQLite, default and tuned,
and checks that every acknowledged alert is stored.

Run: .venv/bin/python bench/signal_latency.py [--quick]
Writes bench/results/signal_latency.json and signal_latency.png.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE.parent))

from tests.support.services import free_port  # noqa: E402
from tests.support.waiting import wait_until  # noqa: E402

SECRET = "bench-webhook-secret"
ROUNDS = 4
JWT_SECRET = "bench-jwt-secret-" + "x" * 32
console = Console(width=150)
#: Every tuning knob on (docs/deployment.md); the default configuration sets none.
TUNED = {
    "TRADEWIRE_TUNING__REALTIME_PRIORITY": "10",
    "TRADEWIRE_TUNING__WAKEUP_SLICE_US": "100",
    "TRADEWIRE_TUNING__YIELD_AFTER_BROADCAST": "true",
    "TRADEWIRE_TUNING__SWITCH_INTERVAL_MS": "0.5",
    "TRADEWIRE_TUNING__GC_FREEZE": "true",
    "TRADEWIRE_TUNING__GC_THRESHOLDS": "[100000, 50, 100]",
}
#: tradewire's configurations: what each adds to the environment.
CONFIGURATIONS = {"tradewire": {}, "tradewire-tuned": TUNED}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def start_tradewire(data_dir: Path, tuning: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """``tradewire serve`` with nothing from this environment's ``TRADEWIRE_`` variables but
    ``tuning``."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIRE_")},
        **tuning,
        "TRADEWIRE_DATA_DIR": str(data_dir),
        "TRADEWIRE_WEBHOOK_SECRET": SECRET,
        "TRADEWIRE_JWT_SECRET": JWT_SECRET,
        "TRADEWIRE_LOG_LEVEL": "WARNING",
        "TRADEWIRE_WS_QUEUE_SIZE": "4096",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tradewire", "serve", "--port", str(port)], env=env
    )

    def up() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"tradewire serve exited with {proc.returncode}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, timeout=30, interval=0.1)
    return proc, port


def start_baseline(loop: str) -> tuple[subprocess.Popen, int, int]:
    ws_port, http_port = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "_baseline_server.py"), str(ws_port), str(http_port), loop],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "READY"
    return proc, ws_port, http_port


def start_subscribers(url: str, count: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "_ws_subscribers.py"), url, str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "READY"
    return proc


def finish_subscribers(proc: subprocess.Popen) -> dict[int, list[int]]:
    proc.stdin.write("\n")
    proc.stdin.flush()
    receipts = json.loads(proc.stdout.readline())
    proc.wait(30)
    return {int(k): v for k, v in receipts.items()}


class KeepAliveClient:
    """A minimal HTTP/1.1 client on one keep-alive connection, so that the publisher's own
    overhead (which TradingView's servers would have, not tradewire) stays out of the figures."""

    def __init__(self, port: int) -> None:
        self._port = port

    async def __aenter__(self) -> KeepAliveClient:
        self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self._port)
        return self

    async def __aexit__(self, *exc) -> None:
        self._writer.close()

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        self._writer.write(
            b"POST " + path.encode() + b" HTTP/1.1\r\nHost: bench\r\n"
            b"Content-Type: text/plain\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        status = int((await self._reader.readline()).split()[1])
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return status, await self._reader.readexactly(length)


async def publish(port: int, path: str, seqs: list[int], gap: float) -> dict[int, int]:
    """POST one alert per sequence number, ``gap`` seconds apart; return the send times."""
    sent: dict[int, int] = {}
    async with KeepAliveClient(port) as client:
        for seq in seqs:
            sent[seq] = time.time_ns()
            status, body = await client.post(path, f"BTC/USDT LONG @ {10_000 + seq}".encode())
            assert status == 200 and b'"accepted"' in body, body
            await asyncio.sleep(gap)
    return sent


def measure(
    system: str, ports: tuple[int, int], subscribers: int, seqs: list[int], gap: float
) -> tuple[list[float], int]:
    """Send one alert per sequence number; return each one's latency (ms) to its last subscriber
    and how many reached every subscriber."""
    ws_port, http_port = ports
    if system in CONFIGURATIONS:
        from tradewire.api.auth import TokenService

        token = TokenService(JWT_SECRET).issue("bench")
        url, path = f"ws://127.0.0.1:{ws_port}/ws?token={token}", f"/webhook/tradingview/{SECRET}"
    else:
        url, path = f"ws://127.0.0.1:{ws_port}/", "/webhook"
    proc = start_subscribers(url, subscribers)
    sent = asyncio.run(publish(http_port, path, seqs, gap))
    time.sleep(0.5)
    receipts = finish_subscribers(proc)
    latencies = [(receipts[s][1] - sent[s]) / 1e6 for s in seqs if s in receipts]
    complete = sum(1 for s in seqs if s in receipts and receipts[s][2] == subscribers)
    return latencies, complete


def summarise(
    system: str, subscribers: int, sent: int, latencies: list[float], complete: int
) -> dict:
    return {
        "system": system,
        "subscribers": subscribers,
        "signals": sent,
        "received": len(latencies),
        "complete": complete,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "mean_ms": statistics.fmean(latencies),
    }


async def _blast(port: int, total: int, concurrency: int) -> tuple[int, float]:
    """Send ``total`` distinct alerts over ``concurrency`` keep-alive connections; count 200s."""
    counter = iter(range(total))
    ok = 0

    async def worker() -> None:
        nonlocal ok
        async with KeepAliveClient(port) as client:
            for n in counter:
                status, _ = await client.post(
                    f"/webhook/tradingview/{SECRET}", f"ETH/USDT SHORT @ {100_000 + n}".encode()
                )
                ok += status == 200

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok, time.perf_counter() - started


def sustained_intake(data_dir: Path, total: int, tuning: dict[str, str]) -> dict:
    proc, port = start_tradewire(data_dir, tuning)
    try:
        acknowledged, elapsed = asyncio.run(_blast(port, total, concurrency=32))
    finally:
        proc.terminate()
        proc.wait(30)
    with sqlite3.connect(data_dir / "tradewire.db") as db:
        stored = db.execute("SELECT count(*) FROM signals WHERE pair = 'ETH/USDT'").fetchone()[0]
    return {
        "alerts": total,
        "acknowledged": acknowledged,
        "stored": stored,
        "lost": acknowledged - stored,
        "seconds": elapsed,
        "alerts_per_s": total / elapsed,
    }


def chart(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted({r["subscribers"] for r in rows})
    series = [
        (system, stat)
        for stat in ("p50_ms", "p99_ms")
        for system in ("baseline", "baseline-uvloop", *CONFIGURATIONS)
    ]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(series)
    for i, (system, stat) in enumerate(series):
        values = [
            next(r[stat] for r in rows if r["system"] == system and r["subscribers"] == n)
            for n in sizes
        ]
        offset = (i - (len(series) - 1) / 2) * width
        ax.bar([x + offset for x in range(len(sizes))], values, width, label=f"{system} {stat[:3]}")
    ax.set_yscale("log")
    ax.set_xticks(range(len(sizes)), [f"{n} subscribers" for n in sizes])
    ax.set_ylabel("webhook → last subscriber (ms)")
    ax.set_title("Signal distribution latency (same run, same machine)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def side_by_side(rows: list[dict]) -> Table:
    """tradewire's default and tuned figures per subscriber count, each with its ratio to the
    baseline (standard loop)."""
    table = Table(title="tradewire default vs tuned: p50 / p99 ms (× baseline)")
    for column in ("subscribers", "baseline", *CONFIGURATIONS):
        table.add_column(column, justify="right")
    for subscribers in sorted({r["subscribers"] for r in rows}):
        cells = []
        for system in ("baseline", *CONFIGURATIONS):
            r = next(r for r in rows if r["system"] == system and r["subscribers"] == subscribers)
            cells.append(
                f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f}"
                + (
                    ""
                    if system == "baseline"
                    else f" ({r['p50_ratio']:.2f}× / {r['p99_ratio']:.2f}×)"
                )
            )
        table.add_row(str(subscribers), *cells)
    return table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer signals, for a smoke run")
    parser.add_argument("--sizes", default="1,100,1000", help="subscriber counts to measure")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    # p99 at 1 subscriber needs many samples: with 1,000 it rests on the 10 slowest.
    per_size = {1: 2000, 100: 300, 1000: 100}
    rounds = {n: (per_size.get(n, 100) // (6 if args.quick else 1)) for n in sizes}
    rows, seq = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        servers = {
            name: start_tradewire(Path(tmp) / name, tuning)
            for name, tuning in CONFIGURATIONS.items()
        }
        baseline, bl_ws_port, bl_http_port = start_baseline("asyncio")
        fast_baseline, fb_ws_port, fb_http_port = start_baseline("uvloop")
        systems = (
            ("baseline", (bl_ws_port, bl_http_port)),
            ("baseline-uvloop", (fb_ws_port, fb_http_port)),
            *((name, (port, port)) for name, (_proc, port) in servers.items()),
        )
        try:
            for subscribers, count in rounds.items():
                gap = 0.01 + subscribers / 20_000
                pooled = {system: ([], 0) for system, _ in systems}
                # Rounds alternate between the systems so that a burst of background load
                # falls on all of them rather than on whichever ran at the time.
                chunk = -(-count // ROUNDS)
                for _ in range(ROUNDS):
                    for system, ports in systems:
                        seqs = list(range(seq, seq + chunk))
                        seq += chunk
                        console.print(f"{system}: {subscribers} subscribers × {chunk} signals")
                        latencies, complete = measure(system, ports, subscribers, seqs, gap)
                        done, total = pooled[system]
                        pooled[system] = (done + latencies, total + complete)
                rows += [
                    summarise(system, subscribers, chunk * ROUNDS, *pooled[system])
                    for system, _ in systems
                ]
        finally:
            for proc in (*(proc for proc, _port in servers.values()), baseline, fast_baseline):
                proc.terminate()
                proc.wait(30)
        intake = {
            name: sustained_intake(
                Path(tmp) / f"intake-{name}", 3000 if args.quick else 20_000, tuning
            )
            for name, tuning in CONFIGURATIONS.items()
        }

    table = Table(title="webhook → last subscriber (ms)")
    for column in (
        "subscribers",
        "system",
        "p50",
        "p99",
        "mean",
        "complete",
        "p50 ratio",
        "p99 ratio",
        "p50 vs uvloop",
        "p99 vs uvloop",
    ):
        table.add_column(column, justify="right")
    for row in rows:
        base, fast = (
            next(r for r in rows if r["system"] == name and r["subscribers"] == row["subscribers"])
            for name in ("baseline", "baseline-uvloop")
        )
        row["p50_ratio"] = row["p50_ms"] / base["p50_ms"]
        row["p99_ratio"] = row["p99_ms"] / base["p99_ms"]
        row["p50_vs_uvloop"] = row["p50_ms"] / fast["p50_ms"]
        row["p99_vs_uvloop"] = row["p99_ms"] / fast["p99_ms"]
        table.add_row(
            str(row["subscribers"]),
            row["system"],
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"{row['mean_ms']:.2f}",
            f"{row['complete']}/{row['signals']}",
            f"{row['p50_ratio']:.2f}",
            f"{row['p99_ratio']:.2f}",
            f"{row['p50_vs_uvloop']:.2f}",
            f"{row['p99_vs_uvloop']:.2f}",
        )
    console.print(table)
    console.print(side_by_side(rows))
    intake_table = Table(title="sustained durable intake (SQLite)")
    intake_table.add_column("configuration")
    for key in intake["tradewire"]:
        intake_table.add_column(key, justify="right")
    for name, figures in intake.items():
        intake_table.add_row(
            name, *(f"{v:.1f}" if isinstance(v, float) else str(v) for v in figures.values())
        )
    console.print(intake_table)

    RESULTS.mkdir(exist_ok=True)
    result = {
        "latency": rows,
        "intake": intake,
        "tuned": TUNED,
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (RESULTS / "signal_latency.json").write_text(json.dumps(result, indent=2))
    chart(rows, RESULTS / "signal_latency.png")
    console.print(f"wrote {RESULTS / 'signal_latency.json'} and signal_latency.png")


if __name__ == "__main__":
    main()
