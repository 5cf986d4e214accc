"""``/api/me``: who the caller's token speaks for, and that user's own settings.

Settings belong to stored users (``tradewire user add``); a token for a name the store does not
hold gets 404 for them. ``PUT /api/me/settings`` changes only the fields it names and refuses
unknown ones. Percentages are taken as JSON numbers or strings and answered as strings, so
that ``2.5`` stays exactly 2.5.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from tradewire.api.deps import PrincipalDep, ServicesDep
from tradewire.core.clock import iso_utc

router = APIRouter(tags=["users"])


class SubscriptionsBody(BaseModel):
    """Which strategies and symbols to follow; an empty list means every one, a list left out
    stays as it is."""

    model_config = ConfigDict(extra="forbid")

    strategies: list[str] | None = Field(None, max_length=1000)
    symbols: list[str] | None = Field(None, max_length=1000)


class TrailingStopBody(BaseModel):
    """A stop that follows the best price since entry, ``distance`` away."""

    model_config = ConfigDict(extra="forbid")

    distance: Decimal = Field(
        description="More than 0; in percent of the best price (less than 100) or in ticks"
    )
    unit: Literal["percent", "ticks"]


class SettingsBody(BaseModel):
    """The settings to change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    paper_trade_enabled: StrictBool | None = Field(None, alias="paperTradeEnabled")
    real_trade_enabled: StrictBool | None = Field(None, alias="realTradeEnabled")
    subscriptions: SubscriptionsBody | None = None
    risk_percent: Decimal | None = Field(
        None, alias="riskPercent", description="Percent of equity risked per trade: 0 < x ≤ 100"
    )
    max_notional_percent: Decimal | None = Field(
        None,
        alias="maxNotionalPercent",
        description="Cap on a position's value as a percent of equity: 0 < x ≤ 1000",
    )
    default_stop_percent: Decimal | None = Field(
        None,
        alias="defaultStopPercent",
        description="Stop distance for a signal without a stop, percent of the entry: "
        "0 < x < 100; null rejects such signals",
    )
    opposite_signal: Literal["close", "reverse", "ignore"] | None = Field(
        None, alias="oppositeSignal"
    )
    take_profit_weights: list[Decimal] | None = Field(
        None,
        alias="takeProfitWeights",
        max_length=100,
        description="How a position is shared among a signal's take-profits, nearest first: "
        "at most 10 positive numbers, e.g. [50, 30, 20]; [] (or a count that does not match "
        "the signal's levels) shares equally",
    )
    break_even_after_first_take_profit: StrictBool | None = Field(
        None,
        alias="breakEvenAfterFirstTakeProfit",
        description="Move the stop to the entry once the first take-profit has filled",
    )
    trailing_stop: TrailingStopBody | None = Field(
        None, alias="trailingStop", description="null: no trailing stop"
    )
    reduce_percent: Decimal | None = Field(
        None,
        alias="reducePercent",
        description="Percent of the position a reduce signal without a size takes off: 0 < x ≤ 100",
    )


@router.get("/api/me", summary="The caller: user, role, and whether it is a stored user")
async def me(api: ServicesDep, principal: PrincipalDep) -> dict[str, object]:
    user = await api.users.get(principal.user)
    return {
        "user": principal.user,
        "role": principal.role,
        "account": principal.account,
        "registered": user is not None,
        "created_at": iso_utc(user.created_ns) if user is not None else None,
    }


@router.get("/api/me/settings", summary="The caller's settings")
async def get_settings(api: ServicesDep, principal: PrincipalDep) -> dict[str, object]:
    return (await api.users.settings(principal.user)).to_wire()


@router.put("/api/me/settings", summary="Change some of the caller's settings")
async def put_settings(
    body: SettingsBody, api: ServicesDep, principal: PrincipalDep
) -> dict[str, object]:
    changes = body.model_dump(exclude_unset=True)
    settings = await api.users.update_settings(principal.user, **changes)
    return settings.to_wire()
