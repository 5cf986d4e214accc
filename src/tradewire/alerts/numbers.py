"""Strict price and quantity parsing: finite, positive, thousands separators understood."""

from __future__ import annotations

import math
import re

from tradewire.core.errors import ValidationError

_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_positive(value: object, field: str) -> float:
    """Return ``value`` as a finite float > 0, or raise ValidationError naming ``field``."""
    if isinstance(value, bool):
        raise ValidationError(f"{field} must be a number, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if not _PLAIN.match(text):
            if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
                raise ValidationError(f"{field} must be finite, got {value!r}")
            if text.startswith("-"):
                raise ValidationError(f"{field} must be positive, got {value!r}")
            raise ValidationError(f"{field} is not a number: {value!r}")
        number = float(text)
    else:
        raise ValidationError(f"{field} must be a number, got {type(value).__name__}")
    if not math.isfinite(number):
        raise ValidationError(f"{field} must be finite, got {value!r}")
    if number <= 0:
        raise ValidationError(f"{field} must be positive, got {value!r}")
    return number


_SIGNED = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(value: object, field: str) -> float:
    """Return ``value`` as a finite float of any sign (a position size), or raise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError(f"{field} must be a number, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if not _SIGNED.match(text):
            raise ValidationError(f"{field} is not a number: {value!r}")
        value = text
    number = float(value)
    if not math.isfinite(number):
        raise ValidationError(f"{field} must be finite, got {value!r}")
    return number
