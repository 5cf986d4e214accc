"""Frozen, typed messages, events and commands: the only things that cross package boundaries.

An event says something happened (any number of handlers); a command asks for something to be
done (exactly one handler, whose outcome returns to the sender: :mod:`tradewire.core.bus`).
Every message carries ``ts_event`` (when the thing happened, epoch ns) and ``ts_init`` (when
tradewire created the object). Field names on the wire keep the seed systems' spelling; see
:meth:`Signal.to_wire`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from tradewire.core.clock import iso_utc, ns_to_ms


class Side(StrEnum):
    """The side of a position: what BUY and LONG (or SELL and SHORT) mean to a trading venue."""

    LONG = "long"
    SHORT = "short"

    @property
    def opposite(self) -> Side:
        return Side.SHORT if self is Side.LONG else Side.LONG


class Intent(StrEnum):
    """What a signal does to the position: enter, exit whole, exit in part, or flip sides."""

    OPEN = "open"
    CLOSE = "close"
    REDUCE = "reduce"
    REVERSE = "reverse"

    @property
    def is_exit(self) -> bool:
        return self in (Intent.CLOSE, Intent.REDUCE)


class SizeUnit(StrEnum):
    """What a signal's ``qty`` counts."""

    #: Contracts, coins, lots or shares of the instrument.
    UNITS = "units"
    #: An amount of the quote currency (USDT for BTC/USDT).
    QUOTE = "quote"
    #: Percent of the open position.
    POSITION_PERCENT = "position%"
    #: Percent of the account's balance or equity.
    EQUITY_PERCENT = "equity%"
    #: Percent of the account's available (unlocked) balance.
    AVAILABLE_PERCENT = "available%"
    #: A risk figure whose meaning the sender's own bridge settings decide (PineConnector).
    RISK = "risk"


class Direction(StrEnum):
    """Trade direction as the alert said it. LONG/BUY open or add long, SHORT/SELL the mirror,
    unless the signal's intent says the order exits a position."""

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

    @property
    def order_side(self) -> Side | None:
        """The side an order in this direction buys into (BUY and LONG are one), if any."""
        if self.is_bullish:
            return Side.LONG
        if self.is_bearish:
            return Side.SHORT
        return None


class AlertSource(StrEnum):
    """Where an alert was captured."""

    WEBHOOK = "webhook"
    POPUP = "popup"
    ALERT_LOG = "alert_log"
    OCR = "ocr"
    DEMO = "demo"
    #: The decision engine, publishing its own BUY/SELL calls (opt-in).
    ANALYZER = "analyzer"
    #: A backtest replaying a strategy (never stored or broadcast).
    BACKTEST = "backtest"


class AlertStatus(StrEnum):
    """What became of a raw alert."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """Base of events and commands."""

    ts_event: int
    ts_init: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(Message):
    """Something that happened; its handlers' failures are theirs alone."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Command(Message):
    """A request with exactly one handler; its result or its failure returns to the sender."""


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
    #: What the order does to the position; ``side`` is the position it opens (open, reverse)
    #: or exits (close, reduce), None for an exit that does not say which side it closes.
    intent: Intent = Intent.OPEN
    side: Side | None = None
    #: Every entry price the alert gave, in its order (``entry`` is the first).
    entry_levels: tuple[float, ...] = ()
    qty_unit: SizeUnit | None = None
    #: Set when take-profits or the stop were given as distances and turned into prices:
    #: ``entry`` (measured from the entry) or ``price`` (from the price the alert carried).
    levels_from: str | None = None

    @property
    def closes(self) -> Side | None:
        """The side of the position this signal exits, if it exits one and says which."""
        if self.side is None or self.intent is Intent.OPEN:
            return None
        return self.side.opposite if self.intent is Intent.REVERSE else self.side

    def to_wire(self) -> dict[str, object]:
        """Return the signal in the seed's JSON shape (camelCase names kept)."""
        closes = self.closes
        return {
            "id": self.id,
            "pair": self.pair,
            "direction": self.direction.value,
            "intent": self.intent.value,
            "side": self.side.value if self.side else None,
            "closes": closes.value if closes else None,
            "entry": self.entry,
            "entryLevels": list(self.entry_levels),
            "takeProfit": self.take_profit[0] if self.take_profit else None,
            "takeProfitLevels": list(self.take_profit),
            "stopLoss": self.stop_loss,
            "levelsFrom": self.levels_from,
            "rawText": self.raw_text,
            "format": self.format,
            "source": self.source.value,
            "strategy": self.strategy,
            "qty": self.qty,
            "qtyUnit": self.qty_unit.value if self.qty_unit else None,
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
class TapeBatch(Command):
    """Store the prints captured from one account's page in one go, with the page context they
    came with; the handler answers with what became of each row once the new ones are durable.

    ``rejected`` lists ``(row index, reason)`` for rows that failed decoding at the source.
    """

    account: str
    source: str
    prints: tuple[TapePrint, ...] = ()
    tabs: tuple[InstrumentTab, ...] = ()
    contract: ContractHeader | None = None
    rejected: tuple[tuple[int, str], ...] = ()


# --- Market data (quotes, candles, indicators, levels) -----------------------------------------


class DataSource(StrEnum):
    """Who served a market datum."""

    FINNHUB = "finnhub"
    YAHOO = "yahoo"
    CACHE = "cache"
    REPLAY = "replay"


class Timeframe(StrEnum):
    """Candle resolutions the collector analyses."""

    DAY = "1d"
    H4 = "4h"
    H1 = "1h"

    @property
    def seconds(self) -> int:
        return {"1d": 86_400, "4h": 14_400, "1h": 3_600}[self.value]


class Trend(StrEnum):
    """EMA alignment: up when fast > mid > slow, down when reversed, otherwise sideways."""

    UP = "up"
    DOWN = "down"
    SIDEWAYS = "sideways"


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote(Event):
    """The latest price of one ticker. ``ts_event`` is the provider's quote time."""

    ticker: str
    price: float
    change: float | None
    change_percent: float | None
    open: float | None
    high: float | None
    low: float | None
    prev_close: float | None
    volume: float | None
    data_source: DataSource


@dataclass(frozen=True, slots=True, kw_only=True)
class Candle:
    """One OHLCV bar; ``ts`` is the bar's open time in epoch seconds."""

    ts: int
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CandleSeries(Event):
    """Bars of one ticker and timeframe, oldest first, stored column by column (cheap to cache
    and to hand to TA-Lib)."""

    ticker: str
    timeframe: Timeframe
    data_source: DataSource
    ts: tuple[int, ...] = ()
    open: tuple[float, ...] = ()
    high: tuple[float, ...] = ()
    low: tuple[float, ...] = ()
    close: tuple[float, ...] = ()
    volume: tuple[float, ...] = ()

    def __len__(self) -> int:
        return len(self.ts)

    def candles(self) -> tuple[Candle, ...]:
        """Return the bars as :class:`Candle` values."""
        return tuple(
            Candle(ts=t, open=o, high=h, low=lo, close=c, volume=v)
            for t, o, h, lo, c, v in zip(
                self.ts, self.open, self.high, self.low, self.close, self.volume, strict=True
            )
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Indicators:
    """The latest indicator values of one timeframe (None where the data is too short)."""

    rsi: float | None = None
    macd: float | None = None
    macd_signal: float | None = None
    macd_histogram: float | None = None
    obv: float | None = None
    ema_fast: float | None = None
    ema_mid: float | None = None
    ema_slow: float | None = None
    atr: float | None = None
    trend: Trend = Trend.SIDEWAYS
    ema_periods: tuple[int, int, int] = (20, 50, 200)


@dataclass(frozen=True, slots=True, kw_only=True)
class Level:
    """A support or resistance price with how many swing points touched it."""

    price: float
    touches: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeframeAnalysis:
    """Candles, indicators and levels of one timeframe."""

    candles: CandleSeries
    indicators: Indicators
    support: tuple[Level, ...] = ()
    resistance: tuple[Level, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketSnapshot(Event):
    """Everything collected for one ticker in one go. ``data_source`` says who served this
    snapshot (``cache`` when read back from the cache); the quote and each series keep the
    provider that originally served them. ``stale`` is set only when an expired cache entry was
    deliberately served."""

    ticker: str
    quote: Quote
    timeframes: tuple[TimeframeAnalysis, ...]
    data_source: DataSource
    stale: bool = False

    def timeframe(self, timeframe: Timeframe) -> TimeframeAnalysis | None:
        """Return the analysis of ``timeframe`` if the data allowed one."""
        return next((t for t in self.timeframes if t.candles.timeframe == timeframe), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectionCycle(Event):
    """One pass of the collector over the watchlist."""

    tickers: int
    succeeded: int
    failed: int
    api_calls: int
    duration_s: float


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
