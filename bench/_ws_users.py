"""Benchmark helper process: one WebSocket connection per user, timing chosen message types.

Usage: python _ws_users.py URL TOKENS_FILE TYPE[,TYPE…]. ``URL`` is ``ws://host:port/ws``; the
file holds one token per line. The n-th message of a type that a connection receives belongs to
the n-th event of that type (the benchmark sends events one at a time); a ``SIGNAL`` counts as
``SIGNAL:<intent>`` (``SIGNAL:open``, ``SIGNAL:close``). Prints READY once all
are connected; on a line on stdin it prints one JSON object
``{type: {n: [first_ns, last_ns, receipts]}}`` and exits.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from websockets.asyncio.client import connect


async def main(url: str, tokens: list[str], types: set[str]) -> None:
    receipts: dict[str, dict[int, list[int]]] = {kind: {} for kind in types}

    async def subscriber(token: str) -> None:
        seen = dict.fromkeys(types, 0)
        async with connect(
            f"{url}?token={token}", max_size=2**20, compression=None, ping_interval=None
        ) as ws:
            await ready.wait()
            async for raw in ws:
                now = time.time_ns()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "SIGNAL":  # opening and closing signals are told apart
                    kind = f"SIGNAL:{message['data'].get('intent')}"
                if kind not in types:
                    continue
                n = seen[kind]
                seen[kind] = n + 1
                slot = receipts[kind].get(n)
                if slot is None:
                    receipts[kind][n] = [now, now, 1]
                else:
                    slot[1] = max(slot[1], now)
                    slot[2] += 1

    ready = asyncio.Event()
    tasks = []
    for token in tokens:
        tasks.append(asyncio.create_task(subscriber(token)))
        await asyncio.sleep(0)
    await asyncio.sleep(0.5 + len(tokens) / 500)  # let every handshake finish
    ready.set()
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    print(json.dumps(receipts), flush=True)
    for task in tasks:
        task.cancel()


if __name__ == "__main__":
    with open(sys.argv[2]) as lines:
        user_tokens = [line.strip() for line in lines if line.strip()]
    asyncio.run(main(sys.argv[1], user_tokens, set(sys.argv[3].split(","))))
