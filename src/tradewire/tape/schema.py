"""Validate the seed's scraped trade-tape message into a :class:`TapeBatch`.

The message (console line ``[SCRAPER_DATA] {json}`` or the body of ``POST /api/scraper/ingest``)
is ``{timestamp, account, tabs[], contractInfo{}, trades[]}``. Rows are checked one by one: a
bad row goes to ``TapeBatch.rejected`` with its index and the reason, and the good rows are kept.
Only a payload that is unusable as a whole (not an object, no account, ``trades`` not a list)
raises :class:`ValidationError`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, TypeAdapter
from pydantic import ValidationError as PydanticError

from tradewire.core.errors import ValidationError
from tradewire.core.events import ContractHeader, InstrumentTab, TapeBatch, TapePrint

MAX_TRADES = 100_000


def _number(value: Any) -> Any:
    """Accept numbers and page text such as ``"25,146.00"`` or ``"+106.25"``."""
    if isinstance(value, bool):
        raise ValueError("a number is required, not a boolean")
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("\u2009", "").lstrip("+")
        if not text:
            raise ValueError("empty number")
        value = float(text)
    if isinstance(value, int | float) and not math.isfinite(value):
        raise ValueError("number must be finite")
    return value


def _flag(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


Number = Annotated[float, BeforeValidator(_number)]
Flag = Annotated[StrictBool, BeforeValidator(_flag)]
Text = Annotated[str, Field(min_length=1, max_length=100)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    timestamp: Annotated[str, Field(min_length=1, max_length=64)]
    price: Annotated[Number, Field(gt=0)]
    size: Annotated[Number, Field(gt=0)]
    accumulatedVolume: Annotated[Number, Field(ge=0)] | None = None
    tickDirection: Annotated[str, Field(max_length=32)] | None = None
    isHighlighted: Flag = False
    account: Text | None = None
    captured_at: Annotated[str, Field(max_length=64)] | None = None


class _Tab(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    symbol: Annotated[str, Field(min_length=1, max_length=32)]
    isActive: Flag = False


class _Contract(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    symbol: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    name: Annotated[str, Field(max_length=200)] | None = None
    lastPrice: Number | None = None
    priceDirection: Annotated[str, Field(max_length=16)] | None = None
    priceChange: Number | None = None
    priceChangePercent: Number | None = None
    totalVolume: Number | None = None


def _reason(exc: PydanticError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ())) or "row"
        parts.append(f"{where}: {err.get('msg')}")
    return "; ".join(parts)


def _tabs(raw: object) -> tuple[InstrumentTab, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValidationError("tabs: must be a list")
    tabs = []
    for i, item in enumerate(raw):
        try:
            tab = _Tab.model_validate(item)
        except PydanticError as exc:
            raise ValidationError(f"tabs[{i}]: {_reason(exc)}") from exc
        tabs.append(InstrumentTab(symbol=tab.symbol.upper(), is_active=tab.isActive))
    return tuple(tabs)


def _contract(raw: object) -> ContractHeader | None:
    if raw is None:
        return None
    try:
        info = _Contract.model_validate(raw)
    except PydanticError as exc:
        raise ValidationError(f"contractInfo: {_reason(exc)}") from exc
    return ContractHeader(
        symbol=info.symbol.upper() if info.symbol else None,
        name=info.name,
        last_price=info.lastPrice,
        price_direction=info.priceDirection,
        price_change=info.priceChange,
        price_change_percent=info.priceChangePercent,
        total_volume=info.totalVolume,
    )


_ALL_ROWS = TypeAdapter(list[_Row])


def _validate_rows(trades: list) -> tuple[list[_Row], list[tuple[int, str]]]:
    """Validate every row: all at once (fast) and, only if some row is bad, one by one."""
    try:
        return _ALL_ROWS.validate_python(trades), []
    except PydanticError:
        pass
    rows: list[_Row] = []
    rejected: list[tuple[int, str]] = []
    for index, item in enumerate(trades):
        try:
            rows.append(_Row.model_validate(item))
        except PydanticError as exc:
            rejected.append((index, _reason(exc)))
    return rows, rejected


def decode_scraped(
    payload: object, *, source: str, received_ns: int, default_account: str | None = None
) -> TapeBatch:
    """Return the batch in ``payload``; raise ValidationError if the payload is unusable.

    ``default_account`` names the account when the message has none (e.g. the token's user).
    """
    if not isinstance(payload, dict):
        raise ValidationError("scraped data must be a JSON object")
    account = payload.get("account", default_account) or default_account
    if not isinstance(account, str) or not account.strip() or len(account) > 100:
        raise ValidationError("account: a name of 1-100 characters is required")
    account = account.strip()
    trades = payload.get("trades", [])
    if not isinstance(trades, list):
        raise ValidationError("trades: must be a list")
    if len(trades) > MAX_TRADES:
        raise ValidationError(f"trades: at most {MAX_TRADES} rows per message")
    batch_captured = payload.get("timestamp")
    if batch_captured is not None and not isinstance(batch_captured, str):
        raise ValidationError("timestamp: must be a string")
    rows, rejected = _validate_rows(trades)
    prints = [
        TapePrint(
            timestamp=row.timestamp,
            price=row.price,
            size=row.size,
            accumulated_volume=row.accumulatedVolume,
            tick_direction=row.tickDirection,
            is_highlighted=row.isHighlighted,
            account=row.account or account,
            captured_at=row.captured_at or batch_captured,
        )
        for row in rows
    ]
    return TapeBatch(
        ts_event=received_ns,
        ts_init=received_ns,
        account=account,
        source=source,
        prints=tuple(prints),
        tabs=_tabs(payload.get("tabs")),
        contract=_contract(payload.get("contractInfo")),
        rejected=tuple(rejected),
    )
