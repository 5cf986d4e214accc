"""Simulated Tradovate and TradingView pages for the demo, the tests and the benchmark.

:class:`PageServer` serves this folder on 127.0.0.1 so a real Chromium can load the pages, and
answers the simulated login pages' ``POST /sim/login`` against the accounts it was given.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

PAGES_DIR = Path(__file__).resolve().parent
LOGIN_PATH = "/sim/login"


class _SimLogins:
    """The accounts the simulated sites accept, and how often each was tried (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[tuple[str, str], str] = {}
        self.attempts: Counter[tuple[str, str]] = Counter()

    def add(self, site: str, username: str, password: str) -> None:
        with self._lock:
            self._accounts[(site, username)] = password

    def check(self, site: str, username: str, password: str) -> bool:
        with self._lock:
            self.attempts[(site, username)] += 1
            return self._accounts.get((site, username)) == password


class _QuietHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args: object, logins: _SimLogins, **kwargs: object) -> None:
        self._logins = logins
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test and demo output clean."""

    def do_POST(self) -> None:
        """Answer a simulated login: 200 for a known account, 401 otherwise, 400 if malformed."""
        if self.path != LOGIN_PATH:
            self._reply(404, {"error": "not found"})
            return
        try:
            size = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(min(size, 16_384)))
            site, username, password = (str(body[k]) for k in ("site", "username", "password"))
        except (ValueError, KeyError, TypeError):
            self._reply(400, {"error": "expected JSON with site, username and password"})
            return
        if self._logins.check(site, username, password):
            self._reply(200, {"ok": True})
        else:
            self._reply(401, {"error": "Incorrect username or password."})

    def _reply(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class PageServer:
    """Serve the simulated pages on a free localhost port (in a background thread)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._logins = _SimLogins()
        handler = functools.partial(_QuietHandler, directory=str(PAGES_DIR), logins=self._logins)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, page: str, **query: object) -> str:
        """The URL of ``page`` (e.g. ``tradovate.html``) with ``query`` parameters."""
        params = "&".join(f"{k}={v}" for k, v in query.items())
        return f"{self.base_url}/{page}" + (f"?{params}" if params else "")

    def accept_login(self, site: str, username: str, password: str) -> None:
        """Let the simulated ``site`` (tradovate or tradingview) accept these credentials."""
        self._logins.add(site, username, password)

    def login_attempts(self, site: str, username: str) -> int:
        """How many times ``username`` tried to log in to the simulated ``site``."""
        return self._logins.attempts[(site, username)]

    def start(self) -> PageServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> PageServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
