"""Alert parsing: raw alert text or JSON in, a validated ParsedAlert out, or a reason why not."""

from __future__ import annotations

import re

import orjson

from tradewire.alerts.json_alert import SECRET_KEYS, fold_key
from tradewire.alerts.model import ParsedAlert
from tradewire.alerts.parser import AlertParser, check_rendered
from tradewire.core.errors import ValidationError

__all__ = [
    "AlertParser",
    "ParsedAlert",
    "check_rendered",
    "decode_json",
    "redact_secret_text",
    "redact_secrets",
]


def decode_json(body: str) -> object | None:
    """Return the decoded document if ``body`` looks like JSON; raise ValidationError if broken."""
    stripped = body.strip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return orjson.loads(stripped)
    except orjson.JSONDecodeError as exc:
        check_rendered(stripped)
        raise ValidationError(f"invalid JSON: {exc}") from exc


_SECRET_TEXT = re.compile(
    r'("?(?:passphrase|secret|webhook_secret|token|key)"?\s*[:=]\s*)("[^"]*"|[^\s,}]+)',
    re.IGNORECASE,
)


def redact_secret_text(body: str) -> str:
    """Blank secret values in a body that could not be decoded as JSON."""
    return _SECRET_TEXT.sub(r'\1"***"', body)


def redact_secrets(document: object) -> object:
    """Return ``document`` with every secret-bearing key's value replaced by ``***``."""
    if isinstance(document, dict):
        return {
            k: "***" if fold_key(str(k)) in SECRET_KEYS else redact_secrets(v)
            for k, v in document.items()
        }
    if isinstance(document, list):
        return [redact_secrets(item) for item in document]
    return document
