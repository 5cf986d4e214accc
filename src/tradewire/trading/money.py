"""Decimal money and quantities: the one way a float enters trading, and rounding to a grid.

Signals carry floats (they are parsed from text); trading never computes with them.
:func:`to_decimal` is the boundary: it takes the float's shortest repr, so 0.1 becomes
``Decimal("0.1")``, not the binary neighbour ``0.1000000000000000055511151231257827``.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, localcontext

from tradewire.core.errors import ValidationError

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
BPS = Decimal(10_000)
#: Amounts split by a division (the cost basis of part of a position) are quantised to this
#: exponent, so every sum stays exact: the digits an account holds are bounded.
MONEY_QUANTUM = Decimal("1e-12")


def to_decimal(value: float | int | str | Decimal) -> Decimal:
    """Return ``value`` as a Decimal; a float goes through its shortest repr.

    Raise :class:`ValidationError` for NaN or an infinity: no price or size can be one.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"{value!r} is not a number a price or size can be")
        # float() first: a numpy float is a float whose repr is "np.float64(…)".
        result = Decimal(repr(float(value)))
    else:
        result = Decimal(value)
    if not result.is_finite():
        raise ValidationError(f"{value!r} is not a number a price or size can be")
    return result


def price_or_none(value: float | None) -> Decimal | None:
    """Return a signal's price as a Decimal, or None when it gives none.

    Zero counts as none: the seed systems wrote 0 for a missing entry, take-profit or stop, and
    reading it as a price sized positions to infinity. A negative price is refused.
    """
    if value is None or value == 0:
        return None
    price = to_decimal(value)
    if price < 0:
        raise ValidationError(f"a price cannot be negative ({value!r})")
    return price


def round_to_step(value: Decimal, step: Decimal, rounding: str = ROUND_FLOOR) -> Decimal:
    """Return ``value`` rounded to a multiple of ``step`` (down by default).

    The division runs in the same rounding direction, so a quotient a hair below a whole
    number of steps never rounds up into it.
    """
    with localcontext() as ctx:
        ctx.rounding = rounding if rounding in (ROUND_FLOOR, ROUND_CEILING) else ROUND_HALF_EVEN
        units = (value / step).to_integral_value(rounding=rounding)
    return units * step


def floor_div(numerator: Decimal, denominator: Decimal) -> Decimal:
    """Return ``numerator / denominator`` rounded toward minus infinity at the last digit, so a
    size computed from a budget never exceeds it."""
    with localcontext() as ctx:
        ctx.rounding = ROUND_FLOOR
        return numerator / denominator


def quantize_money(value: Decimal) -> Decimal:
    """Return ``value`` rounded half-even to :data:`MONEY_QUANTUM` if it has more digits than
    that (an exact value is kept as it is)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= MONEY_QUANTUM.as_tuple().exponent:
        return value
    return value.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_EVEN)


def fmt(value: Decimal) -> str:
    """Format an amount for a message: thousands separated, no exponent, no trailing zeros."""
    return f"{value.normalize():,f}"
