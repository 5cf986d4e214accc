"""``tradewire export trades`` and ``tradewire tape clean`` against a real database."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time

import orjson
import pyarrow.parquet as pq
import pytest

from tests.support.tape import message, row
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.tape import SqlTapeStore
from tradewire.tape.clock import ExchangeClock
from tradewire.tape.normalise import Normaliser
from tradewire.tape.schema import decode_scraped

DAY = 86_400 * 1_000_000_000


@pytest.fixture
def cli(db_url, tmp_path):
    """Run the CLI on a database holding 30 prints today and 10 from three days ago."""
    engine = create_db_engine(db_url)
    upgrade(db_url, engine=engine)
    now = time.time_ns() // 1_000_000 * 1_000_000 - 3_600_000_000_000
    rows = [row(now - 3 * DAY + i * 1_000_000, i + 1) for i in range(10)]
    rows += [row(now + i * 1_000_000, i + 11) for i in range(30)]
    batch = decode_scraped(message(rows), source="test", received_ns=now)
    SqlTapeStore(engine).write_now(
        Normaliser(ExchangeClock("America/Chicago")).normalise(batch).trades
    )
    engine.dispose()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIRE_")},
        "TRADEWIRE_DATABASE_URL": db_url,
        "TRADEWIRE_DATA_DIR": str(tmp_path),
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tradewire", *args], env=env, capture_output=True, timeout=60
        )

    return run


def test_export_every_format_and_the_daily_layout(cli, tmp_path):
    out = tmp_path / "t.csv"
    done = cli("export", "trades", "--format", "csv", "--out", str(out), "--account", "user1")
    assert done.returncode == 0, done.stderr.decode()
    assert "40 trades" in done.stderr.decode()
    as_csv = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(as_csv) == 40

    done = cli("export", "trades", "--format", "json", "--symbol", "nqz5")
    as_json = orjson.loads(done.stdout)
    assert [r["id"] for r in as_json] == [r["id"] for r in as_csv]

    pq_path = tmp_path / "t.parquet"
    assert cli("export", "trades", "--format", "parquet", "--out", str(pq_path)).returncode == 0
    assert pq.read_table(pq_path).column("id").to_pylist() == [r["id"] for r in as_json]

    days = tmp_path / "days"
    assert cli("export", "trades", "--daily-files", str(days)).returncode == 0
    files = sorted(days.iterdir())
    assert all(f.name.endswith("_trades.json") for f in files)
    exported = [r for f in files for r in orjson.loads(f.read_bytes())]
    assert [r["id"] for r in exported] == [r["id"] for r in as_json]
    assert len(files) >= 2


def test_bad_arguments_exit_2_with_a_reason(cli, tmp_path):
    bad = cli("export", "trades", "--format", "xml")
    assert bad.returncode == 2
    assert "format" in bad.stderr.decode()
    assert cli("export", "trades", "--start-date", "soon").returncode == 2
    assert (
        cli("export", "trades", "--format", "csv", "--daily-files", str(tmp_path)).returncode == 2
    )


def test_tape_clean_applies_retention(cli):
    done = cli("tape", "clean", "--days", "2")
    assert done.returncode == 0, done.stderr.decode()
    assert "deleted 10" in done.stderr.decode()
    assert "deleted 0" in cli("tape", "clean").stderr.decode()
