"""Benchmark helper process: hold N WebSocket subscribers and time every SIGNAL's arrival.

Usage: python _ws_subscribers.py URL N. Prints READY once all are connected; on a line on stdin
it prints one JSON object {seq: [first_ns, last_ns, receipts]} and exits.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from websockets.asyncio.client import connect


async def main(url: str, count: int) -> None:
    receipts: dict[int, list[int]] = {}

    async def subscriber() -> None:
        async with connect(url, max_size=2**20, compression=None, ping_interval=None) as ws:
            await ready.wait()
            async for raw in ws:
                now = time.time_ns()
                message = json.loads(raw)
                if message.get("type") != "SIGNAL":
                    continue
                seq = int(message["data"]["entry"]) - 10_000
                slot = receipts.get(seq)
                if slot is None:
                    receipts[seq] = [now, now, 1]
                else:
                    slot[1] = max(slot[1], now)
                    slot[2] += 1

    ready = asyncio.Event()
    tasks = []
    for _ in range(count):
        tasks.append(asyncio.create_task(subscriber()))
        await asyncio.sleep(0)
    await asyncio.sleep(0.5 + count / 500)  # let every handshake finish
    ready.set()
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    print(json.dumps(receipts), flush=True)
    for task in tasks:
        task.cancel()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
