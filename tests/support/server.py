"""Run a real ``tradewire serve`` in a subprocess on a free port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.services import free_port
from tests.support.waiting import wait_until


class ServerProcess:
    """``tradewire serve`` as a child process with its own environment and data folder."""

    def __init__(
        self, data_dir: Path, env: dict[str, str] | None = None, command: str = "serve"
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIRE_")},
            "TRADEWIRE_DATA_DIR": str(data_dir),
            "TRADEWIRE_JWT_SECRET": "test-jwt-secret-" + "x" * 32,
            "TRADEWIRE_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.command = command
        self.proc: subprocess.Popen | None = None
        self.log_path = data_dir / "server.log"

    def start(self, timeout: float = 30) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tradewire", self.command, "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def healthy() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                return httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=timeout, interval=0.1)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def token(self, user: str = "tester", role: str = "subscriber") -> str:
        from tradewire.api.auth import TokenService

        return TokenService(self.env["TRADEWIRE_JWT_SECRET"]).issue(user, role)
