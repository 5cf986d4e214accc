"""Mask secrets before anything is stored, logged or broadcast.

One set of rules for alert bodies (JSON or text), the signals made from them and log events:
a value under a secret-bearing key is replaced by ``***``, wherever the key is (nested, any
case, ``snake_case``, ``camelCase`` or ``kebab-case``), and so is a ``key: value`` or
``key=value`` in text, quoted or not, and the secret in a webhook URL's path.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tradewire.alerts.json_alert import SECRET_KEYS, fold_key

__all__ = ["MASK", "MAX_DEPTH", "is_secret_key", "redact", "redact_text"]

MASK = "***"

#: The deepest nesting walked. Alerts nested deeper are refused when decoded (``decode_json``),
#: so every stored alert is redacted in full; a deeper log value is masked whole rather than
#: walked, which bounds the recursion.
MAX_DEPTH = 32

# Folded key names, beyond the webhook's own passphrase keys, whose values are secrets.
_MORE_SECRET_KEYS = frozenset(
    {"apikey", "apisecret", "secretkey", "privatekey", "password", "passwd", "authorization"}
)
# Folded key endings that make any key a secret one: ``webhook_secret``, ``access-token``,
# ``exchangePassword``, ``binance_api_key``.
_SECRET_SUFFIXES = ("secret", "token", "password", "passphrase", "apikey")
# Every secret key, folded, contains one of these: text without any is left alone unscanned,
# which keeps redaction off the latency of ordinary alerts.
_NAMES = SECRET_KEYS | _MORE_SECRET_KEYS | frozenset(_SECRET_SUFFIXES)
_TRIGGERS = tuple(name for name in _NAMES if not any(o != name and o in name for o in _NAMES))

# ``key: value`` or ``key=value`` in text, the key optionally quoted (JSON or Python style);
# the value is quoted, an HTTP credential (``Bearer xyz``) or a run up to a separator.
_KEY_VALUE = re.compile(
    r"""(?<![\w.-])(?P<quote>["']?)(?P<key>[A-Za-z_][\w.-]{0,63})(?P=quote)(?P<sep>\s*[:=]\s*)"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|(?:Bearer|Basic)\s+[^\s,;&}\]]+"""
    r"""|[^\s,;&}\]"']+)""",
    re.IGNORECASE,
)
_WEBHOOK_PATH = "/webhook/tradingview/"
_WEBHOOK_PATH_SECRET = re.compile(rf"({_WEBHOOK_PATH})[^\s\"'?/]+")


@lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """Whether a value under ``key`` is a secret (``passphrase``, ``apiKey``, ``api-secret``…)."""
    folded = fold_key(key)
    return folded in SECRET_KEYS or folded in _MORE_SECRET_KEYS or folded.endswith(_SECRET_SUFFIXES)


def redact_text(text: str) -> str:
    """Return ``text`` with secret ``key: value`` pairs and webhook path secrets masked."""
    if ":" in text or "=" in text:
        # Folded as keys are (the key pattern allows no other separators): "Pass-Word" counts.
        folded = text.lower().replace("_", "").replace("-", "").replace(".", "")
        if any(trigger in folded for trigger in _TRIGGERS):
            text = _mask_pairs(text)
    if _WEBHOOK_PATH in text:
        text = _WEBHOOK_PATH_SECRET.sub(r"\1" + MASK, text)
    return text


def redact(value: object, _depth: int = 0) -> object:
    """Return ``value`` (a decoded document or a log event) with every secret masked.

    Mappings, lists and tuples are copied (tuples as plain tuples) with secret keys' values
    masked and text redacted; other values are returned as they are. Anything nested deeper
    than :data:`MAX_DEPTH` is masked whole.
    """
    if isinstance(value, str):
        return redact_text(value)
    if not isinstance(value, dict | list | tuple):
        return value
    if _depth >= MAX_DEPTH:
        return MASK
    if isinstance(value, dict):
        return {
            key: MASK if is_secret_key(str(key)) else redact(item, _depth + 1)
            for key, item in value.items()
        }
    items = [redact(item, _depth + 1) for item in value]
    return items if isinstance(value, list) else tuple(items)


def _mask_pairs(text: str) -> str:
    parts: list[str] = []
    pos = 0
    while match := _KEY_VALUE.search(text, pos):
        if is_secret_key(match["key"]):
            value = match["value"]
            quote = value[0] if value[0] in "\"'" else ""
            parts += [text[pos : match.start("value")], quote, MASK, quote]
            pos = match.end()
        else:
            # Scan the value too: it may hold pairs of its own ("alert: 'passphrase: x'",
            # "url: https://host/?token=x").
            parts.append(text[pos : match.end("sep")])
            pos = match.end("sep")
    parts.append(text[pos:])
    return "".join(parts)
