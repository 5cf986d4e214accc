"""Sizes and price levels given relative to something: ``50%p`` of the position, a take-profit
10 % above the entry, a stop 25 points below the price the alert carried."""

from __future__ import annotations

import re

from tradewire.alerts.numbers import parse_positive
from tradewire.core.errors import ValidationError
from tradewire.core.events import Side, SizeUnit

# Suffixes used by bots for what a percentage is of: ``50%p`` (position), ``50%b`` or ``50%``
# (balance), ``50%a`` or ``50%%`` (available balance); ``12a%`` is the same written the other
# way round.
_SIZE = re.compile(r"^\s*(?P<number>[0-9.,eE+]+)\s*(?P<unit>%%|%[pba]?|[abst]%|)\s*$")
_PERCENT_UNITS = {
    "%": SizeUnit.EQUITY_PERCENT,
    "%b": SizeUnit.EQUITY_PERCENT,
    "%p": SizeUnit.POSITION_PERCENT,
    "%a": SizeUnit.AVAILABLE_PERCENT,
    "%%": SizeUnit.AVAILABLE_PERCENT,
    "a%": SizeUnit.AVAILABLE_PERCENT,
}


def parse_size(value: object, field: str = "quantity") -> tuple[float, SizeUnit]:
    """Read a size: a number of units, or a percentage with what it is a percentage of."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_positive(value, field), SizeUnit.UNITS
    match = _SIZE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError(f"{field} is not a size: {value!r}")
    unit = match["unit"]
    number = parse_positive(match["number"], field)
    if not unit:
        return number, SizeUnit.UNITS
    if unit not in _PERCENT_UNITS:
        raise ValidationError(
            f"{field} {value!r} is a share of holdings tradewire does not track; "
            "send a quantity or a percent of the balance or position"
        )
    return number, _PERCENT_UNITS[unit]


def level_from_distance(
    base: float, distance: float, *, side: Side, kind: str, percent: bool
) -> float:
    """Return the price ``distance`` (points, or percent of ``base``) from ``base`` on the
    profitable side for a take-profit (``kind`` ``tp``) or the losing side for a stop."""
    step = base * distance / 100 if percent else distance
    upwards = (side is Side.LONG) == (kind == "tp")
    price = base + step if upwards else base - step
    if price <= 0:
        what = "take-profit" if kind == "tp" else "stop-loss"
        raise ValidationError(f"{what} {distance:g}{'%' if percent else ''} from {base:g} is <= 0")
    # 143.12 * 1.1 is 157.43200000000002 in binary: keep the digits a person would write.
    return float(f"{price:.12g}")
