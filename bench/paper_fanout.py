"""Benchmark: one signal for 1,000 users who paper trade it, against the signal's own delivery.

One `tradewire serve` (SQLite, durable storage, default configuration) with N stored users who
have paper trading on; each user holds one WebSocket connection (a separate process). Every
round posts a price, then an alert that opens a long for all N users, then one that closes it.
For each opening alert it measures, in the same run and on the same connections:

* webhook → ``SIGNAL`` received by the last of the N users (the signal's delivery), and
* webhook → ``position_opened`` received by the last of the N users (sizing, the paper fill and
  its journal entries committed, for every user).

The target is position_opened p50/p99 at most 2× the SIGNAL figures.

Run: .venv/bin/python bench/paper_fanout.py [--users 1000] [--signals 40]
Writes bench/results/paper_fanout.json and paper_fanout.png.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import track
from rich.table import Table

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE.parent))

from bench.signal_latency import (  # noqa: E402
    JWT_SECRET,
    SECRET,
    KeepAliveClient,
    percentile,
    start_tradewire,
)

PAIR = "BTC/USDT"
TYPES = ("SIGNAL:open", "position_opened")
console = Console(width=140)


async def add_users(data_dir: Path, names: list[str]) -> None:
    """Store the users with paper trading on, as `tradewire user add` and a settings PUT would."""
    from tradewire.bootstrap.users import open_users
    from tradewire.settings import Settings

    async with open_users(Settings(data_dir=data_dir)) as users:
        for name in track(names, description="adding users", console=console):
            await users.add(name, "subscriber")
            await users.update_settings(name, paper_trade_enabled=True)


def start_connections(port: int, tokens_file: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "_ws_users.py"),
            f"ws://127.0.0.1:{port}/ws",
            str(tokens_file),
            ",".join(TYPES),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "READY"
    return proc


async def run_rounds(port: int, ingest_token: str, signals: int, gap: float) -> list[int]:
    """Post ``signals`` opening alerts (each followed by its closing alert); return when each
    opening alert was sent."""
    sent: list[int] = []
    webhook = f"/webhook/tradingview/{SECRET}"
    async with (
        KeepAliveClient(port) as client,
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"authorization": f"Bearer {ingest_token}"},
        ) as api,
    ):
        for n in track(range(signals), description="signals", console=console):
            entry = 10_000 + n
            now_ms = int(time.time() * 1000)
            answer = await api.post(
                "/api/prices", json={"symbol": PAIR, "price": str(entry), "ts": now_ms}
            )
            assert answer.status_code < 300, answer.text
            body = f"{PAIR} LONG @ {entry} TP: {entry + 200} SL: {entry - 100}".encode()
            sent.append(time.time_ns())
            status, reply = await client.post(webhook, body)
            assert status == 200 and b'"accepted"' in reply, reply
            await asyncio.sleep(gap)
            status, reply = await client.post(webhook, f"{PAIR} close long @ {entry}".encode())
            assert status == 200, reply
            await asyncio.sleep(gap)
    return sent


def finish(proc: subprocess.Popen) -> dict[str, dict[int, list[int]]]:
    proc.stdin.write("\n")
    proc.stdin.flush()
    receipts = json.loads(proc.stdout.readline())
    proc.wait(30)
    return {kind: {int(n): v for n, v in by_n.items()} for kind, by_n in receipts.items()}


def summarise(kind: str, sent: list[int], receipts: dict[int, list[int]], users: int) -> dict:
    latencies = [(receipts[n][1] - t) / 1e6 for n, t in enumerate(sent) if n in receipts]
    complete = sum(1 for n in range(len(sent)) if receipts.get(n, [0, 0, 0])[2] == users)
    return {
        "message": kind,
        "users": users,
        "signals": len(sent),
        "received": len(latencies),
        "complete": complete,
        "p50_ms": percentile(latencies, 50) if latencies else None,
        "p99_ms": percentile(latencies, 99) if latencies else None,
        "latencies_ms": latencies,
    }


def chart(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    for row in rows:
        ax.plot(row["latencies_ms"], marker=".", label=row["message"])
    ax.set_xlabel("signal")
    ax.set_ylabel(f"webhook → last of {rows[0]['users']} users (ms)")
    ax.set_title("One signal fanned out to every user: SIGNAL vs position_opened")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--signals", type=int, default=40)
    args = parser.parse_args()
    from tradewire.api.auth import TokenService

    names = [f"trader{n:04d}" for n in range(args.users)]
    tokens = TokenService(JWT_SECRET)
    gap = 0.2 + args.users / 1000
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        asyncio.run(add_users(data_dir, names))
        tokens_file = data_dir / "tokens.txt"
        tokens_file.write_text("\n".join(tokens.issue(name) for name in names))
        server, port = start_tradewire(data_dir, {})  # the default configuration
        try:
            connections = start_connections(port, tokens_file)
            ingest = tokens.issue("bench-prices", role="ingest")
            sent = asyncio.run(run_rounds(port, ingest, args.signals, gap))
            time.sleep(1.0)
            receipts = finish(connections)
        finally:
            server.terminate()
            server.wait(30)
    rows = [summarise(kind, sent, receipts.get(kind, {}), args.users) for kind in TYPES]
    signal, opened = rows
    ratios = {
        stat: opened[stat] / signal[stat] if opened[stat] and signal[stat] else None
        for stat in ("p50_ms", "p99_ms")
    }
    table = Table(title=f"webhook → last of {args.users} users (ms), same run")
    for column in ("message", "p50", "p99", "complete"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            row["message"],
            f"{row['p50_ms']:.1f}" if row["p50_ms"] is not None else "-",
            f"{row['p99_ms']:.1f}" if row["p99_ms"] is not None else "-",
            f"{row['complete']}/{row['signals']}",
        )
    table.add_row(
        "ratio (target ≤ 2×)",
        *(f"{ratios[s]:.2f}×" if ratios[s] else "-" for s in ("p50_ms", "p99_ms")),
        "",
    )
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    result = {
        "rows": rows,
        "ratios": ratios,
        "machine": {"cpus": os.cpu_count()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (RESULTS / "paper_fanout.json").write_text(json.dumps(result, indent=2))
    chart(rows, RESULTS / "paper_fanout.png")


if __name__ == "__main__":
    main()
