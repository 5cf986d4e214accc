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
import types
import typing
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

import orjson

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
    cls = type(event)
    kind = cls.__name__
    if EVENT_KINDS.get(kind) is not cls:
        raise ValidationError(f"{kind} is not a trading event the codec knows")
    return {"kind": kind, **_run(_encoder(cls), event, kind)}


def decode(data: object) -> TradingEvent:
    """Return the event :func:`encode` made ``data`` from; raise ValidationError for an
    unknown kind or a payload that does not fit it."""
    if not isinstance(data, dict):
        raise ValidationError(f"a trading event must be an object, not {type(data).__name__}")
    kind = data.get("kind")
    cls = EVENT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValidationError(f"unknown trading event kind {kind!r}")
    return _run(_decoder(cls), {k: v for k, v in data.items() if k != "kind"}, kind)


def dumps(event: TradingEvent) -> str:
    """Return ``event`` as compact JSON text."""
    return orjson.dumps(encode(event)).decode()


def loads(text: str) -> TradingEvent:
    """Return the event in the JSON ``text`` :func:`dumps` made."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"a trading event is not valid JSON: {exc}") from exc
    return decode(data)


# Each type's converter is built once from the declared types (a journal encodes thousands of
# events per signal); the path of a bad value is only put together when there is one.

Convert = Callable[[Any], Any]


class _Bad(Exception):
    """A value that does not fit its type; ``where`` is its path, innermost last."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.where: list[str] = []


def _run(convert: Convert, value: object, kind: str) -> Any:
    try:
        return convert(value)
    except _Bad as bad:
        raise ValidationError(f"{kind}{''.join(reversed(bad.where))}: {bad.message}") from None


def _wrong(tp: Any, value: object) -> _Bad:
    expected = getattr(tp, "__name__", str(tp))
    return _Bad(f"expected {expected}, got {type(value).__name__} {value!r}")


def _at(step: str, convert: Convert, value: object) -> Any:
    try:
        return convert(value)
    except _Bad as bad:
        bad.where.append(step)
        raise


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


def _exact(tp: type) -> Convert:
    # ``type is``, not isinstance: True must not pass as an int.
    def exact(value: object) -> object:
        if type(value) is not tp:
            raise _wrong(tp, value)
        return value

    return exact


def _items(convert: Convert, value: list | tuple) -> list:
    out = []
    for n, item in enumerate(value):
        out.append(_at(f"[{n}]", convert, item))
    return out


@functools.cache
def _encoder(tp: Any) -> Convert:
    inner = _optional(tp)
    if inner is not None:
        some = _encoder(inner)
        return lambda value: None if value is None else some(value)
    if typing.get_origin(tp) is tuple:
        item = _encoder(typing.get_args(tp)[0])

        def sequence(value: object) -> list:
            if not isinstance(value, tuple):
                raise _wrong(tp, value)
            return _items(item, value)

        return sequence
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        fields = [(f.name, _encoder(hints[f.name])) for f in dataclasses.fields(tp)]

        def record(value: object) -> dict[str, Any]:
            if type(value) is not tp:
                raise _wrong(tp, value)
            out: dict[str, Any] = {}
            name = ""
            try:
                for name, enc in fields:
                    out[name] = enc(getattr(value, name))
            except _Bad as bad:
                bad.where.append(f".{name}")
                raise
            return out

        return record
    if tp is Decimal:

        def decimal(value: object) -> str:
            if not isinstance(value, Decimal) or not value.is_finite():
                raise _wrong(tp, value)
            return format(value, "f")

        return decimal
    if isinstance(tp, type) and issubclass(tp, Enum):

        def enum(value: object) -> object:
            if not isinstance(value, tp):
                raise _wrong(tp, value)
            return value.value

        return enum
    return _exact(tp)


@functools.cache
def _decoder(tp: Any) -> Convert:
    inner = _optional(tp)
    if inner is not None:
        some = _decoder(inner)
        return lambda value: None if value is None else some(value)
    if typing.get_origin(tp) is tuple:
        item = _decoder(typing.get_args(tp)[0])

        def sequence(value: object) -> tuple:
            if not isinstance(value, list):
                raise _wrong(list, value)
            return tuple(_items(item, value))

        return sequence
    if dataclasses.is_dataclass(tp):
        return _record_decoder(tp)
    if tp is Decimal:
        return _decimal
    if isinstance(tp, type) and issubclass(tp, Enum):

        def enum(value: object) -> object:
            try:
                return tp(value)
            except ValueError:
                raise _Bad(f"{value!r} is not a {tp.__name__}") from None

        return enum
    return _exact(tp)


def _record_decoder(cls: type) -> Convert:
    hints = _hints(cls)
    fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}
    required = [
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]

    def record(value: object) -> Any:
        if not isinstance(value, dict):
            raise _wrong(dict, value)
        unknown = sorted(set(value) - fields.keys())
        if unknown:
            raise _Bad(f"unknown fields {', '.join(map(repr, unknown))}")
        missing = [name for name in required if name not in value]
        if missing:
            raise _Bad(f"missing fields {', '.join(map(repr, missing))}")
        return cls(**{k: _at(f".{k}", fields[k], v) for k, v in value.items()})

    return record


def _decimal(value: object) -> Decimal:
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return number
    raise _Bad(f"expected a decimal number as a string, got {value!r}")
