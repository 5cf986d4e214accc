"""Benchmark baseline: the least a webhook-to-WebSocket relay can do.

A raw asyncio HTTP/1.1 listener takes the alert POST (no framework, no parsing beyond the
request line and Content-Length, no storage), wraps the text in a SIGNAL message of the same
shape tradewire sends, and calls ``websockets.broadcast`` to every subscriber of a bare
websockets server in the same event loop.
Usage: python _baseline_server.py WS_PORT HTTP_PORT [asyncio|uvloop]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import websockets
from websockets.asyncio.server import serve

subscribers: set = set()


async def subscriber(ws) -> None:
    subscribers.add(ws)
    try:
        await ws.wait_closed()
    finally:
        subscribers.discard(ws)


async def webhook(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while request_line := await reader.readline():
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        text = (await reader.readexactly(length)).decode()
        pair, direction, _, entry = text.split()[:4]
        message = json.dumps(
            {
                "type": "SIGNAL",
                "timestamp": time.time_ns() // 1_000_000,
                "data": {
                    "pair": pair,
                    "direction": direction,
                    "entry": float(entry),
                    "rawText": text,
                },
            }
        )
        websockets.broadcast(subscribers, message)
        body = b'{"status":"accepted"}'
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        assert request_line.startswith(b"POST")
    writer.close()


async def main(ws_port: int, http_port: int) -> None:
    async with serve(subscriber, "127.0.0.1", ws_port, compression=None, ping_interval=None):
        server = await asyncio.start_server(webhook, "127.0.0.1", http_port)
        async with server:
            print("READY", flush=True)
            await asyncio.Future()


if __name__ == "__main__":
    coroutine = main(int(sys.argv[1]), int(sys.argv[2]))
    if sys.argv[3:] == ["uvloop"]:
        import uvloop

        uvloop.run(coroutine)
    else:
        asyncio.run(coroutine)
