"""User alert templates: regular expressions with named groups, tried in configured order.

Groups: ``pair`` and ``direction`` (required; an exit word such as ``close long`` makes the
alert an exit), ``entry``, ``tp`` (one or more numbers), ``sl``, ``qty``, ``strategy``, ``id``
(optional).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tradewire.alerts.intent import parse_action
from tradewire.alerts.model import ParsedAlert, build_parsed
from tradewire.alerts.text import NUMBER

_NUMBERS = re.compile(NUMBER, re.IGNORECASE)


class TemplateSet:
    """Compiled user templates."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self._patterns = [re.compile(p) for p in patterns]

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def match(self, text: str) -> ParsedAlert | None:
        """Return the alert parsed by the first matching template, or None if none matches.

        A template that matches but yields invalid values raises ValidationError: the user
        said this is their format, so its values are judged rather than falling through.
        """
        for index, pattern in enumerate(self._patterns):
            match = pattern.fullmatch(text) or pattern.search(text)
            if match is None:
                continue
            groups = {k: v for k, v in match.groupdict().items() if v is not None}
            direction, said = parse_action(groups.get("direction"))
            return build_parsed(
                symbol=groups.get("pair"),
                direction=direction,
                format=f"template:{index}",
                intent=said.intent if said else None,
                side=said.side if said else None,
                entries=[groups["entry"]] if "entry" in groups else [],
                take_profit=_NUMBERS.findall(groups["tp"]) if "tp" in groups else [],
                stop_loss=groups.get("sl"),
                qty=groups.get("qty"),
                strategy=groups.get("strategy"),
                external_id=groups.get("id"),
            )
        return None
