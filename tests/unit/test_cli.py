"""The command line: tokens, migrations, and exit code 2 with a message on bad input."""

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tradewire.api.auth import TokenService
from tradewire.cli import app
from tradewire.cli import capture as capture_cli

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    for key in list(__import__("os").environ):
        if key.startswith("TRADEWIRE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("TRADEWIRE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_token_create_prints_a_verifiable_jwt(env):
    result = runner.invoke(app, ["token", "create", "--user", "alice", "--role", "admin"])
    assert result.exit_code == 0, result.output
    secret = (env / "data" / "jwt_secret").read_text()
    principal = TokenService(secret).verify(result.stdout.strip())
    assert (principal.user, principal.role) == ("alice", "admin")


@pytest.mark.parametrize(
    ("args", "account"),
    [
        (["--user", "desk1", "--role", "ingest"], "desk1"),
        (["--user", "feeder", "--role", "ingest", "--account", "desk2"], "desk2"),
        (["--user", "alice"], None),
    ],
)
def test_token_create_binds_ingest_tokens_to_an_account(env, args, account):
    result = runner.invoke(app, ["token", "create", *args])
    assert result.exit_code == 0, result.output
    secret = (env / "data" / "jwt_secret").read_text()
    assert TokenService(secret).verify(result.stdout.strip()).account == account


@pytest.mark.parametrize(
    "args",
    [
        ["token", "create", "--user", "bob", "--role", "root"],
        ["token", "create", "--user", "bob", "--role", "ingest", "--account", " "],
        ["token", "create", "--user", " "],
        ["token", "create"],
        ["serve", "--port", "http"],
        ["serve", "--port", "70000"],
        ["demo", "--rate", "0"],
        ["nonsense"],
    ],
)
def test_bad_arguments_exit_2(env, args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.strip()


def test_invalid_environment_exits_2_naming_the_setting(env, monkeypatch):
    monkeypatch.setenv("TRADEWIRE_PORT", "not-a-port")
    result = runner.invoke(app, ["token", "create", "--user", "x"])
    assert result.exit_code == 2
    assert "TRADEWIRE_PORT" in result.output


def test_db_upgrade_creates_the_schema(env):
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    import sqlite3

    tables = {
        r[0]
        for r in sqlite3.connect(env / "data" / "tradewire.db").execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert {"alerts", "signals", "alembic_version"} <= tables


def test_unsupported_database_is_a_clear_error(env, monkeypatch):
    monkeypatch.setenv("TRADEWIRE_DATABASE_URL", "mysql://x@localhost/db")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "unsupported database" in result.output


def test_console_script_runs(env):
    out = subprocess.run(
        [sys.executable, "-m", "tradewire", "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in out.stdout and "serve" in out.stdout


@pytest.mark.parametrize(
    ("prompt", "realtime", "shown"),
    [
        (4, 4, "4 real-time"),
        (4, 0, "4 short slice"),
        (4, 1, "1 real-time, 3 short slice"),
        (0, 0, "default"),
    ],
)
def test_capture_status_shows_how_the_message_threads_wake(prompt, realtime, shown):
    row = {"prompt_wakeups": prompt, "realtime_threads": realtime}
    assert capture_cli._wakeups(row) == shown


def run_cli(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    """``tradewire ARGS`` in a subprocess with only ``env`` among the TRADEWIRE_ variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIRE_")}
    return subprocess.run(
        [sys.executable, "-m", "tradewire", *args],
        env={**base, "TRADEWIRE_DATA_DIR": str(tmp_path / "data"), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


INVALID = [
    ("TRADEWIRE_CAPTURE__TRADOVATE_URLS", '["https://*.tradovate.com/*"'),
    ("TRADEWIRE_CAPTURE__TRADOVATE_URLS", '["https://*.tradovate.com/*", 5]'),
    ("TRADEWIRE_CAPTURE__TRADINGVIEW_URLS", "[]"),
    ("TRADEWIRE_CAPTURE__OCR_MIN_CONFIDENCE", "200"),
    ("TRADEWIRE_CAPTURE__SESSIONS", "desk1"),
    ("TRADEWIRE_CAPTURE__SESSIONS", '[{"account": "desk1"}]'),
    ("TRADEWIRE_TUNING__GC_THRESHOLDS", "1,2"),
    ("TRADEWIRE_WEBHOOK_ALLOWED_IPS", "52.89.214.238"),
    ("TRADEWIRE_PORT", "http"),
]


def assert_one_line_naming(result: subprocess.CompletedProcess, name: str, value: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and value not in lines[0]


@pytest.mark.parametrize(("name", "value"), INVALID)
def test_an_invalid_setting_stops_serve_in_one_line_naming_its_variable(tmp_path, name, value):
    assert_one_line_naming(run_cli(["serve"], {name: value}, tmp_path), name, value)


@pytest.mark.parametrize(
    "command",
    [["demo", "--duration", "1"], ["capture", "attach", "--account", "desk1"]],
    ids=lambda c: c[0],
)
@pytest.mark.parametrize(("name", "value"), [INVALID[0], INVALID[5]])
def test_demo_and_capture_attach_say_the_same(tmp_path, command, name, value):
    assert_one_line_naming(run_cli(command, {name: value}, tmp_path), name, value)
