"""Start-up failures a user can fix, told in one line: what failed, why, and what to change."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

from tradewire.core.errors import FatalError


@contextlib.contextmanager
def needs(what: str, fix: str) -> Iterator[None]:
    """Turn an OSError inside the block into a FatalError naming ``what`` and the ``fix``."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise FatalError(f"{what}: {exc.strerror or exc}{where}; {fix}") from exc


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, before anything else starts, so a taken port is one
    clear line instead of a server that starts and stops."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    with needs(f"cannot listen on {host}:{port}", "stop what uses it or choose another --port"):
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
    sock.set_inheritable(True)
    return sock
