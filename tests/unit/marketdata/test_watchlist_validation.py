"""Ticker validation: what is accepted, and the reason for each reject."""

from __future__ import annotations

import pytest

from tradewire.core.errors import ValidationError
from tradewire.marketdata.watchlist import validate_ticker


@pytest.mark.parametrize(
    ("raw", "ticker"),
    [("AAPL", "AAPL"), ("aapl", "AAPL"), (" nvda ", "NVDA"), ("A", "A"), ("GOOGL", "GOOGL"),
     ("BRK.B", "BRK.B"), ("brk.a", "BRK.A"), ("BF.B", "BF.B"), ("3988", "3988"), ("X1", "X1")],
)  # fmt: skip
def test_accepts(raw: str, ticker: str) -> None:
    assert validate_ticker(raw) == ticker


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("TOOLONG", "at most 5"),
        ("BRK-B", "use a dot"),
        ("BTC/USD", "use a dot"),
        ("AA$L", "only letters"),
        ("ÄPPL", "only letters"),
        ("BRK.", "share class"),
        ("BRK.B1", "share class"),
        ("BRK.B.C", "share class"),
        (".B", "nothing before"),
        (42, "must be a string"),
        (None, "must be a string"),
    ],
)
def test_rejects_with_a_reason(raw: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        validate_ticker(raw)
