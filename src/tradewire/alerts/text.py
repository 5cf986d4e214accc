"""Plain-text alerts: ``PAIR LONG|SHORT @ ENTRY [TP: X[, Y]] [SL: Z]`` and ``PAIR BUY|SELL``;
exits as ``PAIR CLOSE|EXIT [LONG|SHORT]`` (``CLOSE-LONG``, ``close_short`` too).

Case, line endings (CRLF, trailing newlines) and extra spaces do not matter; TP/SL may come in
either order, on the same line or the next, with ``:``/``=`` or nothing between label and value.
Anything left over that is not understood rejects the alert, because a half-understood order is
worse than none.
"""

from __future__ import annotations

import re

from tradewire.alerts.intent import parse_action
from tradewire.alerts.model import ParsedAlert, build_parsed
from tradewire.core.errors import ValidationError

NUMBER = (
    r"[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
    r"|[+-]?(?:nan|inf(?:inity)?)\b"
)
_HEAD = re.compile(
    r"(?P<pair>[^\s@]+)\s+"
    r"(?P<direction>(?:close|exit)(?:[\s_-]*(?:long|short|all)\b)?|long|short|buy|sell)\b",
    re.IGNORECASE,
)
_ENTRY = re.compile(
    rf"[\s,;|]*(?:@|\bat\b|\bentry\b\s*[:=]?|\bprice\b\s*[:=]?)\s*(?P<value>{NUMBER})",
    re.IGNORECASE,
)
_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "tp",
        re.compile(
            rf"[\s,;|]*(?:tp\d*|t/p|take[ _-]?profit\d*|target\d*)\s*[:=]?\s*"
            rf"(?P<value>(?:{NUMBER})(?:\s*[,/]\s*(?:{NUMBER}))*)",
            re.IGNORECASE,
        ),
    ),
    (
        "sl",
        re.compile(
            rf"[\s,;|]*(?:sl|s/l|stop(?:[ _-]?loss)?)\s*[:=]?\s*(?P<value>{NUMBER})", re.IGNORECASE
        ),
    ),
    (
        "qty",
        re.compile(rf"[\s,;|]*(?:qty|quantity|size)\s*[:=]?\s*(?P<value>{NUMBER})", re.IGNORECASE),
    ),
    (
        "strategy",
        re.compile(r"[\s,;|]*strategy\s*[:=]\s*(?P<value>[^\s,;|]+)", re.IGNORECASE),
    ),
)
_NUMBER_IN_LIST = re.compile(NUMBER, re.IGNORECASE)


def normalise_text(body: str) -> str:
    """Fold line endings and runs of white space into single spaces, and trim."""
    return " ".join(body.split())


def parse_text(text: str) -> ParsedAlert:
    """Parse a normalised plain-text alert or raise ValidationError with the reason."""
    head = _HEAD.match(text)
    if head is None:
        raise ValidationError(
            "unrecognised alert: expected 'PAIR LONG|SHORT @ ENTRY [TP: X] [SL: Y]'"
            " or 'PAIR BUY|SELL'"
        )
    pos = head.end()
    entry: str | None = None
    match = _ENTRY.match(text, pos)
    if match:
        entry, pos = match.group("value"), match.end()
    fields: dict[str, str] = {}
    while pos < len(text):
        for name, pattern in _FIELDS:
            match = pattern.match(text, pos)
            if match:
                if name in fields:
                    raise ValidationError(f"{name.upper()} given twice")
                fields[name], pos = match.group("value"), match.end()
                break
        else:
            rest = text[pos:].strip(" ,;|")
            if not rest:
                break
            raise ValidationError(f"unrecognised text in alert: {rest[:60]!r}")
    take_profit = _NUMBER_IN_LIST.findall(fields["tp"]) if "tp" in fields else []
    is_simple = entry is None and not fields
    direction, said = parse_action(head.group("direction"))
    return build_parsed(
        symbol=head.group("pair"),
        direction=direction,
        format="simple" if is_simple else "standard",
        intent=said.intent if said else None,
        side=said.side if said else None,
        entries=[entry] if entry else [],
        take_profit=take_profit,
        stop_loss=fields.get("sl"),
        qty=fields.get("qty"),
        strategy=fields.get("strategy"),
    )
