"""For tests of users: the ``tradewire user`` command beside a real server, signing in,
and the server's bearer headers."""

from __future__ import annotations

import subprocess
import sys

import httpx

from tests.support.server import ServerProcess

PASSWORD = "correct horse battery"


def user_command(server: ServerProcess, *args: str, input: str | None = None) -> str:
    """Run ``tradewire user …`` on the server's database and secret; return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "tradewire", "user", *args],
        env=server.env,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def add_user(server: ServerProcess, name: str, role: str = "subscriber") -> None:
    user_command(server, "add", name, "--role", role, "--password-stdin", input=PASSWORD + "\n")


def sign_in(server: ServerProcess, name: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/api/auth/login",
        json={"username": name, "password": password},
        timeout=30,
    )


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}
