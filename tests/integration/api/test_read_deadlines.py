"""Slow clients against a real server: a request whose headers or body stall is answered 408 and
closed, an idle connection is closed, and requests that arrive in time are untouched."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support.server import ServerProcess

DEADLINE_S = 1
#: How long a test waits for the server to act: far beyond the deadline, never reached if the
#: server keeps its deadlines, but bounded if it does not.
PATIENCE_S = 30
BODY = b"BTC/USDT LONG @ 45000 TP: 46000 SL: 44500"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path_factory.mktemp("deadlines"),
        {
            "TRADEWIRE_HTTP_HEADER_TIMEOUT_S": str(DEADLINE_S),
            "TRADEWIRE_HTTP_BODY_TIMEOUT_S": str(DEADLINE_S),
            "TRADEWIRE_HTTP_KEEPALIVE_S": str(DEADLINE_S),
        },
    ).start()
    yield server
    server.stop()


def connect(server: ServerProcess) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE_S)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (a socket timeout fails the test)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def stored_signals(server: ServerProcess) -> list[dict]:
    headers = {"Authorization": f"Bearer {server.token()}"}
    return httpx.get(f"{server.base_url}/api/signals", headers=headers).json()["signals"]


def test_a_connection_that_sends_nothing_is_closed(server):
    with connect(server) as sock:
        assert read_until_closed(sock).startswith(b"HTTP/1.1 408 ")


def test_headers_that_stop_half_way_get_408(server):
    with connect(server) as sock:
        sock.sendall(b"POST /webhook/tradingview HTTP/1.1\r\nHost: tradewire\r\nContent-Le")
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 ") and b"request headers" in answer


def test_a_body_that_stops_half_way_gets_408_and_stores_nothing(server):
    with connect(server) as sock:
        sock.sendall(
            b"POST /webhook/tradingview HTTP/1.1\r\nHost: tradewire\r\n"
            b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY[:10]
        )
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 ") and b"request body" in answer
    assert stored_signals(server) == []


def test_a_stalled_body_to_an_api_route_gets_408_and_logs_no_error(server):
    with connect(server) as sock:
        sock.sendall(
            b"POST /api/scraper/ingest HTTP/1.1\r\nHost: tradewire\r\n"
            b"Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"trades": [' % server.token("desk", "admin").encode()
        )
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert httpx.get(f"{server.base_url}/health").status_code == 200
    assert "error" not in server.log_path.read_text()


def test_an_idle_keep_alive_connection_is_closed_after_its_answer(server):
    with connect(server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: tradewire\r\n\r\n")
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 200 ") and b"408" not in answer


def test_requests_in_time_are_answered_on_one_connection(server):
    with httpx.Client(base_url=server.base_url) as client:
        for price in (45001, 45002):
            body = f"BTC/USDT LONG @ {price} TP: 46000 SL: 44500"
            reply = client.post("/webhook/tradingview", content=body)
            assert reply.status_code == 200, reply.text
    assert len(stored_signals(server)) == 2
