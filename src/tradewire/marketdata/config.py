"""The price feeds' settings section (``TRADEWIRE_PRICES__*``): frozen values the feeds take.

Every feed that needs the network is off by default: the demo and the tests run without one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tradewire.alerts.symbols import normalise_symbol
from tradewire.core.errors import ValidationError


def _pair(symbol: str) -> str:
    try:
        return normalise_symbol(symbol).pair
    except ValidationError as exc:
        raise ValueError(exc.message) from exc


class ReplayFeedSettings(BaseModel):
    """A deterministic random walk per symbol from a starting price, one step every ``pace_s``
    (the demo's prices); no symbols, no feed."""

    model_config = ConfigDict(frozen=True)

    symbols: dict[str, Decimal] = Field(
        default_factory=dict, description='starting prices, e.g. {"BTC/USDT": "45000"}'
    )
    pace_s: float = Field(1.0, ge=0, le=3600, description="seconds between steps")
    step_bps: float = Field(5.0, gt=0, le=1000, description="typical move per step, in bp")

    @field_validator("symbols")
    @classmethod
    def _positive_prices(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if any(not price.is_finite() or price <= 0 for price in value.values()):
            raise ValueError("starting prices must be positive numbers")
        return {_pair(symbol): price for symbol, price in value.items()}


class CcxtFeedSettings(BaseModel):
    """Crypto pairs from an exchange's public market data through ccxt: streamed over its
    WebSocket where ccxt supports it, else (and while the stream is down) polled over REST."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = False
    exchange: str = Field("binance", pattern=r"^[a-z][a-z0-9_]{1,39}$", description="ccxt id")
    pairs: tuple[str, ...] = Field(("BTC/USDT", "ETH/USDT"), min_length=1, max_length=200)
    symbol_map: dict[str, str] = Field(
        default_factory=dict,
        description='the exchange\'s symbol of a pair, e.g. {"BTC/USDT": "BTC/USDT:USDT"} for '
        "the perpetual swap; unmapped pairs are the exchange's spot pairs of the same name",
    )
    channel: Literal["trades", "ticker"] = Field(
        "trades", description="stream every trade, or the ticker's last price"
    )
    stream: bool = Field(True, description="use the WebSocket; false polls REST only")
    poll_interval_s: float = Field(2.0, ge=0.05, le=3600, description="REST polling interval")
    timeout_s: float = Field(10.0, gt=0, le=120, description="REST request timeout")
    reconnect_min_s: float = Field(1.0, gt=0, le=600, description="first reconnect delay")
    reconnect_max_s: float = Field(60.0, gt=0, le=3600, description="longest reconnect delay")
    urls: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides merged into ccxt's urls for the exchange (a proxy, a test server)",
    )

    @field_validator("pairs")
    @classmethod
    def _normalised_pairs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        pairs = tuple(_pair(p) for p in value)
        if len(set(pairs)) != len(pairs):
            raise ValueError("a pair is listed twice")
        return pairs

    @model_validator(mode="after")
    def _mapped_pairs_enabled(self) -> CcxtFeedSettings:
        mapped = {_pair(p) for p in self.symbol_map}
        if not mapped <= set(self.pairs):
            raise ValueError(
                f"symbol_map names pairs not in pairs: {sorted(mapped - set(self.pairs))}"
            )
        if self.reconnect_max_s < self.reconnect_min_s:
            raise ValueError("reconnect_max_s must not be below reconnect_min_s")
        return self

    def exchange_symbols(self) -> dict[str, str]:
        """Each enabled pair and the exchange's symbol for it."""
        mapped = {_pair(p): s for p, s in self.symbol_map.items()}
        return {pair: mapped.get(pair, pair) for pair in self.pairs}


class PriceSettings(BaseModel):
    """The price service and its feeds."""

    model_config = ConfigDict(frozen=True)

    max_symbols: int = Field(
        10_000, ge=10, le=1_000_000, description="symbols whose latest price is kept"
    )
    replay: ReplayFeedSettings = Field(default_factory=ReplayFeedSettings)
    ccxt: CcxtFeedSettings = Field(default_factory=CcxtFeedSettings)
