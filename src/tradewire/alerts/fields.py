"""A JSON alert's fields by name, whatever the spelling and however nested.

Keys are matched case-insensitively and without ``_``/``-``/``.``/spaces, so ``take_profit``,
``takeProfit`` and ``TakeProfit`` are one field. Nested objects are flattened: a value is found
by its folded path (``strategy.order_action`` → ``strategyorderaction``) and by its own key
(``orderaction``) unless a top-level key has that name; two different nested values under one
key make that key ambiguous, and reading it rejects the alert.
"""

from __future__ import annotations

from collections.abc import Iterable, KeysView, Mapping
from functools import lru_cache

from tradewire.alerts.json_alert import fold_key
from tradewire.core.errors import ValidationError

_AMBIGUOUS = object()
# A desk's alerts repeat the same few keys: fold each once.
fold = lru_cache(maxsize=4096)(fold_key)


class Fields:
    """Folded field names of one JSON alert, with their values."""

    __slots__ = ("_top", "_values")

    def __init__(self, document: Mapping[object, object]) -> None:
        self._values: dict[str, object] = {}
        self._top: set[str] = set()
        self._flatten(document, "", 0)

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def names(self) -> KeysView[str]:
        return self._values.keys()

    def get(self, name: str) -> object | None:
        """Return the value under folded ``name``; None if absent or empty."""
        value = self._values.get(name)
        if value is _AMBIGUOUS:
            raise ValidationError(f"conflicting values for {name!r} in the JSON alert")
        return None if value == "" else value

    def first(self, field: str, names: Iterable[str]) -> object | None:
        """Return the value under any of ``names``; raise if two of them disagree."""
        values = self._values
        found: object | None = None
        for name in names:
            value = values.get(name)
            if value is None or value == "":
                continue
            if value is _AMBIGUOUS:
                raise ValidationError(f"conflicting values for {name!r} in the JSON alert")
            if found is not None and value != found:
                raise ValidationError(f"conflicting values for {field}: {found!r} and {value!r}")
            found = value
        return found

    def _flatten(self, document: Mapping[object, object], prefix: str, depth: int) -> None:
        for key, value in document.items():
            folded = fold(str(key))
            if isinstance(value, Mapping) and depth < 4:
                self._flatten(value, prefix + folded, depth + 1)
                continue
            if not prefix:
                self._top.add(folded)
            self._put(prefix + folded, value)
            if prefix and folded not in self._top:
                self._put(folded, value)

    def _put(self, name: str, value: object) -> None:
        if value is None:
            return
        if name in self._top and name in self._values:
            # A top-level key wins over a nested one of the same name.
            self._values[name] = value
            return
        seen = self._values.get(name)
        if seen is not None and seen != value:
            value = _AMBIGUOUS
        self._values[name] = value
