"""Alert parsing: raw alert text or JSON in, a validated ParsedAlert out, or a reason why not."""

from __future__ import annotations

import orjson

from tradewire.alerts.model import ParsedAlert
from tradewire.alerts.parser import AlertParser, check_rendered
from tradewire.alerts.redaction import MAX_DEPTH
from tradewire.core.errors import ValidationError

__all__ = [
    "AlertParser",
    "ParsedAlert",
    "check_rendered",
    "decode_json",
]


def decode_json(body: str) -> object | None:
    """Return the decoded document if ``body`` looks like JSON; raise ValidationError if broken."""
    stripped = body.strip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        document = orjson.loads(stripped)
    except orjson.JSONDecodeError as exc:
        check_rendered(stripped)
        raise ValidationError(f"invalid JSON: {exc}") from exc
    if _nested_deeper_than(document, MAX_DEPTH):
        raise ValidationError(f"JSON alert is nested deeper than {MAX_DEPTH} levels")
    return document


def _nested_deeper_than(document: object, limit: int) -> bool:
    # A loop, not recursion: orjson decodes up to 1024 levels, more than Python's stack allows.
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, dict | list):
                if depth == limit:
                    return True
                stack.append((child, depth + 1))
    return False
