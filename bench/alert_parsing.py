"""Benchmark: the cost of parsing one alert with the format registry, against the parser as it
was before the registry, in the same run.

The previous parser is taken from git (``--baseline``, default: the commit before the registry
was added) into a temporary folder; each parser runs in its own process, and the two take turns
for ``--rounds`` rounds over the same bodies (the formats both read: standard and simple text,
JSON), so background load falls on both. The registry's own families are timed too, without a
baseline (the old parser rejected them). Prints a table of median microseconds per alert and
the registry/previous ratio, and writes bench/results/alert_parsing.json.

Run: .venv/bin/python bench/alert_parsing.py [--rounds 7] [--count 20000] [--baseline REV]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"

SHARED = {
    "standard": "BTC/USDT LONG @ 45000 TP: 46000, 47000 SL: 44500",
    "simple": "ETH/USDT SELL",
    "json": '{"ticker":"BINANCE:BTCUSDT.P","action":"buy","price":"45000","tp":"46000",'
    '"sl":"44500","strategy":"breakout","qty":"0.5"}',
}
FAMILIES = {
    "json exit (prev_position)": '{"ticker":"EURUSD","action":"sell","prev_position":"long",'
    '"quantity":"1000"}',
    "tradingview-strategy": "BTC Scalping v9.29: order buy @ 1 filled on BTCUSDT. New strategy"
    " position is 1",
    "pineconnector": "60123456789,buy,AUDUSD,risk=0.1",
    "octobot": "EXCHANGE=BINANCE\nSYMBOL=BTCUSD\nSIGNAL=BUY",
    "traderspost": '{"ticker":"AMD","action":"buy","signalPrice":143.12,"quantity":1,'
    '"takeProfit":{"percent":10},"stopLoss":{"type":"stop","percent":5}}',
    "channel": "LONG BNBUSDT\nEntry: 300-305\nTargets: 1) 310 2) 320\nStop: 290",
}

# Runs inside each parser's own process: times `count` parses of each body, prints JSON.
WORKER = """
import json, sys, time
from tradewire.alerts import AlertParser, decode_json
bodies, count = json.loads(sys.argv[1]), int(sys.argv[2])
parser = AlertParser()
out = {}
for name, body in bodies.items():
    for _ in range(200):
        parser.parse(body, decode_json(body))
    start = time.perf_counter_ns()
    for _ in range(count):
        parser.parse(body, decode_json(body))
    out[name] = (time.perf_counter_ns() - start) / count / 1000
print(json.dumps(out))
"""


def baseline_rev() -> str:
    added = subprocess.run(
        [
            "git",
            "log",
            "--format=%H",
            "--diff-filter=A",
            "-1",
            "--",
            "src/tradewire/alerts/registry.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{added}^"


def export_src(rev: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "src"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def timed(src: Path, bodies: dict[str, str], count: int) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(bodies), str(count)],
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rounds", type=int, default=7)
    args.add_argument("--count", type=int, default=20_000)
    args.add_argument("--baseline", default=None, help="git revision of the previous parser")
    opts = args.parse_args()
    rev = opts.baseline or baseline_rev()
    samples: dict[str, dict[str, list[float]]] = {"registry": {}, "previous": {}}
    with tempfile.TemporaryDirectory() as tmp:
        previous_src = export_src(rev, Path(tmp))
        for _ in range(opts.rounds):
            for system, src, bodies in (
                ("registry", ROOT / "src", {**SHARED, **FAMILIES}),
                ("previous", previous_src, SHARED),
            ):
                for name, micros in timed(src, bodies, opts.count).items():
                    samples[system].setdefault(name, []).append(micros)
    medians = {s: {n: statistics.median(v) for n, v in d.items()} for s, d in samples.items()}
    table = Table(title=f"µs per alert (median of {opts.rounds} rounds of {opts.count})")
    for column in ("body", "registry", "previous", "ratio"):
        table.add_column(column, justify="left" if column == "body" else "right")
    rows = []
    for name in [*SHARED, *FAMILIES]:
        new, old = medians["registry"][name], medians["previous"].get(name)
        ratio = new / old if old else None
        rows.append({"body": name, "registry_us": new, "previous_us": old, "ratio": ratio})
        table.add_row(
            name,
            f"{new:.2f}",
            f"{old:.2f}" if old else "rejected",
            f"{ratio:.2f}×" if ratio else "",
        )
    Console().print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "alert_parsing.json").write_text(
        json.dumps(
            {"baseline": rev, "rounds": opts.rounds, "count": opts.count, "rows": rows}, indent=2
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
