"""``GET /api/signals``: stored signals, filtered; needs a token."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from tradewire.alerts.symbols import normalise_symbol
from tradewire.api.deps import PrincipalDep, ServicesDep
from tradewire.core.clock import datetime_to_ns
from tradewire.core.errors import ValidationError
from tradewire.signals.ports import SignalQuery

router = APIRouter(tags=["signals"])

_MAX_NS = 7_258_118_400 * 1_000_000_000  # 2200-01-01, well inside a signed 64-bit integer


def parse_since(value: str | None) -> int | None:
    """Accept epoch milliseconds or an ISO 8601 date/time (UTC if no zone)."""
    if value is None or value == "":
        return None
    text = value.strip()
    try:
        if text.isdigit():
            ns = int(text) * 1_000_000
        else:
            ns = datetime_to_ns(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except (ValueError, OverflowError) as exc:
        raise ValidationError(f"since: not epoch ms or ISO 8601: {value!r}") from exc
    if not 0 <= ns < _MAX_NS:
        raise ValidationError(f"since: out of range (1970 to 2200): {value!r}")
    return ns


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
