"""Nothing acknowledged is lost: SIGKILL the server mid-stream, then count what is stored."""

import asyncio

import httpx
from sqlalchemy import create_engine, text

from tests.support.server import ServerProcess

SECRET = "durable-webhook-secret"


async def _flood(
    server: ServerProcess, acknowledged: list[str], stop: asyncio.Event, offset: int
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        i = 0
        while not stop.is_set():
            body = f"BTC/USDT LONG @ {40000 + offset + i}"
            i += 1
            try:
                resp = await client.post(
                    f"{server.base_url}/webhook/tradingview/{SECRET}", content=body
                )
            except httpx.HTTPError:
                return  # the server is gone
            if resp.status_code == 200:
                acknowledged.append(resp.json()["signal"]["id"])


async def test_acknowledged_alerts_survive_sigkill(db_url, tmp_path):
    server = ServerProcess(
        tmp_path / "srv", {"TRADEWIRE_WEBHOOK_SECRET": SECRET, "TRADEWIRE_DATABASE_URL": db_url}
    ).start()
    acknowledged: list[str] = []
    stop = asyncio.Event()
    writers = [
        asyncio.create_task(_flood(server, acknowledged, stop, n * 100_000)) for n in range(8)
    ]
    while len(acknowledged) < 300:
        await asyncio.sleep(0.01)
    server.kill()  # SIGKILL while requests are in flight
    stop.set()
    await asyncio.gather(*writers)

    engine = create_engine(db_url)
    with engine.connect() as conn:
        stored = {row[0] for row in conn.execute(text("SELECT id FROM signals"))}
        statuses = {
            row[0]: row[1]
            for row in conn.execute(text("SELECT status, count(*) FROM alerts GROUP BY status"))
        }
    engine.dispose()
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged signals lost of {len(acknowledged)}"
    assert statuses.get("accepted", 0) >= len(acknowledged)

    # The database is intact and the service restarts on it, still suppressing duplicates.
    restarted = ServerProcess(
        tmp_path / "srv", {"TRADEWIRE_WEBHOOK_SECRET": SECRET, "TRADEWIRE_DATABASE_URL": db_url}
    ).start()
    try:
        again = httpx.post(
            f"{restarted.base_url}/webhook/tradingview/{SECRET}", content="BTC/USDT LONG @ 40000"
        )
        assert again.json()["status"] == "duplicate"
    finally:
        restarted.stop()
