"""The alert parser: the user's templates first, then the format registry."""

from __future__ import annotations

import re

from tradewire.alerts.families import default_registry
from tradewire.alerts.fields import fold
from tradewire.alerts.json_alert import SECRET_KEYS
from tradewire.alerts.model import ParsedAlert
from tradewire.alerts.registry import FormatRegistry
from tradewire.alerts.templates import TemplateSet
from tradewire.alerts.text import normalise_text
from tradewire.core.errors import ValidationError

_PLACEHOLDER = re.compile(r"\{\{[^{}]{0,80}\}\}")
_MESSAGE_KEYS = ("message", "text", "alert", "alertmessage", "content")
_TRADE_KEYS = frozenset({"ticker", "symbol", "pair", "action", "side"})


class AlertParser:
    """Parse alert bodies: user templates first (the user's own formats win), then the family
    the registry recognises, falling back to the seed text formats or generic JSON."""

    def __init__(
        self, templates: TemplateSet | None = None, registry: FormatRegistry | None = None
    ) -> None:
        self._templates = templates or TemplateSet(())
        self._registry = registry or default_registry()

    def parse(self, body: str, document: object | None = None) -> ParsedAlert:
        """Parse ``body`` (``document`` is its decoded JSON, if any) or raise ValidationError."""
        check_rendered(body)
        if document is not None:
            message = _embedded_message(document)
            if message is None:
                if not isinstance(document, dict):
                    kind = type(document).__name__
                    raise ValidationError(f"JSON alert must be an object, got {kind}")
                return self._registry.parse_json(document)
            body = message
        if not body.strip():
            raise ValidationError("empty alert")
        if self._templates:
            parsed = self._templates.match(normalise_text(body))
            if parsed is not None:
                return parsed
        return self._registry.parse_text(body.strip())


def check_rendered(body: str) -> None:
    """Reject a body in which TradingView left a ``{{placeholder}}`` unrendered."""
    placeholder = "{{" in body and _PLACEHOLDER.search(body)
    if placeholder:
        raise ValidationError(
            f"alert was not rendered by TradingView: placeholder {placeholder.group(0)} left in"
        )


def _embedded_message(document: object) -> str | None:
    """A JSON body that only wraps a text alert (``{"message": "BTC/USDT BUY"}``)."""
    if not isinstance(document, dict):
        return None
    if len(document) > 3:
        return None
    keys = {name: v for k, v in document.items() if (name := fold(str(k))) not in SECRET_KEYS}
    if len(keys) > 2 or _TRADE_KEYS & keys.keys():
        return None
    for name in _MESSAGE_KEYS:
        value = keys.get(name)
        if isinstance(value, str):
            return value
    return None
