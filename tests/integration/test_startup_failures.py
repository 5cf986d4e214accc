"""Start-up failures a user can fix are one line saying what and how, with a non-zero exit; the
traceback only with --debug."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.services import free_port


def serve(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIRE_")},
        "TRADEWIRE_DATA_DIR": str(data_dir),
        "TRADEWIRE_QUOTE_PROVIDERS": '["replay"]',
        "TRADEWIRE_CANDLE_PROVIDERS": '["replay"]',
        "COLUMNS": "300",
        **env,
    }
    command = [sys.executable, "-m", "tradewire", "serve", "--port", str(free_port()), *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=60)


def the_one_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


@contextlib.contextmanager
def mounted(path: Path, options: str) -> Iterator[Path]:
    """A small tmpfs at ``path`` (needs the privilege to mount; skipped without it)."""
    path.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)]).returncode:
        pytest.skip("mounting a tmpfs needs root (CAP_SYS_ADMIN)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def test_a_taken_port(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve(tmp_path, "--port", str(port))
    line = the_one_line(done)
    assert f"cannot listen on 127.0.0.1:{port}" in line and "--port" in line


def test_an_unreachable_database(tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/tradewire"
    line = the_one_line(serve(tmp_path, TRADEWIRE_DATABASE_URL=url))
    assert "the database postgresql" in line and "Connection refused" in line
    assert "TRADEWIRE_DATABASE_URL" in line


def test_a_data_folder_that_is_a_file(tmp_path):
    (tmp_path / "taken").write_text("")
    line = the_one_line(serve(tmp_path / "taken" / "data"))
    assert "Not a directory" in line and "TRADEWIRE_DATA_DIR" in line


def test_a_read_only_data_folder(tmp_path):
    with mounted(tmp_path / "ro", "ro,size=1m") as read_only:
        line = the_one_line(serve(read_only / "data"))
    assert "Read-only file system" in line and "TRADEWIRE_DATA_DIR" in line


def test_a_full_disk(tmp_path):
    with mounted(tmp_path / "full", "size=64k") as full:
        # A secret that needs no file, and a disk too full for the database's first pages.
        filler = full / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as out:
            out.write(b"\0" * 1024 * 1024)
        done = serve(full / "data", TRADEWIRE_JWT_SECRET="x" * 40)
    line = the_one_line(done)
    assert "TRADEWIRE_D" in line
    assert "No space left on device" in line or "disk is full" in line


def test_debug_shows_the_traceback(tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/tradewire"
    done = serve(tmp_path, "--debug", TRADEWIRE_DATABASE_URL=url)
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "FatalError" in done.stderr
