"""Build seed-format tape messages for tests."""

from __future__ import annotations

from tradewire.core.clock import iso_utc
from tradewire.demo.tape import page_time


def row(ts_ns: int, acc: float | None, price: float = 25146.0, size: float = 2, **kw) -> dict:
    """One ``trades[]`` row printed at ``ts_ns`` with accumulated volume ``acc``."""
    return {
        "timestamp": page_time(ts_ns),
        "price": price,
        "size": size,
        "accumulatedVolume": acc,
        "tickDirection": "up",
        "isHighlighted": False,
        "captured_at": iso_utc(ts_ns + 200_000_000),
        **kw,
    }


def message(rows: list[dict], account: str = "user1", symbol: str = "NQZ5") -> dict:
    """A scraped-data message of ``rows`` from ``account``'s page on ``symbol``."""
    return {
        "timestamp": rows[0]["captured_at"] if rows else "2025-01-08T14:30:00.000Z",
        "account": account,
        "tabs": [{"symbol": symbol, "isActive": True}],
        "contractInfo": {"name": "E-Mini NASDAQ 100", "lastPrice": 25145.5},
        "trades": rows,
    }
