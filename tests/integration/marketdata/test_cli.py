"""``tradewire collector`` and ``tradewire watchlist`` as a user runs them (subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson
import pytest


@pytest.fixture
def run(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIRE_")},
        "TRADEWIRE_DATA_DIR": str(tmp_path),
        "TRADEWIRE_QUOTE_PROVIDERS": '["replay"]',
        "TRADEWIRE_CANDLE_PROVIDERS": '["replay"]',
    }

    def invoke(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tradewire", *args],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=60,
        )

    return invoke


def test_watchlist_commands(run) -> None:
    assert run("watchlist", "add", "brk.b").returncode == 0
    listed = run("watchlist", "list")
    assert listed.stdout.split() == ["SPY", "(protected)", "QQQ", "(protected)", "BRK.B"]
    bad = run("watchlist", "add", "NOT-A-TICKER")
    assert bad.returncode == 2 and "invalid ticker" in bad.stderr
    protected = run("watchlist", "remove", "QQQ")
    assert protected.returncode == 2 and "protected" in protected.stderr


def test_run_once_then_status(run) -> None:
    result = run("collector", "run-once")
    assert result.returncode == 0, result.stderr
    assert "collection cycle" in result.stdout
    report = orjson.loads(run("collector", "status", "--json").stdout)
    assert report["cache_entries"] == 2 and report["watchlist"] == ["SPY", "QQQ"]


def test_invalid_setting_exits_2(run) -> None:
    result = run("collector", "status", TRADEWIRE_COLLECTOR_INTERVAL_S="0")
    assert result.returncode == 2 and "TRADEWIRE_COLLECTOR_INTERVAL_S" in result.stderr
