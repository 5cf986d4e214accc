"""``GET /api/tape/candles``: OHLCV candles and volume at price built from the stored tape."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from tradewire.api.deps import PrincipalDep, ServicesDep, TapeDep
from tradewire.core.clock import iso_utc, ns_to_ms
from tradewire.core.errors import ValidationError
from tradewire.tape.candles import INTERVALS
from tradewire.tape.export import date_range

router = APIRouter(tags=["tape"])
DEFAULT_SPAN_NS = 86_400 * 1_000_000_000


@router.get("/api/tape/candles", summary="Candles of one symbol from the tape")
async def candles(
    tape: TapeDep,
    api: ServicesDep,
    _user: PrincipalDep,
    symbol: Annotated[str, Query(min_length=1, max_length=32)],
    interval: Annotated[str, Query(description=f"one of {', '.join(INTERVALS)}")] = "1m",
    start: Annotated[str | None, Query(max_length=40, description="date or ISO time")] = None,
    end: Annotated[str | None, Query(max_length=40, description="date or ISO time")] = None,
) -> dict:
    if interval not in INTERVALS:
        raise ValidationError(f"interval must be one of {', '.join(INTERVALS)}, not {interval!r}")
    since, until = date_range(start, end, names=("start", "end"))
    if since is None:
        since = (until or api.clock.now_ns()) - DEFAULT_SPAN_NS
    built = await run_in_threadpool(tape.candles, symbol.upper(), INTERVALS[interval], since, until)
    return {
        "success": True,
        "symbol": symbol.upper(),
        "interval": interval,
        "count": len(built),
        "candles": [
            {
                "time": iso_utc(c.ts_event),
                "t": ns_to_ms(c.ts_event),
                "open": c.open,
                "high": c.high,
                "low": c.low,
                "close": c.close,
                "volume": c.volume,
                "trades": c.trades,
                "volumeAtPrice": [list(pair) for pair in c.volume_at_price],
            }
            for c in built
        ],
    }
