"""Collector control, with the seed's endpoints and response shape.

``POST /api/collector/start|stop|restart`` and ``POST /api/collector/ticker/add|remove`` (admin
token: the watchlist is shared and spends the providers' call budget), ``GET
/api/collector/status`` and ``GET /api/collector/status/json`` (open as in the seed, unless
status endpoints are closed). Every answer carries ``success``, ``message``, ``running``,
``last_run``, ``next_run``, ``tickers_tracked``, ``cache_entries`` and ``watchlist``.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tradewire.api.deps import AdminDep, CollectorDep, StatusReaderDep
from tradewire.marketdata.collector import Collector

router = APIRouter(tags=["collector"])


class TickerBody(BaseModel):
    """``{"ticker": "AAPL"}``"""

    ticker: str = Field(min_length=1, max_length=20)


async def answer(collector: Collector, message: str) -> dict[str, object]:
    """The seed's response: success, message and the status fields."""
    return {"success": True, "message": message, **await collector.status()}


@router.post("/api/collector/start", summary="Start the collector loop")
async def start(collector: CollectorDep, _admin: AdminDep) -> dict[str, object]:
    started = await collector.start()
    return await answer(collector, "Collector started" if started else "Collector already running")


@router.post("/api/collector/stop", summary="Stop the collector loop")
async def stop(collector: CollectorDep, _admin: AdminDep) -> dict[str, object]:
    stopped = await collector.stop()
    return await answer(collector, "Collector stopped" if stopped else "Collector was not running")


@router.post("/api/collector/restart", summary="Restart the collector loop")
async def restart(collector: CollectorDep, _admin: AdminDep) -> dict[str, object]:
    await collector.restart()
    return await answer(collector, "Collector restarted")


@router.get("/api/collector/status", summary="Collector status")
async def status(collector: CollectorDep, _reader: StatusReaderDep) -> dict[str, object]:
    return await answer(collector, "Collector running" if collector.running else "Collector idle")


@router.get("/api/collector/status/json", summary="The collector status file's content")
async def status_file(collector: CollectorDep, _reader: StatusReaderDep) -> dict[str, object]:
    return await collector.read_status_file()


@router.post("/api/collector/ticker/add", summary="Add a ticker to the watchlist")
async def add_ticker(
    body: TickerBody, collector: CollectorDep, _admin: AdminDep
) -> dict[str, object]:
    ticker, added = await collector.watchlist.add(body.ticker)
    await collector.write_status()
    message = f"Added {ticker} to watchlist" if added else f"{ticker} already in watchlist"
    return await answer(collector, message)


@router.post("/api/collector/ticker/remove", summary="Remove a ticker from the watchlist")
async def remove_ticker(
    body: TickerBody, collector: CollectorDep, _admin: AdminDep
) -> dict[str, object]:
    ticker = await collector.watchlist.remove(body.ticker)
    await collector.service.cache.clear(ticker)
    await collector.write_status()
    return await answer(collector, f"Removed {ticker} from watchlist")
