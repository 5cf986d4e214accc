"""Trading events to JSON-safe dicts and back: what a journal stores and an API can send.

An event becomes its fields plus ``kind`` (the class name). Each value follows its field's
declared type: a Decimal is a string in plain notation with every digit it has (``45000.50``
stays ``"45000.50"``, never a float or an exponent), an enum its value, a tuple a list, a nested
dataclass (order, fill, position, balance, trail) a dict of its fields. Both directions check
every value against the declared type, so a wrong value is a ValidationError naming the field,
never a half-built event or a float slipping into money.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from tradewire.core.errors import ValidationError
from tradewire.trading.events import (
    VENUE_EVENTS,
    BracketArmed,
    BracketPlanned,
    SignalHandled,
    StopMoved,
    TradingEvent,
    TriggerFired,
)

#: Every event the codec reads and writes, by its ``kind`` tag.
EVENT_KINDS: dict[str, type[TradingEvent]] = {
    cls.__name__: cls
    for cls in (
        *VENUE_EVENTS,
        SignalHandled,
        BracketPlanned,
        BracketArmed,
        StopMoved,
        TriggerFired,
    )
}


def encode(event: TradingEvent) -> dict[str, Any]:
    """Return ``event`` as a JSON-safe dict with its ``kind``."""
    kind = type(event).__name__
    if EVENT_KINDS.get(kind) is not type(event):
        raise ValidationError(f"{kind} is not a trading event the codec knows")
    return {"kind": kind, **_to_json(type(event), event, kind)}


def decode(data: object) -> TradingEvent:
    """Return the event :func:`encode` made ``data`` from; raise ValidationError for an
    unknown kind or a payload that does not fit it."""
    if not isinstance(data, dict):
        raise ValidationError(f"a trading event must be an object, not {type(data).__name__}")
    kind = data.get("kind")
    cls = EVENT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValidationError(f"unknown trading event kind {kind!r}")
    return _from_json(cls, {k: v for k, v in data.items() if k != "kind"}, kind)


def dumps(event: TradingEvent) -> str:
    """Return ``event`` as compact JSON text."""
    return json.dumps(encode(event), separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> TradingEvent:
    """Return the event in the JSON ``text`` :func:`dumps` made."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"a trading event is not valid JSON: {exc}") from exc
    return decode(data)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    # The modules use postponed annotations: resolve the strings once per class.
    return typing.get_type_hints(cls)


def _optional(tp: Any) -> Any | None:
    """Return ``X`` for ``X | None``, else None."""
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        (inner,) = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return inner
    return None


def _wrong(path: str, tp: Any, value: object) -> ValidationError:
    expected = getattr(tp, "__name__", str(tp))
    return ValidationError(f"{path}: expected {expected}, got {type(value).__name__} {value!r}")


def _to_json(tp: Any, value: object, path: str) -> Any:
    inner = _optional(tp)
    if inner is not None:
        return None if value is None else _to_json(inner, value, path)
    if typing.get_origin(tp) is tuple:
        if not isinstance(value, tuple):
            raise _wrong(path, tp, value)
        item = typing.get_args(tp)[0]
        return [_to_json(item, v, f"{path}[{n}]") for n, v in enumerate(value)]
    if dataclasses.is_dataclass(tp):
        if type(value) is not tp:
            raise _wrong(path, tp, value)
        hints = _hints(tp)
        return {
            f.name: _to_json(hints[f.name], getattr(value, f.name), f"{path}.{f.name}")
            for f in dataclasses.fields(tp)
        }
    if tp is Decimal:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise _wrong(path, tp, value)
        return format(value, "f")
    if isinstance(tp, type) and issubclass(tp, Enum):
        if not isinstance(value, tp):
            raise _wrong(path, tp, value)
        return value.value
    if type(value) is not tp:  # str, int, bool; ``type is`` keeps True from passing as an int
        raise _wrong(path, tp, value)
    return value


def _from_json(tp: Any, value: object, path: str) -> Any:
    inner = _optional(tp)
    if inner is not None:
        return None if value is None else _from_json(inner, value, path)
    if typing.get_origin(tp) is tuple:
        if not isinstance(value, list):
            raise _wrong(path, list, value)
        item = typing.get_args(tp)[0]
        return tuple(_from_json(item, v, f"{path}[{n}]") for n, v in enumerate(value))
    if dataclasses.is_dataclass(tp):
        return _dataclass_from_json(tp, value, path)
    if tp is Decimal:
        return _decimal(value, path)
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(value)
        except ValueError as exc:
            raise ValidationError(f"{path}: {value!r} is not a {tp.__name__}") from exc
    if type(value) is not tp:
        raise _wrong(path, tp, value)
    return value


def _dataclass_from_json(cls: type, value: object, path: str) -> Any:
    if not isinstance(value, dict):
        raise _wrong(path, dict, value)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise ValidationError(f"{path}: unknown fields {', '.join(map(repr, unknown))}")
    missing = [
        name
        for name, f in fields.items()
        if name not in value
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ValidationError(f"{path}: missing fields {', '.join(map(repr, missing))}")
    hints = _hints(cls)
    return cls(**{k: _from_json(hints[k], v, f"{path}.{k}") for k, v in value.items()})


def _decimal(value: object, path: str) -> Decimal:
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return number
    raise ValidationError(f"{path}: expected a decimal number as a string, got {value!r}")
