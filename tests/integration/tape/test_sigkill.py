"""SIGKILL in the middle of ingest: every acknowledged print is stored, exactly once."""

from __future__ import annotations

import asyncio
import time

import httpx
from sqlalchemy import text

from tests.support.tape import message, row
from tests.support.waiting import eventually
from tradewire.storage.db import create_db_engine

S = 1_000_000_000
ROWS_PER_BATCH = 200
CLIENTS = 4


def stored_volumes(db_url: str) -> list[tuple[str, float]]:
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            result = conn.execute(text("SELECT account, accumulated_volume FROM tape_trades"))
            return [(a, float(v)) for a, v in result]
    finally:
        engine.dispose()


async def test_acknowledged_prints_survive_sigkill(server_factory, db_url):
    server = server_factory({"TRADEWIRE_DATABASE_URL": db_url})
    # One token feeds several accounts: only an admin token may.
    headers = {"authorization": f"Bearer {server.token('feeder', 'admin')}"}
    base_t = time.time_ns() // 1_000_000 * 1_000_000 - 3600 * S
    acked: list[tuple[str, float]] = []
    acked_batches = 0
    killed = asyncio.Event()

    async def feed(client_no: int, client: httpx.AsyncClient) -> None:
        nonlocal acked_batches
        account = f"acct{client_no}"
        n = 0
        while not killed.is_set():
            rows = [
                row(base_t + (n + i) * 1_000_000, float(n + i + 1), size=1)
                for i in range(ROWS_PER_BATCH)
            ]
            n += ROWS_PER_BATCH
            try:
                resp = await client.post(
                    f"{server.base_url}/api/scraper/ingest",
                    json=message(rows, account=account),
                    headers=headers,
                )
            except httpx.HTTPError:
                return  # the server died with this batch unanswered: not acknowledged
            assert resp.status_code == 200, resp.text
            body = resp.json()
            assert body["accepted"] == ROWS_PER_BATCH
            acked.extend((account, float(r["accumulatedVolume"])) for r in rows)
            acked_batches += 1

    async def killer() -> None:
        await eventually(lambda: acked_batches >= 12, timeout=90, interval=0.005)
        server.kill()  # batches are in flight on the other clients right now
        killed.set()

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(killer(), *(feed(i, client) for i in range(CLIENTS)))

    stored = stored_volumes(db_url)
    assert len(stored) == len(set(stored)), "a print was stored twice"
    missing = set(acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged prints lost, e.g. {sorted(missing)[:3]}"
    assert len(acked) >= 12 * ROWS_PER_BATCH

    # After a restart a resent batch is recognised: nothing is stored twice.
    server.start()
    rows = [row(base_t + i * 1_000_000, float(i + 1), size=1) for i in range(ROWS_PER_BATCH)]
    async with httpx.AsyncClient(timeout=30) as client:
        resp = await client.post(
            f"{server.base_url}/api/scraper/ingest",
            json=message(rows, account="acct0"),
            headers=headers,
        )
    assert resp.status_code == 200, resp.text
    assert resp.json()["duplicates"] + resp.json()["accepted"] == ROWS_PER_BATCH
    assert resp.json()["accepted"] == ROWS_PER_BATCH - sum(
        1 for a, v in stored if a == "acct0" and v <= ROWS_PER_BATCH
    )
