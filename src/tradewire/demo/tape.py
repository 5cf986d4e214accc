"""Simulated Tradovate Time & Sales: posts realistic tape scans to the real ingest endpoint.

Each simulated page shows the newest prints of one contract the way Tradovate does: US/Central
wall time as ``08:52:25.037 10/8/25``, prices on the tick grid (sometimes as page text with a
thousands separator), the running accumulated volume, and bursts of identical prints (one
aggressive order filling several resting ones: same millisecond, price and size). Every scan
re-sends the rows still on screen, like the page's re-scan, so duplicate suppression is visible.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import structlog

from tradewire.core.clock import iso_utc

log = structlog.get_logger(__name__)
CENTRAL = ZoneInfo("America/Chicago")


def page_time(ns: int) -> str:
    """Format ``ns`` as Tradovate's Time & Sales shows it (US/Central)."""
    local = datetime.fromtimestamp(ns / 1e9, CENTRAL)
    return f"{local:%H:%M:%S}.{local.microsecond // 1000:03d} {local.month}/{local.day}/{local:%y}"


@dataclass
class TapePage:
    """One account's page watching one contract."""

    account: str
    symbol: str
    name: str
    price: float
    tick: float = 0.25
    accumulated: int = 0
    last_ns: int = 0
    last_direction: str = "up"
    shown: list[dict] = field(default_factory=list)

    def prints(self, rng: random.Random, now_ns: int, count: int) -> None:
        """Add ``count`` new prints (some in identical bursts) at the top of the table."""
        for _ in range(count):
            move = rng.choice((-1, 0, 0, 1))
            self.price = round(self.price + move * self.tick, 2)
            direction = "up" if move > 0 else "down" if move < 0 else self.last_direction
            self.last_direction = direction
            size = max(1, int(rng.paretovariate(1.6)))
            # Prints move forward in time, several may share a millisecond.
            self.last_ns = min(
                now_ns,
                max(self.last_ns, now_ns - 500_000_000) + rng.choice((0, 1, 7, 40)) * 1_000_000,
            )
            stamp = page_time(self.last_ns)
            repeats = rng.choice((1, 1, 1, 1, 2, 3))
            for _ in range(repeats):
                self.accumulated += size
                text_price = rng.random() < 0.3
                self.shown.insert(
                    0,
                    {
                        "timestamp": stamp,
                        "price": f"{self.price:,.2f}" if text_price else self.price,
                        "size": size,
                        "accumulatedVolume": self.accumulated,
                        "tickDirection": direction,
                        "isHighlighted": len(self.shown) % 2 == 1,
                        "account": self.account,
                        "captured_at": iso_utc(now_ns),
                    },
                )
        del self.shown[40:]

    def message(self, now_ns: int) -> dict:
        return {
            "timestamp": iso_utc(now_ns),
            "account": self.account,
            "tabs": [{"symbol": self.symbol, "isActive": True}],
            "contractInfo": {
                "name": self.name,
                "lastPrice": self.price,
                "priceDirection": self.last_direction,
                "totalVolume": self.accumulated,
            },
            "trades": list(self.shown),
        }


class TapeSimulator:
    """Post page scans to ``/api/scraper/ingest`` every ``interval`` seconds."""

    def __init__(self, base_url: str, token: str, *, interval: float = 0.5, seed: int = 11):
        self._url = f"{base_url}/api/scraper/ingest"
        self._headers = {"authorization": f"Bearer {token}"}
        self._interval = interval
        self._rng = random.Random(seed)
        self.pages = (
            TapePage("demo", "NQZ5", "E-Mini NASDAQ 100", 25_146.00),
            TapePage("demo", "ESZ5", "E-Mini S&P 500", 6_752.25),
        )
        self.accepted = 0
        self.duplicates = 0

    async def run(self, duration: float | None = None) -> None:
        deadline = None if duration is None else time.monotonic() + duration
        async with httpx.AsyncClient(timeout=10) as client:
            while deadline is None or time.monotonic() < deadline:
                for page in self.pages:
                    now = time.time_ns()
                    page.prints(self._rng, now, self._rng.randint(1, 6))
                    try:
                        resp = await client.post(
                            self._url, json=page.message(now), headers=self._headers
                        )
                        body = resp.json()
                        self.accepted += body.get("accepted", 0)
                        self.duplicates += body.get("duplicates", 0)
                    except (httpx.HTTPError, ValueError) as exc:
                        log.warning("demo tape scan not delivered", error=str(exc))
                await asyncio.sleep(self._interval)
