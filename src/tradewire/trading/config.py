"""The trading section of the settings: instruments beyond the defaults, and the paper venue.

Frozen; the composition root builds it from Settings and hands it in.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tradewire.trading.fees import FeeModel, SlippageModel
from tradewire.trading.instruments import Instrument, InstrumentKind


def _default_leverage() -> dict[InstrumentKind, Decimal]:
    return {
        InstrumentKind.CRYPTO_SPOT: Decimal(1),
        InstrumentKind.CRYPTO_PERP: Decimal(20),
        InstrumentKind.FUTURE: Decimal(20),
        InstrumentKind.STOCK: Decimal(2),
    }


class PaperSettings(BaseModel):
    """The paper venue: starting balances per quote currency, fees, slippage and leverage.

    ``max_leverage`` bounds the notional an account may hold per unit of equity, as an
    exchange's margin requirement does (spot 1×, so a spot account never borrows).
    """

    model_config = ConfigDict(frozen=True)

    balances: dict[str, Decimal] = Field(
        default_factory=lambda: {"USDT": Decimal(10_000), "USD": Decimal(10_000)},
        description="starting cash per currency",
    )
    fees: FeeModel = FeeModel()
    slippage: SlippageModel = SlippageModel()
    max_leverage: dict[InstrumentKind, Decimal] = Field(default_factory=_default_leverage)

    @field_validator("balances")
    @classmethod
    def _non_negative(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if any(amount < 0 for amount in value.values()):
            raise ValueError("a starting balance cannot be negative")
        return value

    @field_validator("max_leverage")
    @classmethod
    def _complete(cls, value: dict[InstrumentKind, Decimal]) -> dict[InstrumentKind, Decimal]:
        if any(leverage <= 0 for leverage in value.values()):
            raise ValueError("leverage must be positive")
        return {**_default_leverage(), **value}


class TradingSettings(BaseModel):
    """Instruments that differ from the defaults (or are not among them), and the paper venue."""

    model_config = ConfigDict(frozen=True)

    instruments: tuple[Instrument, ...] = ()
    paper: PaperSettings = PaperSettings()
