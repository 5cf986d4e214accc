"""Benchmark: what one flooding WebSocket client costs every other subscriber.

It measures p50/p99 of the time from just before an alert is POSTed to the moment the last of
100 subscribers (held by a separate process) has the signal, on one server with the default
per-client limits (TRADEWIRE_WS_MAX_MESSAGE_BYTES, _MESSAGES_PER_S, _MESSAGE_BURST) and one with
every limit at its maximum (as before the limits existed: only uvicorn's 64 KiB frame limit
left), each without a flooder and with one (another process) that sends ~64 KB subscribe
messages, or small subscribe messages, as fast as its socket takes them, reconnecting whenever
it is closed. Every figure is compared with the same server's quiet run. The scenarios take
turns in rounds, so background load falls on all of them. The table also shows the server's CPU
use while the signals were sent, and the flooder's own: it runs on the same machine, so on a
small one its CPU use alone slows everything else down.

Run: .venv/bin/python bench/ws_flood.py [--quick]
Writes bench/results/ws_flood.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from signal_latency import finish_subscribers, percentile, publish, start_subscribers  # noqa: E402

from tests.support.server import ServerProcess  # noqa: E402

SECRET = "bench-flood-webhook-secret"
SUBSCRIBERS = 100
GAP_S = 0.015
ROUNDS = 12
#: Every per-client limit at the highest value the settings accept.
UNLIMITED = {
    "TRADEWIRE_WS_MAX_MESSAGE_BYTES": str(1024 * 1024),
    "TRADEWIRE_WS_MESSAGES_PER_S": "10000",
    "TRADEWIRE_WS_MESSAGE_BURST": "100000",
}
FLOODS = {
    "large": json.dumps({"action": "subscribe", "symbols": ["BTCUSDT"] * 5_800}),  # ~64 KB
    "small": json.dumps({"action": "subscribe", "symbols": ["BTCUSDT"]}),
}
console = Console(width=150)


async def flood(url: str, message: str, stats: Counter, flooding: asyncio.Event) -> None:
    """Send ``message`` as fast as the socket takes it, reading whatever comes back; reconnect
    whenever the server closes the connection. Set ``flooding`` once the first one is sent."""
    while True:
        try:
            async with connect(url, max_size=2**20, ping_interval=None) as ws:
                stats["connections"] += 1
                reader = asyncio.create_task(_drain(ws))
                try:
                    while True:
                        await ws.send(message)
                        stats["sent"] += 1
                        flooding.set()
                finally:
                    reader.cancel()
        except ConnectionClosed as closed:
            stats[f"closed {closed.rcvd.code if closed.rcvd else 'without a close frame'}"] += 1
        except OSError:
            stats["refused"] += 1
            await asyncio.sleep(0.01)


async def _drain(ws: ClientConnection) -> None:
    with contextlib.suppress(Exception):
        async for _ in ws:
            pass


async def run_flooder(url: str, kind: str) -> None:
    """The flooder process: flood until a line arrives on stdin, then print its counts."""
    stats: Counter = Counter()
    flooding = asyncio.Event()
    task = asyncio.create_task(flood(url, FLOODS[kind], stats, flooding))
    await flooding.wait()
    print("READY", flush=True)
    started, cpu = time.monotonic(), time.process_time()
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    task.cancel()
    busy = (time.process_time() - cpu) / (time.monotonic() - started)
    print(json.dumps({"counts": stats, "cpu_percent": 100 * busy}), flush=True)


def start_flooder(url: str, kind: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--flooder", url, kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "READY"
    return proc


def stop_flooder(proc: subprocess.Popen) -> dict:
    proc.stdin.write("\n")
    proc.stdin.flush()
    stats = json.loads(proc.stdout.readline())
    proc.wait(30)
    return stats


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(server: ServerProcess, flood_kind: str | None, seqs: list[int]) -> dict:
    """Latencies (ms) of ``seqs`` to the last subscriber, with a flooder of ``flood_kind``; the
    server's CPU time while the signals were sent."""
    url = f"{server.ws_url}/ws?token={server.token('bench')}"
    flooder = start_flooder(url, flood_kind) if flood_kind else None
    try:
        subscribers = start_subscribers(url, SUBSCRIBERS)
        started, cpu = time.monotonic(), cpu_seconds(server.proc.pid)
        sent = asyncio.run(publish(server.port, f"/webhook/tradingview/{SECRET}", seqs, GAP_S))
        busy = (cpu_seconds(server.proc.pid) - cpu, time.monotonic() - started)
        time.sleep(0.5)
        receipts = finish_subscribers(subscribers)
    finally:
        stats = stop_flooder(flooder) if flooder else {"counts": {}, "cpu_percent": 0.0}
    return {
        "latencies": [(receipts[s][1] - sent[s]) / 1e6 for s in seqs if s in receipts],
        "complete": sum(1 for s in seqs if s in receipts and receipts[s][2] == SUBSCRIBERS),
        "server_busy": busy,
        "flooder": stats,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer signals, for a smoke run")
    parser.add_argument("--flooder", nargs=2, metavar=("URL", "KIND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.flooder:
        asyncio.run(run_flooder(*args.flooder))
        return
    per_round = 10 if args.quick else 50
    scenarios = [
        (limits, kind) for limits in ("default", "unlimited") for kind in (None, "large", "small")
    ]
    pooled = {s: {"latencies": [], "complete": 0, "signals": 0, "rounds": []} for s in scenarios}
    seq = 0
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "TRADEWIRE_WEBHOOK_SECRET": SECRET,
            "TRADEWIRE_WS_QUEUE_SIZE": "4096",
            # Signals reach subscribers before they are stored: a commit slowed by a busy
            # machine must not fail the run with a 503.
            "TRADEWIRE_WEBHOOK_TIMEOUT_S": "60",
        }
        servers = {
            "default": ServerProcess(Path(tmp) / "default", env).start(),
            "unlimited": ServerProcess(Path(tmp) / "unlimited", {**env, **UNLIMITED}).start(),
        }
        try:
            for n in range(ROUNDS):
                for limits, kind in scenarios:
                    console.print(
                        f"round {n + 1}/{ROUNDS}: {limits} limits, flooder: {kind or 'none'}"
                    )
                    seqs = list(range(seq, seq + per_round))
                    seq += per_round
                    result = measure(servers[limits], kind, seqs)
                    into = pooled[(limits, kind)]
                    into["latencies"] += result["latencies"]
                    into["complete"] += result["complete"]
                    into["signals"] += per_round
                    into["rounds"].append(result)
        finally:
            for server in servers.values():
                server.stop()

    rows = []
    for (limits, kind), got in pooled.items():
        rounds = got["rounds"]
        server_cpu = sum(r["server_busy"][0] for r in rounds)
        server_wall = sum(r["server_busy"][1] for r in rounds)
        rows.append(
            {
                "limits": limits,
                "flooder": kind or "none",
                "subscribers": SUBSCRIBERS,
                "signals": got["signals"],
                "complete": got["complete"],
                "p50_ms": percentile(got["latencies"], 50),
                "p99_ms": percentile(got["latencies"], 99),
                "server_cpu_percent": 100 * server_cpu / server_wall,
                "flooder_cpu_percent": statistics.fmean(
                    r["flooder"]["cpu_percent"] for r in rounds
                ),
                "flooder_counts": dict(
                    sum((Counter(r["flooder"]["counts"]) for r in rounds), Counter())
                ),
            }
        )
    table = Table(title=f"webhook → last of {SUBSCRIBERS} other subscribers (ms)")
    for column in (
        "limits",
        "flooder",
        "p50",
        "p99",
        "p50 ratio",
        "p99 ratio",
        "complete",
        "server CPU %",
        "flooder CPU %",
    ):
        table.add_column(column, justify="right")
    table.add_column("flooder's connections, messages, closes")
    for row in rows:
        quiet = next(r for r in rows if r["limits"] == row["limits"] and r["flooder"] == "none")
        row["p50_ratio"] = row["p50_ms"] / quiet["p50_ms"]
        row["p99_ratio"] = row["p99_ms"] / quiet["p99_ms"]
        table.add_row(
            row["limits"],
            row["flooder"],
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"{row['p50_ratio']:.2f}",
            f"{row['p99_ratio']:.2f}",
            f"{row['complete']}/{row['signals']}",
            f"{row['server_cpu_percent']:.0f}",
            f"{row['flooder_cpu_percent']:.0f}",
            ", ".join(f"{k} {v}" for k, v in sorted(row["flooder_counts"].items())),
        )
    console.print(table)

    RESULTS.mkdir(exist_ok=True)
    result = {
        "latency": rows,
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (RESULTS / "ws_flood.json").write_text(json.dumps(result, indent=2))
    console.print(f"wrote {RESULTS / 'ws_flood.json'}")


if __name__ == "__main__":
    main()
