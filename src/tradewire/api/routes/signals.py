"""``GET /api/signals``: stored signals, filtered; needs a token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from tradewire.alerts.symbols import normalise_symbol
from tradewire.api.deps import PrincipalDep, ServicesDep
from tradewire.signals.ports import SignalQuery
from tradewire.tape.export import in_range, parse_time

router = APIRouter(tags=["signals"])


def parse_since(value: str | None) -> int | None:
    """Accept epoch milliseconds or a date / ISO 8601 date-time (UTC if no zone)."""
    if value is None or value == "":
        return None
    text = value.strip()
    if text.isdigit():
        return in_range(int(text) * 1_000_000, "since", value)
    return parse_time(text, "since")


@router.get("/api/signals", summary="List stored signals, newest first")
async def list_signals(
    api: ServicesDep,
    _user: PrincipalDep,
    symbol: Annotated[str | None, Query(max_length=64)] = None,
    strategy: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(description="epoch ms or ISO 8601")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
) -> dict[str, object]:
    query = SignalQuery(
        symbol=normalise_symbol(symbol).pair if symbol else None,
        strategy=strategy,
        since_ns=parse_since(since),
        limit=limit,
    )
    signals = await run_in_threadpool(api.signals.list_signals, query)
    return {"success": True, "count": len(signals), "signals": signals}
