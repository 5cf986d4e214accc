"""Fuzz a real tradewire server for longer than the test suite does.

Runs the fuzzers of ``tests/fuzz`` (hypothesis on webhook and ingest bodies, schemathesis over
every OpenAPI operation with an admin token) with ``--count`` examples per fuzzer and operation,
randomised (the suite's run is the same every time), and fails like the suite on any 5xx, any
answer slower than 5 s or a server that stops answering.

Run: ``.venv/bin/python bench/fuzz.py [--count 5000]``. Prints requests per endpoint and status,
and writes bench/results/fuzz.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="examples per fuzzer/operation")
    args = parser.parse_args()
    report = Path(tempfile.mkdtemp()) / "fuzz.json"
    env = {
        **os.environ,
        "TRADEWIRE_FUZZ_EXAMPLES": str(args.count),
        "TRADEWIRE_FUZZ_REPORT": str(report),
    }
    started = time.perf_counter()
    run = subprocess.run(
        # No per-test time limit: a long run is the point (each answer is still held to 5 s).
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/fuzz",
            "-q",
            "-p",
            "no:cacheprovider",
            "--timeout=0",
        ],
        cwd=ROOT,
        env=env,
        timeout=None,
    )
    took = time.perf_counter() - started
    tally = json.loads(report.read_text()) if report.exists() else {"requests": 0, "by_target": {}}
    table = Table("endpoint", "requests", "answers by status", title=f"fuzz, --count {args.count}")
    for target, statuses in tally["by_target"].items():
        answers = ", ".join(f"{code}: {n}" for code, n in statuses.items())
        table.add_row(target, str(sum(statuses.values())), answers)
    console = Console()
    console.print(table)
    server_errors = sum(
        n for s in tally["by_target"].values() for code, n in s.items() if int(code) >= 500
    )
    console.print(
        f"{tally['requests']} requests in {took:.0f} s, {server_errors} answered 5xx, "
        f"slowest answer {tally.get('slowest_s', 0)} s; pytest exit {run.returncode}"
    )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    summary = {
        "count": args.count,
        "seconds": round(took, 1),
        "server_errors": server_errors,
        "exit": run.returncode,
        **tally,
    }
    (results / "fuzz.json").write_text(json.dumps(summary, indent=2))
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
