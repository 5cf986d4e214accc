"""Instruments: what one unit of a symbol is worth and the grid its prices and sizes live on.

Defaults cover the usual crypto pairs (sized as Binance USDⓈ-M and Bybit linear perpetuals
list them), CME equity-index, energy and metal futures with their point values, and US
stocks; :class:`InstrumentBook` takes overrides from the trading settings. A symbol nothing
matches trades on a fine grid (a pair at 8 decimals, a bare ticker as a stock) until
configured, rather than being refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum

from tradewire.core.errors import RejectError
from tradewire.core.events import Side
from tradewire.trading.money import ONE, ZERO, round_to_step


class InstrumentKind(StrEnum):
    """What kind of market a symbol trades in."""

    CRYPTO_SPOT = "crypto_spot"
    CRYPTO_PERP = "crypto_perp"
    FUTURE = "future"
    STOCK = "stock"


@dataclass(frozen=True, slots=True, kw_only=True)
class Instrument:
    """One tradable symbol: price tick, size step, minimum size, point value, quote currency.

    ``multiplier`` is the quote-currency value of a one-point move for one unit (NQ: 20 USD).
    """

    symbol: str
    kind: InstrumentKind
    quote_currency: str
    tick_size: Decimal
    step_size: Decimal
    min_qty: Decimal
    multiplier: Decimal = ONE
    min_notional: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("tick_size", "step_size", "multiplier"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{self.symbol}: {name} must be positive")
        if self.min_qty < 0 or self.min_notional < 0:
            raise ValueError(f"{self.symbol}: minimums cannot be negative")

    @property
    def unit(self) -> str:
        """The word for one unit of size, for messages a trader reads."""
        if self.kind is InstrumentKind.FUTURE:
            return "contracts"
        if self.kind is InstrumentKind.STOCK:
            return "shares"
        return self.symbol.partition("/")[0] or "units"

    def round_qty(self, qty: Decimal) -> Decimal:
        """Return ``qty`` rounded down to the size step: never more than was asked for."""
        return round_to_step(qty, self.step_size, ROUND_FLOOR)

    def round_price(self, price: Decimal, *, up: bool) -> Decimal:
        """Return ``price`` on the tick grid, rounded up or down."""
        return round_to_step(price, self.tick_size, ROUND_CEILING if up else ROUND_FLOOR)

    def round_limit(self, price: Decimal, side: Side) -> Decimal:
        """Round an order's limit price so it never pays more (buy) or takes less (sell)."""
        return self.round_price(price, up=side is Side.SHORT)

    def round_level(self, price: Decimal, entry: Decimal) -> Decimal:
        """Round a stop or take-profit toward the position's entry, so the loss is never larger
        than planned and the target never further away."""
        return self.round_price(price, up=price < entry)

    def notional(self, qty: Decimal, price: Decimal) -> Decimal:
        """Return the position value of ``qty`` at ``price`` in the quote currency."""
        return qty * price * self.multiplier


def _crypto(symbol: str, tick: str, step: str) -> Instrument:
    quote = symbol.partition("/")[2]
    return Instrument(
        symbol=symbol,
        kind=InstrumentKind.CRYPTO_PERP,
        quote_currency=quote,
        tick_size=Decimal(tick),
        step_size=Decimal(step),
        min_qty=Decimal(step),
        min_notional=Decimal(5),
    )


def _future(root: str, tick: str, multiplier: int) -> Instrument:
    return Instrument(
        symbol=root,
        kind=InstrumentKind.FUTURE,
        quote_currency="USD",
        tick_size=Decimal(tick),
        step_size=ONE,
        min_qty=ONE,
        multiplier=Decimal(multiplier),
    )


DEFAULT_INSTRUMENTS: tuple[Instrument, ...] = (
    _crypto("BTC/USDT", "0.1", "0.001"),
    _crypto("ETH/USDT", "0.01", "0.001"),
    _crypto("SOL/USDT", "0.01", "1"),
    _crypto("BNB/USDT", "0.01", "0.01"),
    _crypto("XRP/USDT", "0.0001", "0.1"),
    _crypto("DOGE/USDT", "0.00001", "1"),
    _crypto("ADA/USDT", "0.0001", "1"),
    # CME: tick and USD per point (a tick is worth tick × multiplier: NQ 0.25 × 20 = 5 USD).
    _future("NQ", "0.25", 20),
    _future("MNQ", "0.25", 2),
    _future("ES", "0.25", 50),
    _future("MES", "0.25", 5),
    _future("YM", "1", 5),
    _future("MYM", "1", 1),
    _future("RTY", "0.1", 50),
    _future("M2K", "0.1", 5),
    _future("CL", "0.01", 1000),
    _future("MCL", "0.01", 100),
    _future("GC", "0.1", 100),
    _future("MGC", "0.1", 10),
)

# A futures root followed by a month code and year (NQZ5, NQZ25) or TradingView's continuous
# suffix (NQ1!); the shortest root that is a known future wins.
_FUTURES_SYMBOL = re.compile(r"^(?P<root>[A-Z0-9]+?)(?:[FGHJKMNQUVXZ]\d{1,2}|\d!)$")
_STOCK_SYMBOL = re.compile(r"^[A-Z][A-Z.\-]{0,9}$")


class InstrumentBook:
    """Look instruments up by symbol: configured ones first, then the defaults, then a grid."""

    def __init__(self, overrides: tuple[Instrument, ...] = ()) -> None:
        self._known = {i.symbol: i for i in (*DEFAULT_INSTRUMENTS, *overrides)}
        self._cache: dict[str, Instrument] = {}

    def get(self, symbol: str) -> Instrument:
        """Return the instrument for ``symbol`` (a pair, a futures contract or a ticker)."""
        found = self._cache.get(symbol)
        if found is None:
            found = self._cache[symbol] = self._resolve(symbol)
        return found

    def _resolve(self, symbol: str) -> Instrument:
        known = self._known.get(symbol) or self._known.get(symbol.partition(":")[0])
        if known is not None:
            return replace(known, symbol=symbol)
        match = _FUTURES_SYMBOL.match(symbol)
        root = self._known.get(match["root"]) if match else None
        if root is not None and root.kind is InstrumentKind.FUTURE:
            return replace(root, symbol=symbol)
        if "/" in symbol:
            grid = Decimal("1e-8")
            return Instrument(
                symbol=symbol,
                kind=InstrumentKind.CRYPTO_SPOT,
                quote_currency=symbol.partition("/")[2].partition(":")[0],
                tick_size=grid,
                step_size=grid,
                min_qty=grid,
            )
        if _STOCK_SYMBOL.match(symbol):
            return Instrument(
                symbol=symbol,
                kind=InstrumentKind.STOCK,
                quote_currency="USD",
                tick_size=Decimal("0.01"),
                step_size=ONE,
                min_qty=ONE,
            )
        raise RejectError(f"no instrument settings for {symbol}: add it to the trading settings")
