"""The replay price feed: a deterministic random walk per symbol, emitted at a set pace.

Each symbol walks from its starting price by log-normal steps of about ``step_bps`` basis points,
drawn from a generator seeded by the symbol, so the same symbol and start always give the same
series (:func:`replay_prices`) — the demo's prices move like a market, a test knows every one.
Prices keep the starting price's decimals, and at least six significant digits.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Iterator, Mapping
from decimal import Decimal

from tradewire.core.clock import Clock
from tradewire.core.ids import stable_id
from tradewire.core.prices import PriceTick
from tradewire.marketdata.feeds.service import Emit


def _walk(symbol: str, start: Decimal, step_bps: float) -> Iterator[Decimal]:
    rng = random.Random(int(stable_id("replay prices", symbol)[:12], 16))
    places = max(-int(start.as_tuple().exponent), 5 - start.adjusted())
    quantum = Decimal(1).scaleb(-places)
    price = float(start)
    sigma = step_bps / 10_000
    yield start.quantize(quantum)
    while True:
        price *= math.exp(rng.gauss(0.0, sigma))
        yield Decimal(price).quantize(quantum)


def replay_prices(symbol: str, start: Decimal, count: int, step_bps: float = 5.0) -> list[Decimal]:
    """The first ``count`` prices the replay feed emits for ``symbol`` from ``start``."""
    walk = _walk(symbol, start, step_bps)
    return [next(walk) for _ in range(count)]


class ReplayFeed:
    """Emit one price per symbol every ``pace_s`` seconds (``steps`` times, or forever)."""

    name = "replay"

    def __init__(
        self,
        start: Mapping[str, Decimal],
        clock: Clock,
        *,
        pace_s: float,
        step_bps: float = 5.0,
        steps: int | None = None,
    ) -> None:
        self._start = dict(start)
        self._clock = clock
        self._pace_s = pace_s
        self._step_bps = step_bps
        self._steps = steps
        self.emitted = 0

    async def run(self, emit: Emit) -> None:
        """Walk every symbol, one step per pace, until cancelled or ``steps`` are done."""
        walks = {s: _walk(s, p, self._step_bps) for s, p in self._start.items()}
        step = 0
        while self._steps is None or step < self._steps:
            now = self._clock.now_ns()
            for symbol, walk in walks.items():
                emit(
                    PriceTick(
                        symbol=symbol, price=next(walk), source="replay", ts_event=now, ts_init=now
                    )
                )
                self.emitted += 1
            step += 1
            await asyncio.sleep(self._pace_s)

    async def aclose(self) -> None:
        """Nothing to release."""

    def status(self) -> dict[str, object]:
        """The symbols walked and how many prices were emitted."""
        return {"name": self.name, "symbols": sorted(self._start), "emitted": self.emitted}
