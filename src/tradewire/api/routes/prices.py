"""Prices: post them (a feed for whatever tradewire cannot read itself) and read the latest.

``POST /api/prices`` (ingest or admin token) takes ``{"symbol", "price", "ts"}`` or a list of up
to 1,000 of them. ``price`` is a JSON number or a string holding a decimal number; both are
read exactly as written (numbers are not passed through binary floating point), so
``65000.10`` and ``"65000.10"`` are the same price. ``ts`` is epoch milliseconds (a whole
number) or ISO 8601 text (UTC unless it has an offset), and now when left out. A body with any
invalid price is refused whole (422, every reason given, each prefixed ``[index]`` in a list);
otherwise it answers 200 with the prices ``accepted``, under the symbol they price (``NQ1!`` is
the contract of the price's time, ``BTCUSDT`` is ``BTC/USDT``), and those ``ignored`` for not
being newer than the latest price of their symbol (older, or the same time and price again),
each with the reason and that latest price.

``GET /api/prices/{symbol}`` or ``GET /api/prices?symbol=`` (any token) returns the latest
price of one symbol (404 before the first); ``GET /api/prices`` every symbol's, with what the
service did with the ticks it was given and the feeds' status. Prices are strings, exactly as kept.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticError

from tradewire.api.deps import IngestDep, PrincipalDep, ServicesDep
from tradewire.core.clock import iso_utc
from tradewire.core.errors import (
    NotFoundError,
    PayloadTooLargeError,
    RetryableError,
    ValidationError,
)
from tradewire.core.prices import PriceTick
from tradewire.marketdata.feeds import PriceService
from tradewire.marketdata.feeds.ticks import posted_tick
from tradewire.tape.export import in_range, parse_time

router = APIRouter(tags=["prices"])
MAX_PRICES = 1000
#: A body of 1,000 prices is about 80 KB; four times that is room enough.
MAX_BODY_BYTES = 320 * 1024
_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class PostedPrice(BaseModel):
    """One price: ``{"symbol": "NQZ5", "price": "21450.25", "ts": "2025-11-03T14:30:00Z"}``."""

    model_config = ConfigDict(extra="forbid")

    symbol: str = Field(min_length=1, max_length=64, description="as an alert names it")
    price: Decimal = Field(description='a number or decimal text ("21450.25"), kept exactly')
    ts: str | int | None = Field(
        None,
        description="epoch milliseconds or ISO 8601 (UTC unless it has an offset); now if left out",
    )

    @field_validator("price", mode="before")
    @classmethod
    def _number_or_decimal_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be a number, not true or false")
        if isinstance(value, str) and not _DECIMAL_TEXT.match(value):
            raise ValueError(f'text must be a decimal number such as "65000.10", not {value!r}')
        return value

    @field_validator("ts", mode="before")
    @classmethod
    def _millis_or_text(cls, value: Any) -> Any:
        if value is None:
            return value
        if isinstance(value, str):
            if len(value) > 40:
                raise ValueError(f"text of {len(value)} characters is no ISO 8601 time")
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)  # 1.7e12 written with an exponent is still whole milliseconds
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        raise ValueError(
            f"must be epoch milliseconds (a whole number) or ISO 8601 text, not {shown[:40]}"
        )


#: The documented body, for OpenAPI: the route reads the JSON itself (numbers as decimals).
_ONE = PostedPrice.model_json_schema()
_BODY_SCHEMA = {
    "anyOf": [_ONE, {"type": "array", "items": _ONE, "minItems": 1, "maxItems": MAX_PRICES}]
}


async def price_service(api: ServicesDep) -> PriceService:
    """The price service, or 503 while it is not running."""
    if api.prices is None:
        raise RetryableError("the price service is not running", retry_after=5)
    return api.prices


PricesDep = Annotated[PriceService, Depends(price_service)]


def wire(tick: PriceTick) -> dict[str, str]:
    return {
        "symbol": tick.symbol,
        "price": f"{tick.price:f}",  # plain digits: 1E-8 is 0.00000001
        "ts": iso_utc(tick.ts_event),
        "source": tick.source,
    }


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


async def _read_json(request: Request) -> object:
    """The body as JSON, every number a Decimal or int; 413 past the limit, 422 if not JSON."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"body over {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > MAX_BODY_BYTES:
            raise PayloadTooLargeError(f"body over {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeError are ValueErrors
        raise ValidationError(f"body is not valid JSON: {exc}") from exc


def _items(body: object) -> tuple[list[tuple[int, PostedPrice]], list[tuple[int, str]]]:
    """The posted prices by index in the body, and every reason one of them is not valid."""
    if isinstance(body, dict):
        raw, prefix = [body], False
    elif isinstance(body, list) and 1 <= len(body) <= MAX_PRICES:
        raw, prefix = body, True
    elif isinstance(body, list):
        raise ValidationError(f"a list of prices must hold 1 to {MAX_PRICES}, not {len(body)}")
    else:
        raise ValidationError(
            'the body must be a price {"symbol", "price", "ts"} or a list of them'
        )
    items: list[tuple[int, PostedPrice]] = []
    reasons: list[tuple[int, str]] = []
    for index, item in enumerate(raw):
        where = f"[{index}] " if prefix else ""
        if not isinstance(item, dict):
            reasons.append((index, f"{where}must be an object {{symbol, price, ts}}"))
            continue
        try:
            items.append((index, PostedPrice.model_validate(item)))
        except PydanticError as exc:
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"]) or "price"
                message = error["msg"].removeprefix("Value error, ")
                reasons.append((index, f"{where}{field}: {message}"))
    return items, reasons


def _ts_ns(ts: str | int | None, now_ns: int) -> int:
    if ts is None:
        return now_ns
    if isinstance(ts, str):
        return parse_time(ts, "ts")
    return in_range(ts * 1_000_000, "ts", str(ts))


@router.post(
    "/api/prices",
    summary="Post prices; answers with those accepted and those ignored as not newer",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _BODY_SCHEMA}},
        }
    },
)
async def post_prices(
    request: Request, api: ServicesDep, prices: PricesDep, _user: IngestDep
) -> dict[str, object]:
    body = await _read_json(request)
    items, reasons = _items(body)
    listed = isinstance(body, list)
    now = api.clock.now_ns()
    ticks: list[tuple[int, PriceTick]] = []
    for index, item in items:
        try:
            ticks.append((index, posted_tick(item.symbol, item.price, _ts_ns(item.ts, now), now)))
        except ValidationError as exc:
            reasons.append((index, f"[{index}] {exc.message}" if listed else exc.message))
    if reasons:
        raise ValidationError("; ".join(reason for _, reason in sorted(reasons)))
    accepted: list[dict[str, object]] = []
    ignored: list[dict[str, object]] = []
    for index, tick in ticks:
        kept = prices.update(tick)
        if kept is not None:
            accepted.append({"index": index, **wire(kept)})
            continue
        latest = prices.latest(tick.symbol, at_ns=tick.ts_event)
        ignored.append(
            {
                "index": index,
                **wire(tick),
                "symbol": prices.key(tick.symbol, tick.ts_event),
                "reason": _not_newer(tick, latest),
                "latest": wire(latest) if latest is not None else None,
            }
        )
    return {"success": True, "accepted": accepted, "ignored": ignored}


def _not_newer(tick: PriceTick, latest: PriceTick | None) -> str:
    """Why the price service did not take ``tick`` as the latest price."""
    if latest is not None and tick.ts_event < latest.ts_event:
        return "older than the latest price"
    if latest is not None and (tick.ts_event, tick.price) == (latest.ts_event, latest.price):
        return "the same time and price as the latest price"
    return "stamped ahead of tradewire's clock"


def _latest(prices: PriceService, symbol: str) -> dict[str, object]:
    tick = prices.latest(symbol)
    if tick is None:
        raise NotFoundError(f"no price for {symbol} yet")
    return {"success": True, **wire(tick)}


@router.get("/api/prices", summary="The latest price of a symbol, or of every symbol")
async def get_prices(
    prices: PricesDep,
    _user: PrincipalDep,
    symbol: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> dict[str, object]:
    if symbol is not None:
        return _latest(prices, symbol)
    return {
        "success": True,
        "prices": [wire(tick) for tick in prices.prices()],
        "counts": prices.counts(),
        "feeds": [feed.status() for feed in prices.feeds],
    }


@router.get(
    "/api/prices/{symbol:path}",
    summary="The latest price of a symbol (BTC/USDT, BTCUSDT, NQ1!, NQZ5, SPY)",
)
async def get_price(prices: PricesDep, _user: PrincipalDep, symbol: str) -> dict[str, object]:
    if not 1 <= len(symbol) <= 64:
        raise ValidationError("symbol: 1 to 64 characters")
    return _latest(prices, symbol)
