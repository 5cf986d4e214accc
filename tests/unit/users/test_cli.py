"""``tradewire user``: adding (password from standard input, asked twice on a terminal, or
none), listing, and disabling with no server running; bad input exits 2 with a message."""

import os
import pty
import select
import sys

import pytest
from typer.testing import CliRunner

from tradewire.cli import app

runner = CliRunner()
PASSWORD = "correct horse battery"
NO_SERVER = ["--server", "http://127.0.0.1:9"]  # the discard port: nothing listens there


@pytest.fixture
def env(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("TRADEWIRE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("TRADEWIRE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def user(*args: str, input: str | None = None):
    return runner.invoke(app, ["user", *args], input=input)


def listed() -> list[list[str]]:
    result = user("list")
    assert result.exit_code == 0, result.output
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in result.stdout.splitlines()
        if line.startswith("│")
    ]


def test_users_are_added_and_listed(env):
    added = user("add", "alice", "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert "added alice (admin) with a password" in added.output
    assert PASSWORD not in added.output
    assert user("add", "feeder", "--role", "ingest", "--no-password").exit_code == 0
    assert [row[:4] for row in listed()] == [
        ["alice", "admin", "no", "yes"],
        ["feeder", "ingest", "no", "no"],
    ]
    assert listed()[0][4].endswith("Z")  # created, UTC


@pytest.mark.parametrize(
    ("args", "input", "message"),
    [
        (["add", "bad name", "--no-password"], None, "invalid user name"),
        (["add", "alice", "--role", "root", "--no-password"], None, "unknown role 'root'"),
        (["add", "alice", "--password-stdin"], "short\n", "8-1024 characters"),
        (["add", "alice", "--password-stdin"], "", "no password on standard input"),
        (["add", "alice", "--password-stdin", "--no-password"], None, "exclude each other"),
        (["add", "alice"], None, "use --password-stdin or --no-password"),
    ],
)
def test_bad_input_exits_2_with_a_message(env, args, input, message):
    result = user(*args, input=input)
    assert result.exit_code == 2
    assert message in result.output
    assert listed() == []


def test_a_taken_name_exits_2(env):
    assert user("add", "alice", "--no-password").exit_code == 0
    again = user("add", "alice", "--password-stdin", input=PASSWORD + "\n")
    assert again.exit_code == 2 and "exists already" in again.output


def test_disable_and_enable_change_the_database_when_no_server_answers(env):
    assert user("add", "alice", "--no-password").exit_code == 0
    disabled = user("disable", "alice", *NO_SERVER)
    assert disabled.exit_code == 0, disabled.output
    assert "no server answered" in disabled.output
    assert listed()[0][2] == "yes"
    assert user("enable", "alice", *NO_SERVER).exit_code == 0
    assert listed()[0][2] == "no"
    unknown = user("disable", "ghost", *NO_SERVER)
    assert unknown.exit_code == 2 and "no user called 'ghost'" in unknown.output


def test_on_a_terminal_the_password_is_asked_twice_unseen(env):
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the command, on the terminal
        os.execv(sys.executable, [sys.executable, "-m", "tradewire", "user", "add", "alice"])
    shown = b""
    for _ in range(2):
        shown += _read_until(terminal, b": ")
        os.write(terminal, PASSWORD.encode() + b"\n")
    shown += _read_until(terminal, b"with a password")
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"Password" in shown and b"Repeat for confirmation" in shown
    assert PASSWORD.encode() not in shown
    assert [row[:4] for row in listed()] == [["alice", "subscriber", "no", "yes"]]


def _read_until(fd: int, marker: bytes, limit: float = 30) -> bytes:
    """What the terminal shows up to and including ``marker``."""
    seen = b""
    while marker not in seen:
        ready, _, _ = select.select([fd], [], [], limit)
        assert ready, f"the terminal never showed {marker!r}: {seen!r}"
        seen += os.read(fd, 1024)
    return seen
