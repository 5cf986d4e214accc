"""JSON alert keys: how they are folded for matching, and which carry the shared secret.

Keys are matched case-insensitively and without ``_``/``-``/``.``, so ``take_profit``,
``takeProfit`` and ``TakeProfit`` are one field. The field names themselves are read by the
families (:mod:`tradewire.alerts.families`).
"""

from __future__ import annotations

import re
from typing import Any

SECRET_KEYS = frozenset({"passphrase", "secret", "webhooksecret", "key", "token"})


def fold_key(key: str) -> str:
    """Fold a JSON key for alias lookup."""
    return re.sub(r"[_\-.\s]", "", key).lower()


def passphrase_of(document: dict[str, Any]) -> str | None:
    """Return the shared secret a JSON alert carries, if any."""
    for key, value in document.items():
        if fold_key(key) in SECRET_KEYS and isinstance(value, str):
            return value
    return None
