"""Benchmark the trade-tape store: durable ingest into SQLite and PostgreSQL, CSV export.

Run: ``.venv/bin/python bench/tape_ingest.py [--trades 200000] [--export-rows 1000000]``.

* Ingest: ``TapeService.ingest`` with durability on (SQLite WAL + synchronous=FULL; PostgreSQL
  default fsync), several concurrent sources, batches of already decoded prints; and the same
  with decoding of the seed JSON message included. Baseline: the bare bulk insert of the same
  rows (one commit per batch, no service), so the ratio shows what the service costs.
* Export: 1,000,000 stored rows streamed to CSV through the export writer, with peak RSS growth
  sampled during the run. Baseline: only reading the rows from the database.

Each measure runs ``--repeat`` times (default 3, interleaved with its baseline) and the best run
counts, because the machine is shared; every run is kept in the JSON. Prints a table and writes
``bench/results/tape_ingest.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import threading
import time
import uuid
from pathlib import Path

import orjson
import psycopg
from rich.console import Console
from rich.table import Table

from tradewire.bootstrap.tape import build_tape
from tradewire.core.bus import MessageBus
from tradewire.core.clock import LiveClock, iso_utc
from tradewire.demo.tape import page_time
from tradewire.settings import Settings
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.tape import SqlTapeStore
from tradewire.storage.writer import GroupCommitWriter
from tradewire.tape.clock import ExchangeClock
from tradewire.tape.export import csv_chunks
from tradewire.tape.normalise import Normaliser
from tradewire.tape.ports import TradeQuery
from tradewire.tape.schema import decode_scraped

RESULTS = Path(__file__).resolve().parent / "results" / "tape_ingest.json"
PG_ADMIN = os.environ.get("TRADEWIRE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def messages(total: int, batch: int, start_ns: int, account: str) -> list[dict]:
    """Seed-format messages of ``batch`` prints each, ``total`` distinct prints in all."""
    out = []
    acc = 0
    for first in range(0, total, batch):
        rows = []
        for i in range(first, min(first + batch, total)):
            ts = start_ns + i * 1_000_000
            acc += 1 + i % 5
            rows.append(
                {
                    "timestamp": page_time(ts),
                    "price": 25_000 + (i % 400) * 0.25,
                    "size": 1 + i % 5,
                    "accumulatedVolume": acc,
                    "tickDirection": "up" if i % 2 else "down",
                    "isHighlighted": False,
                    "account": account,
                    "captured_at": iso_utc(ts + 300_000_000),
                }
            )
        out.append(
            {
                "timestamp": rows[0]["captured_at"],
                "account": account,
                "tabs": [{"symbol": "NQZ5", "isActive": True}],
                "trades": rows,
            }
        )
    return out


def decode(msg: dict):
    return decode_scraped(msg, source="bench", received_ns=time.time_ns())


async def ingest_rate(url: str, msgs: list[dict], concurrency: int, with_decode: bool) -> float:
    """Trades per second through TapeService.ingest on a fresh schema at ``url``."""
    engine = create_db_engine(url)
    upgrade(url, engine=engine)
    writer = GroupCommitWriter(engine)
    writer.start()
    settings = Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()))
    service = build_tape(
        settings, engine=engine, writer=writer, bus=MessageBus(), clock=LiveClock()
    )
    await service.start()
    batches = list(msgs) if with_decode else [decode(m) for m in msgs]
    queue = list(reversed(batches))
    accepted = 0

    async def source() -> None:
        nonlocal accepted
        while queue:
            item = queue.pop()
            batch = decode(item) if with_decode else item
            result = await service.ingest(batch)  # not `+= await`: that reads the sum first
            accepted += result.accepted

    started = time.perf_counter()
    await asyncio.gather(*(source() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await service.stop()
    writer.stop()
    engine.dispose()
    total = sum(len(m["trades"]) for m in msgs)
    assert accepted == total, (accepted, total)
    return total / elapsed


def raw_insert_rate(url: str, msgs: list[dict]) -> float:
    """Baseline: the store's bulk insert alone, one transaction per batch, no service."""
    engine = create_db_engine(url)
    upgrade(url, engine=engine)
    store = SqlTapeStore(engine)
    normaliser = Normaliser(ExchangeClock("America/Chicago"))
    batches = [normaliser.normalise(decode(m)).trades for m in msgs]
    started = time.perf_counter()
    for trades in batches:
        store.write_now(trades)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return sum(len(b) for b in batches) / elapsed


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """Sample RSS every 5 ms in a thread; ``growth`` is the peak above the starting value."""

    def __enter__(self) -> PeakRss:
        self.start = self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_bytes())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 1e6


def export_run(url: str, rows: int, out_dir: Path, repeat: int) -> dict[str, float]:
    """Fill ``rows`` prints, then time the CSV export and a bare read of the same rows.

    Each is run ``repeat`` times; the fastest run counts, the largest RSS growth counts.
    """
    engine = create_db_engine(url)
    upgrade(url, engine=engine)
    store = SqlTapeStore(engine)
    normaliser = Normaliser(ExchangeClock("America/Chicago"))
    start_ns = time.time_ns() - 2 * 86_400 * 1_000_000_000
    for msg in messages(rows, 50_000, start_ns, "bench"):
        store.write_now(normaliser.normalise(decode(msg)).trades)
    read_s, export_s, growth = [], [], []
    path = out_dir / "export.csv"
    for _ in range(repeat):
        started = time.perf_counter()
        read = sum(len(chunk) for chunk in store.iter_rows(TradeQuery()))
        read_s.append(time.perf_counter() - started)
        assert read == rows
        with PeakRss() as rss, path.open("wb") as out:
            started = time.perf_counter()
            for data in csv_chunks(store.iter_rows(TradeQuery())):
                out.write(data)
            export_s.append(time.perf_counter() - started)
        growth.append(rss.growth_mb)
    size_mb = path.stat().st_size / 1e6
    path.unlink()
    engine.dispose()
    return {
        "read_s": min(read_s),
        "export_s": min(export_s),
        "export_s_all": export_s,
        "rss_growth_mb": max(growth),
        "mb": size_mb,
    }


def pg_database() -> tuple[str, str]:
    name = f"tw_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return name, f"{base}/{name}"


def drop_pg(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per measure; the best counts (shared machine)"
    )
    args = parser.parse_args()
    console = Console(width=120)
    start_ns = time.time_ns() - 3_600 * 1_000_000_000
    results: dict[str, object] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "params": vars(args),
    }
    tmp = Path(tempfile.mkdtemp(prefix="tape-bench-"))

    def targets() -> list[tuple[str, str, float, str | None]]:
        out = [("sqlite", f"sqlite:///{tmp / '{name}.db'}", 50_000.0, None)]
        if not args.skip_postgres:
            out.append(("postgresql", "", 100_000.0, "pg"))
        return out

    table = Table(title="trade tape: durable ingest and export")
    for column in ("database", "measure", "value", "baseline", "ratio", "target", "met"):
        table.add_column(
            column, justify="right" if column not in ("database", "measure") else "left"
        )
    for db, template, target, pg in targets():
        console.print(f"[bold]{db}[/bold]: ingesting {args.trades:,} trades ...")
        dbs: list[str] = []

        def url(label: str, template: str = template, pg: str | None = pg, dbs=dbs) -> str:
            if pg:
                name, pg_url = pg_database()
                dbs.append(name)
                return pg_url
            return template.format(name=label)

        try:
            msgs = messages(args.trades, args.batch, start_ns, "bench")
            bases, rates, fulls = [], [], []
            for n in range(args.repeat):  # interleaved, so load from others hits all alike
                bases.append(raw_insert_rate(url(f"raw{n}"), msgs))
                rates.append(
                    asyncio.run(ingest_rate(url(f"svc{n}"), msgs, args.concurrency, False))
                )
                fulls.append(
                    asyncio.run(ingest_rate(url(f"full{n}"), msgs, args.concurrency, True))
                )
            base, rate, full = max(bases), max(rates), max(fulls)
            console.print(f"[bold]{db}[/bold]: exporting {args.export_rows:,} rows to CSV ...")
            export = export_run(url("export"), args.export_rows, tmp, args.repeat)
        finally:
            for name in dbs:
                drop_pg(name)
        results[db] = {
            "ingest_trades_per_s": round(rate),
            "ingest_with_decode_trades_per_s": round(full),
            "baseline_bulk_insert_trades_per_s": round(base),
            "target_trades_per_s": target,
            "runs": {"baseline": bases, "ingest": rates, "ingest_with_decode": fulls},
            "export_csv": export,
        }
        table.add_row(
            db,
            "ingest (decoded batches)",
            f"{rate:,.0f}/s",
            f"{base:,.0f}/s",
            f"{rate / base:.2f}",
            f"{target:,.0f}/s",
            "yes" if rate >= target else "NO",
        )
        table.add_row(
            db,
            "ingest incl. JSON decode",
            f"{full:,.0f}/s",
            f"{base:,.0f}/s",
            f"{full / base:.2f}",
            "",
            "",
        )
        table.add_row(
            db,
            f"CSV export {args.export_rows:,} rows",
            f"{export['export_s']:.2f} s",
            f"{export['read_s']:.2f} s read",
            f"{export['export_s'] / export['read_s']:.2f}",
            "< 5 s" if args.export_rows == 1_000_000 else "",
            "yes" if export["export_s"] < 5 else "NO",
        )
        table.add_row(
            db,
            "export peak RSS growth",
            f"{export['rss_growth_mb']:.1f} MB",
            f"{export['mb']:.0f} MB file",
            "",
            "flat",
            "",
        )
    results["machine"]["load_average_at_end"] = os.getloadavg()
    console.print(table)
    console.print(
        f"load average {results['machine']['load_average_at_start'][0]:.2f} at start, "
        f"{os.getloadavg()[0]:.2f} at end on {os.cpu_count()} CPUs (shared machine)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    console.print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
