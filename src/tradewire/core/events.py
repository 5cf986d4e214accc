"""Frozen, typed events: the only things that cross package boundaries.

Every event carries ``ts_event`` (when the thing happened, epoch ns) and ``ts_init`` (when
tradewire created the object). Field names on the wire keep the seed systems' spelling; see
:meth:`Signal.to_wire`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from tradewire.core.clock import iso_utc, ns_to_ms


class Direction(StrEnum):
    """Trade direction as the alert said it. LONG/BUY open or add long, SHORT/SELL the mirror."""

    LONG = "LONG"
    SHORT = "SHORT"
    BUY = "BUY"
    SELL = "SELL"
    CLOSE = "CLOSE"

    @property
    def is_bullish(self) -> bool:
        return self in (Direction.LONG, Direction.BUY)

    @property
    def is_bearish(self) -> bool:
        return self in (Direction.SHORT, Direction.SELL)


class AlertSource(StrEnum):
    """Where an alert was captured."""

    WEBHOOK = "webhook"
    POPUP = "popup"
    ALERT_LOG = "alert_log"
    OCR = "ocr"
    DEMO = "demo"


class AlertStatus(StrEnum):
    """What became of a raw alert."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of all events."""

    ts_event: int
    ts_init: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert(Event):
    """A raw alert exactly as it arrived, before parsing."""

    id: str
    source: AlertSource
    body: str
    content_type: str = "text/plain"
    account: str | None = None
    remote_addr: str | None = None
    ocr_confidence: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Signal(Event):
    """A validated trading signal parsed from an alert. ``ts_event`` is when it was received."""

    id: str
    alert_id: str
    pair: str
    direction: Direction
    raw_text: str
    format: str
    source: AlertSource
    dedupe_key: str
    entry: float | None = None
    take_profit: tuple[float, ...] = ()
    stop_loss: float | None = None
    strategy: str | None = None
    qty: float | None = None
    symbol: str | None = None
    exchange: str | None = None
    contract: str | None = None
    external_id: str | None = None
    account: str | None = None
    ts_parsed: int = 0

    def to_wire(self) -> dict[str, object]:
        """Return the signal in the seed's JSON shape (camelCase names kept)."""
        return {
            "id": self.id,
            "pair": self.pair,
            "direction": self.direction.value,
            "entry": self.entry,
            "takeProfit": self.take_profit[0] if self.take_profit else None,
            "takeProfitLevels": list(self.take_profit),
            "stopLoss": self.stop_loss,
            "rawText": self.raw_text,
            "format": self.format,
            "source": self.source.value,
            "strategy": self.strategy,
            "qty": self.qty,
            "symbol": self.symbol,
            "exchange": self.exchange,
            "contract": self.contract,
            "account": self.account,
            "received_at": iso_utc(self.ts_event),
            "timestamp": ns_to_ms(self.ts_event),
            "latency": round((self.ts_parsed - self.ts_event) / 1e6, 3) if self.ts_parsed else None,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertProcessed(Event):
    """The outcome for one raw alert: accepted (with its signal), duplicate or rejected."""

    alert: Alert
    status: AlertStatus
    reason: str | None = None
    signal: Signal | None = None
    duplicate_of: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalEmitted(Event):
    """A new, non-duplicate signal, published to every sink."""

    signal: Signal


# --- Trade tape (Tradovate Time & Sales) -------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TapePrint:
    """One Time & Sales row as the page showed it (seed field names in ``to_wire``)."""

    timestamp: str
    price: float
    size: float
    accumulated_volume: float | None = None
    tick_direction: str | None = None
    is_highlighted: bool = False
    account: str | None = None
    captured_at: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContractHeader:
    """The contract header above the tape."""

    symbol: str | None = None
    name: str | None = None
    last_price: float | None = None
    price_direction: str | None = None
    price_change: float | None = None
    price_change_percent: float | None = None
    total_volume: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstrumentTab:
    """One instrument tab of the trader's layout."""

    symbol: str
    is_active: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TapeBatch(Event):
    """Prints captured from one account's page in one go, with the page context they came with.

    ``rejected`` lists ``(row index, reason)`` for rows that failed decoding at the source.
    """

    account: str
    source: str
    prints: tuple[TapePrint, ...] = ()
    tabs: tuple[InstrumentTab, ...] = ()
    contract: ContractHeader | None = None
    rejected: tuple[tuple[int, str], ...] = ()


# --- Trade tape store (normalised trades, candles, scraper config) -----------------------------


class TapeTrade(NamedTuple):
    """One stored tape row: the page's fields (seed names on the wire), ``ts``, ``symbol``, ``id``.

    ``ts_ns`` is the print's UTC time; ``id`` identifies the row per account and ``market_id``
    the print itself (see :mod:`tradewire.tape.normalise` for the rule). A typed NamedTuple
    rather than a frozen dataclass because one is built per print on the intake hot path, and
    a frozen dataclass sets every field through ``object.__setattr__`` (about 6x slower).
    """

    id: str
    market_id: str
    ts_ns: int
    symbol: str
    account: str
    timestamp: str
    price: float
    size: float
    accumulated_volume: float | None = None
    tick_direction: str | None = None
    is_highlighted: bool = False
    captured_at: str | None = None
    source: str = ""
    received_ns: int = 0

    def to_wire(self) -> dict[str, object]:
        """Return the row in the seed's shape plus ``ts`` (ISO UTC), ``symbol`` and ``id``."""
        return {
            "id": self.id,
            "ts": iso_utc(self.ts_ns),
            "symbol": self.symbol,
            "timestamp": self.timestamp,
            "price": self.price,
            "size": self.size,
            "accumulatedVolume": self.accumulated_volume,
            "tickDirection": self.tick_direction,
            "isHighlighted": self.is_highlighted,
            "account": self.account,
            "captured_at": self.captured_at,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class TapeStored(Event):
    """Trades newly committed to the tape store (duplicates excluded), oldest first."""

    trades: tuple[TapeTrade, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TapeCandle(Event):
    """An OHLCV candle built from the tape; ``ts_event`` is the candle's start (UTC ns).

    ``closed`` is False while prints can still arrive for it. ``volume_at_price`` pairs each
    traded price with the volume traded there, ascending by price.
    """

    symbol: str
    interval_s: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    trades: int
    volume_at_price: tuple[tuple[float, float], ...] = ()
    closed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ScraperConfigChanged(Event):
    """The in-page scraper settings changed (``POST /api/scraper/config``); seed names kept."""

    enabled: bool
    interval: int
    volume_filter: int
    debug: bool
    persist_interval: int
    buffer_size: int
    days_to_keep: int
    auto_start: bool
