"""Collector control, with the seed's endpoints and response shape.

``POST /api/collector/start|stop|restart`` (admin token), ``POST /api/collector/ticker/add|remove``
(any token), ``GET /api/collector/status`` and ``GET /api/collector/status/json`` (open, as in
the seed). Every answer carries ``success``, ``message``, ``running``, ``last_run``,
``next_run``, ``tickers_tracked``, ``cache_entries`` and ``watchlist``.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from tradewire.api.deps import AdminDep, ContainerDep, PrincipalDep
from tradewire.bootstrap import Container
from tradewire.core.errors import RetryableError
from tradewire.marketdata.collector import Collector

router = APIRouter(tags=["collector"])


class TickerBody(BaseModel):
    """``{"ticker": "AAPL"}``"""

    ticker: str = Field(min_length=1, max_length=20)


def collector_of(container: Container) -> Collector:
    """The container's collector, or 503 when no market data source is configured."""
    if container.collector is None:
        raise RetryableError("collector disabled: no usable market data source is configured")
    return container.collector


async def answer(collector: Collector, message: str) -> dict[str, object]:
    """The seed's response: success, message and the status fields."""
    return {"success": True, "message": message, **await collector.status()}


@router.post("/api/collector/start", summary="Start the collector loop")
async def start(container: ContainerDep, _admin: AdminDep) -> dict[str, object]:
    collector = collector_of(container)
    started = await collector.start()
    return await answer(collector, "Collector started" if started else "Collector already running")


@router.post("/api/collector/stop", summary="Stop the collector loop")
async def stop(container: ContainerDep, _admin: AdminDep) -> dict[str, object]:
    collector = collector_of(container)
    stopped = await collector.stop()
    return await answer(collector, "Collector stopped" if stopped else "Collector was not running")


@router.post("/api/collector/restart", summary="Restart the collector loop")
async def restart(container: ContainerDep, _admin: AdminDep) -> dict[str, object]:
    collector = collector_of(container)
    await collector.restart()
    return await answer(collector, "Collector restarted")


@router.get("/api/collector/status", summary="Collector status")
async def status(container: ContainerDep) -> dict[str, object]:
    collector = collector_of(container)
    return await answer(collector, "Collector running" if collector.running else "Collector idle")


@router.get("/api/collector/status/json", summary="The collector status file's content")
async def status_file(container: ContainerDep) -> dict[str, object]:
    collector = collector_of(container)
    path = container.settings.collector_status_file
    try:
        return orjson.loads(await run_in_threadpool(path.read_bytes))
    except (OSError, orjson.JSONDecodeError):
        # Not written yet (collector never started) or damaged by hand: write it afresh.
        await collector.write_status()
        return orjson.loads(await run_in_threadpool(path.read_bytes))


@router.post("/api/collector/ticker/add", summary="Add a ticker to the watchlist")
async def add_ticker(
    body: TickerBody, container: ContainerDep, _user: PrincipalDep
) -> dict[str, object]:
    collector = collector_of(container)
    ticker, added = await collector.watchlist.add(body.ticker)
    await collector.write_status()
    message = f"Added {ticker} to watchlist" if added else f"{ticker} already in watchlist"
    return await answer(collector, message)


@router.post("/api/collector/ticker/remove", summary="Remove a ticker from the watchlist")
async def remove_ticker(
    body: TickerBody, container: ContainerDep, _user: PrincipalDep
) -> dict[str, object]:
    collector = collector_of(container)
    ticker = await collector.watchlist.remove(body.ticker)
    await collector.service.cache.clear(ticker)
    await collector.write_status()
    return await answer(collector, f"Removed {ticker} from watchlist")
