"""Simulated Tradovate and TradingView pages for the demo, the tests and the benchmark.

:class:`PageServer` serves this folder on 127.0.0.1 so a real Chromium can load the pages.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

PAGES_DIR = Path(__file__).resolve().parent


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test and demo output clean."""


class PageServer:
    """Serve the simulated pages on a free localhost port (in a background thread)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = functools.partial(_QuietHandler, directory=str(PAGES_DIR))
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
