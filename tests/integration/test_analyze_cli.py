"""``tradewire analyze`` as a user runs it (subprocesses, no server): the panel, ``--json`` in
the API's shape, ``--user`` sizing on a stored user's paper account, and one-line failures."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson
import pytest

from tests.support.services import free_port

REPLAY = {
    "TRADEWIRE_QUOTE_PROVIDERS": '["replay"]',
    "TRADEWIRE_CANDLE_PROVIDERS": '["replay"]',
}
KEYS = {
    "ticker", "probability_score", "signal", "data_source", "component_scores", "levels",
    "position_sizing", "as_of", "data_age_seconds", "raw_score", "calibrated", "calibration",
    "thresholds", "components", "levels_detail", "sizing_detail", "patterns", "account",
}  # fmt: skip


@pytest.fixture
def run(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIRE_")},
        "TRADEWIRE_DATA_DIR": str(tmp_path),
        **REPLAY,
    }

    def invoke(*args: str, stdin: str | None = None, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tradewire", *args],
            env={**env, **extra},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return invoke


def test_json_has_the_api_shape(run) -> None:
    done = run("analyze", "nvda", "--json")
    assert done.returncode == 0, done.stderr
    body = orjson.loads(done.stdout)
    assert set(body) == KEYS
    assert body["ticker"] == "NVDA" and body["data_source"] == "simulated"
    assert body["account"] == "default" and body["signal"] in ("BUY", "SELL", "HOLD")
    assert body["components"]["market_context"]["has_data"] is True


def test_the_panel(run) -> None:
    done = run("analyze", "AAPL", COLUMNS="200")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "AAPL · decision engine" in text and "probability" in text
    assert "calibrated on" in text or "uncalibrated" in text
    for name in ("technical_analysis", "market_context", "multi_timeframe", "reward:risk"):
        assert name in text
    assert "size (default)" in text and "as of" in text and "data simulated" in text


def test_user_sizing_on_their_paper_account(run) -> None:
    added = run("user", "add", "alice", "--password-stdin", stdin="correct horse battery\n")
    assert added.returncode == 0, added.stderr
    body = orjson.loads(run("analyze", "MSFT", "--json", "--user", "alice").stdout)
    assert body["account"] == "paper:alice"
    unknown = run("analyze", "MSFT", "--user", "nobody")
    assert unknown.returncode == 2 and "not a stored user" in unknown.stderr


def test_bad_ticker_exits_2_in_one_line(run) -> None:
    done = run("analyze", "BRK-B", "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and "invalid ticker" in done.stderr


def test_provider_down_exits_1_in_one_line(run) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    done = run(
        "analyze",
        "NVDA",
        TRADEWIRE_QUOTE_PROVIDERS='["yahoo"]',
        TRADEWIRE_CANDLE_PROVIDERS='["yahoo"]',
        TRADEWIRE_YAHOO_BASE_URL=nowhere,
        TRADEWIRE_PROVIDER_RETRIES="0",
    )
    assert done.returncode == 1 and done.stdout == ""
    assert "error:" in done.stderr and "no source could serve quote of NVDA" in done.stderr
