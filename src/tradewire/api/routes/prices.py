"""Prices: post them (a feed for whatever tradewire cannot read itself) and read the latest.

``POST /api/prices`` (ingest or admin token) takes ``{"symbol", "price", "ts"}`` or a list of up
to 1,000 of them; ``ts`` is ISO 8601 (UTC unless it has an offset) or epoch milliseconds, and
now when left out. A body with any invalid price is refused whole (422, every reason given);
otherwise the answer lists the prices accepted, under the symbol they price (``NQ1!`` is the
current contract, ``BTCUSDT`` is ``BTC/USDT``), and those ignored for being no newer than the
latest price of their symbol. ``GET /api/prices[?symbol=]`` (any token) returns the latest
price of one symbol (404 before the first), or of every symbol with the feeds' status.
Prices are strings, exactly as kept.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from tradewire.api.deps import IngestDep, PrincipalDep, ServicesDep
from tradewire.core.clock import iso_utc
from tradewire.core.errors import NotFoundError, RetryableError, ValidationError
from tradewire.core.prices import PriceTick
from tradewire.marketdata.feeds import PriceService
from tradewire.marketdata.feeds.ticks import posted_tick
from tradewire.tape.export import in_range, parse_time

router = APIRouter(tags=["prices"])
MAX_PRICES = 1000


class PostedPrice(BaseModel):
    """One price: ``{"symbol": "NQZ5", "price": 21450.25, "ts": "2025-11-03T14:30:00Z"}``."""

    model_config = ConfigDict(extra="forbid")

    symbol: str = Field(min_length=1, max_length=64)
    price: Decimal
    ts: str | int | None = Field(
        None,
        description="ISO 8601 (UTC unless it has an offset) or epoch milliseconds; now if left out",
    )


PostedPrices = (
    PostedPrice | Annotated[list[PostedPrice], Field(min_length=1, max_length=MAX_PRICES)]
)


async def price_service(api: ServicesDep) -> PriceService:
    """The price service, or 503 while it is not running."""
    if api.prices is None:
        raise RetryableError("the price service is not running", retry_after=5)
    return api.prices


PricesDep = Annotated[PriceService, Depends(price_service)]


def wire(tick: PriceTick) -> dict[str, str]:
    return {
        "symbol": tick.symbol,
        "price": str(tick.price),
        "ts": iso_utc(tick.ts_event),
        "source": tick.source,
    }


def _ts_ns(ts: str | int | None, now_ns: int) -> int:
    if ts is None:
        return now_ns
    if isinstance(ts, str):
        return parse_time(ts, "ts")
    return in_range(ts * 1_000_000, "ts", str(ts))


@router.post("/api/prices", summary="Post prices; answers with those accepted")
async def post_prices(
    body: PostedPrices, api: ServicesDep, prices: PricesDep, _user: IngestDep
) -> dict[str, object]:
    items = body if isinstance(body, list) else [body]
    now = api.clock.now_ns()
    ticks: list[PriceTick] = []
    reasons: list[str] = []
    for index, item in enumerate(items):
        try:
            ticks.append(posted_tick(item.symbol, item.price, _ts_ns(item.ts, now), now))
        except ValidationError as exc:
            reasons.append(f"[{index}] {exc.message}" if isinstance(body, list) else exc.message)
    if reasons:
        raise ValidationError("; ".join(reasons))
    accepted: list[dict[str, str]] = []
    ignored: list[dict[str, object]] = []
    for index, tick in enumerate(ticks):
        kept = prices.update(tick)
        if kept is None:
            ignored.append(
                {"index": index, "symbol": tick.symbol, "reason": "not newer than the latest price"}
            )
        else:
            accepted.append(wire(kept))
    return {"success": True, "accepted": accepted, "ignored": ignored}


@router.get("/api/prices", summary="The latest price of a symbol, or of every symbol")
async def get_prices(
    prices: PricesDep,
    _user: PrincipalDep,
    symbol: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> dict[str, object]:
    if symbol is not None:
        tick = prices.latest(symbol)
        if tick is None:
            raise NotFoundError(f"no price for {symbol} yet")
        return {"success": True, **wire(tick)}
    return {
        "success": True,
        "prices": [wire(tick) for tick in prices.prices()],
        "feeds": [feed.status() for feed in prices.feeds],
    }
