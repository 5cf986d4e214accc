"""Alert parsing: raw alert text or JSON in, a validated ParsedAlert out, or a reason why not."""

from __future__ import annotations

import re

import orjson

from tradewire.alerts.json_alert import SECRET_KEYS, fold_key, parse_json_alert
from tradewire.alerts.model import ParsedAlert
from tradewire.alerts.templates import TemplateSet
from tradewire.alerts.text import normalise_text, parse_text
from tradewire.core.errors import ValidationError

__all__ = [
    "AlertParser",
    "ParsedAlert",
    "check_rendered",
    "decode_json",
    "redact_secret_text",
    "redact_secrets",
]

_PLACEHOLDER = re.compile(r"\{\{[^{}]{0,80}\}\}")
_MESSAGE_KEYS = ("message", "text", "alert", "alertmessage")


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


def check_rendered(body: str) -> None:
    """Reject a body in which TradingView left a ``{{placeholder}}`` unrendered."""
    placeholder = "{{" in body and _PLACEHOLDER.search(body)
    if placeholder:
        raise ValidationError(
            f"alert was not rendered by TradingView: placeholder {placeholder.group(0)} left in"
        )


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


class AlertParser:
    """Parse alert bodies: user templates first, then JSON, then the seed text formats."""

    def __init__(self, templates: TemplateSet | None = None) -> None:
        self._templates = templates or TemplateSet(())

    def parse(self, body: str, document: object | None = None) -> ParsedAlert:
        """Parse ``body`` (``document`` is its decoded JSON, if any) or raise ValidationError."""
        check_rendered(body)
        if document is not None:
            message = _embedded_message(document)
            if message is None:
                return parse_json_alert(document)
            body = message
        text = normalise_text(body)
        if not text:
            raise ValidationError("empty alert")
        if self._templates:
            parsed = self._templates.match(text)
            if parsed is not None:
                return parsed
        return parse_text(text)


def _embedded_message(document: object) -> str | None:
    """A JSON body that only wraps a text alert (``{"message": "BTC/USDT BUY"}``)."""
    if not isinstance(document, dict):
        return None
    keys = {fold_key(str(k)): v for k, v in document.items() if fold_key(str(k)) not in SECRET_KEYS}
    for name in _MESSAGE_KEYS:
        value = keys.get(name)
        if (
            isinstance(value, str)
            and len(keys) <= 2
            and not any(k in keys for k in ("ticker", "symbol", "pair", "action", "side"))
        ):
            return value
    return None
