"""Alert families: one module per format, each recognised by its content.

To add a family, write a module with its ``TextFamily`` or ``JsonFamily`` (signature or claim,
and parser), add it to the lists below, and add its examples to the corpus under
``tests/unit/alerts/corpus/``. Order matters only where two signatures could match one body:
the first listed wins.
"""

from __future__ import annotations

from functools import cache

from tradewire.alerts.families import (
    channel,
    octobot,
    pineconnector,
    threecommas,
    traderspost,
    tradingview,
)
from tradewire.alerts.families.generic_json import parse_generic
from tradewire.alerts.registry import FormatRegistry
from tradewire.alerts.text import normalise_text, parse_text

TEXT_FAMILIES = (tradingview.FAMILY, pineconnector.FAMILY, octobot.FAMILY, channel.FAMILY)
JSON_FAMILIES = (threecommas.FAMILY, traderspost.FAMILY)


@cache
def default_registry() -> FormatRegistry:
    """The registry of every built-in family (built once: compiling it is the costly part)."""
    return FormatRegistry(
        TEXT_FAMILIES,
        JSON_FAMILIES,
        text_fallback=lambda body: parse_text(normalise_text(body)),
        json_fallback=parse_generic,
    )
