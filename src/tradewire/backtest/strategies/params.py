"""Strategy parameters from the command line: ``--param key=value``, checked and typed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from tradewire.core.errors import ValidationError

T = TypeVar("T")


class Params:
    """Read typed values out of text pairs; refuse unknown keys and bad values by name."""

    def __init__(self, raw: Mapping[str, str], strategy: str) -> None:
        self._raw = dict(raw)
        self._strategy = strategy
        self._read: set[str] = set()

    def integer(self, key: str, default: int) -> int:
        return self._typed(key, default, int, "a whole number")

    def number(self, key: str, default: float) -> float:
        return self._typed(key, default, float, "a number")

    def text(self, key: str, default: str) -> str:
        return self._typed(key, default, str, "text")

    def flag(self, key: str, default: bool) -> bool:
        def parse(text: str) -> bool:
            lowered = text.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return lowered in ("true", "1", "yes")

        return self._typed(key, default, parse, "true or false")

    def build(self, factory: Callable[..., T], **values: object) -> T:
        """Call ``factory`` with ``values`` once every given key was read; a key nobody read, or
        a value the strategy refuses, is a :class:`ValidationError`."""
        unknown = sorted(set(self._raw) - self._read)
        if unknown:
            known = ", ".join(sorted(self._read)) or "none"
            raise ValidationError(
                f"{self._strategy} has no parameter {', '.join(unknown)} (it takes {known})"
            )
        try:
            return factory(**values)
        except ValueError as exc:
            raise ValidationError(f"{self._strategy}: {exc}") from exc

    def _typed(self, key: str, default: T, parse: Callable[[str], T], what: str) -> T:
        self._read.add(key)
        if key not in self._raw:
            return default
        try:
            return parse(self._raw[key])
        except ValueError as exc:
            raise ValidationError(
                f"{self._strategy}: {key} must be {what}, not {self._raw[key]!r}"
            ) from exc
