"""How a backtest's account and market are set up: cash, costs, risk settings, the period."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

from tradewire.core.errors import ValidationError
from tradewire.trading.account import AccountSettings
from tradewire.trading.fees import SlippageModel
from tradewire.trading.instruments import Instrument
from tradewire.trading.money import ZERO


@dataclass(frozen=True, slots=True, kw_only=True)
class BacktestConfig:
    """The account and market a backtest trades in.

    ``fee_bps`` is charged on every fill's value (maker and taker alike); ``slippage`` worsens
    every fill that takes liquidity (market orders, stops). ``account`` sizes and manages the
    strategy's risk-sized entries exactly as a user's paper-trading settings do.
    """

    cash: Decimal = Decimal(10_000)
    currency: str = "USD"
    fee_bps: Decimal = ZERO
    slippage: SlippageModel = field(default_factory=lambda: SlippageModel(amount=ZERO))
    account: AccountSettings = field(default_factory=AccountSettings)
    instruments: tuple[Instrument, ...] = ()
    start_ns: int | None = None
    end_ns: int | None = None
    source: str = ""
    #: Processes that compute a whole-series strategy's decisions, one symbol each.
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValidationError("workers must be at least 1")
        if self.cash <= 0:
            raise ValidationError("the starting cash must be positive")
        if self.fee_bps < 0:
            raise ValidationError("the fee cannot be negative")
        if self.start_ns is not None and self.end_ns is not None and self.end_ns <= self.start_ns:
            raise ValidationError("the end must be after the start")
