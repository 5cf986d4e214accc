"""The format registry: which family an alert body belongs to, found in one pass.

A family is one module under :mod:`tradewire.alerts.families` that declares how its bodies are
recognised and parses them. Text families give a signature, a regular expression that must
match at the start of the body (a lookahead when the mark is further in); the registry joins
them into one alternation, so recognising a body costs one regex match whatever the number of
families, and only the family that matched parses. JSON families give a ``claims`` test on the
alert's folded field names (dictionary look-ups). A body no family claims goes to the fallback:
the seed text formats, or the generic JSON field names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tradewire.alerts.fields import Fields
from tradewire.alerts.model import ParsedAlert


@dataclass(frozen=True, slots=True)
class TextFamily:
    """A text format: ``signature`` recognises it, ``parse`` reads the body as sent."""

    name: str
    signature: str
    parse: Callable[[str], ParsedAlert]


@dataclass(frozen=True, slots=True)
class JsonFamily:
    """A JSON format: ``claims`` recognises it from the fields, ``parse`` reads them."""

    name: str
    claims: Callable[[Fields], bool]
    parse: Callable[[Fields], ParsedAlert]


class FormatRegistry:
    """Dispatch alert bodies to the family that recognises them."""

    def __init__(
        self,
        text: Sequence[TextFamily],
        json: Sequence[JsonFamily],
        *,
        text_fallback: Callable[[str], ParsedAlert],
        json_fallback: Callable[[Fields], ParsedAlert],
    ) -> None:
        names = [f.name for f in text] + [f.name for f in json]
        if len(set(names)) != len(names):
            raise ValueError(f"format names must be unique: {names}")
        self._text = {f"f{i}": family for i, family in enumerate(text)}
        alternation = "|".join(f"(?P<{key}>{f.signature})" for key, f in self._text.items())
        self._recognise = re.compile(alternation, re.IGNORECASE) if text else None
        self._json = tuple(json)
        self._text_fallback = text_fallback
        self._json_fallback = json_fallback

    def text_family(self, body: str) -> TextFamily | None:
        """Return the text family whose signature matches ``body``, if any."""
        match = self._recognise.match(body) if self._recognise else None
        return self._text[match.lastgroup] if match and match.lastgroup else None

    def parse_text(self, body: str) -> ParsedAlert:
        """Parse a text body with its family, or the fallback; raise ValidationError."""
        family = self.text_family(body)
        return family.parse(body) if family else self._text_fallback(body)

    def parse_json(self, document: dict[object, object]) -> ParsedAlert:
        """Parse a JSON object with the first family that claims it, or the fallback."""
        fields = Fields(document)
        for family in self._json:
            if family.claims(fields):
                return family.parse(fields)
        return self._json_fallback(fields)
