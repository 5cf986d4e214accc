"""The analyzer's position size: whole shares that risk the account's risk percent.

``shares = ⌊equity × risk % ÷ |entry − stop|⌋``, then capped so the position's value stays
within ``max notional %`` of equity and within the buying power (what the account can pay
for). ``risk_dollars`` is what those shares lose at the stop, ``potential_profit`` what they
make at the target, both from the same prices the levels show. All Decimal; floats from the
analysis enter through their shortest repr.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountView:
    """The account a size is for: equity, what it may risk and hold, what it can pay."""

    equity: Decimal = Decimal(10_000)
    risk_percent: Decimal = Decimal(2)
    max_notional_percent: Decimal = Decimal(10)
    buying_power: Decimal | None = None
    currency: str = "USD"


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionSize:
    """Whole shares, the money at risk to the stop and the profit at the target."""

    shares: int
    risk_dollars: Decimal
    potential_profit: Decimal
    capped_by: str | None


def size_shares(entry: float, stop: float, target: float, account: AccountView) -> PositionSize:
    """Return the whole-share size of a trade at these levels for ``account``."""
    buy_at, stop_at, target_at = (Decimal(repr(v)) for v in (entry, stop, target))
    distance = abs(buy_at - stop_at)
    equity = max(account.equity, Decimal(0))
    by_risk = _whole(equity * account.risk_percent / HUNDRED / distance) if distance else 0
    caps = {"max notional": _whole(equity * account.max_notional_percent / HUNDRED / buy_at)}
    if account.buying_power is not None:
        caps["buying power"] = _whole(max(account.buying_power, Decimal(0)) / buy_at)
    capped_by = None
    shares = by_risk
    for name, cap in caps.items():
        if cap < shares:
            shares, capped_by = cap, name
    return PositionSize(
        shares=shares,
        risk_dollars=_cents(shares * distance),
        potential_profit=_cents(shares * abs(target_at - buy_at)),
        capped_by=capped_by,
    )


def _whole(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)
