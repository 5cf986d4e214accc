"""Simulated TradingView: posts realistic alerts to the webhook over real HTTP.

Prices follow a seeded random walk per market, or the market's live price where one is given
(the demo's replay feed, so its paper trades open at the market); formats rotate through the
seed text formats and JSON; now and then an alert is delivered twice (TradingView's retry) or
is invalid (a take-profit on the wrong side, an unrendered placeholder), so duplicates and
rejections are visible too.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import httpx
import orjson
import structlog

log = structlog.get_logger(__name__)


@dataclass
class Market:
    ticker: str
    price: float
    volatility: float
    decimals: int

    def step(self, rng: random.Random, live: Decimal | None = None) -> float:
        """The next price: the live one when there is one, else a step of the walk."""
        self.price *= 1 + rng.gauss(0, self.volatility)
        if live is not None:
            self.price = float(live)
        return round(self.price, self.decimals)


MARKETS = (
    Market("BTC/USDT", 45_000.0, 0.002, 1),
    Market("ETH/USDT", 2_400.0, 0.003, 2),
    Market("BINANCE:SOLUSDT.P", 98.0, 0.004, 3),
    Market("BYBIT:XRPUSDT", 0.52, 0.004, 4),
    Market("NQ1!", 21_450.0, 0.001, 2),
)
STRATEGIES = ("breakout", "mean-reversion", "momentum")


class AlertGenerator:
    """Post alerts at ``rate`` per second until cancelled or ``duration`` runs out."""

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        rate: float,
        seed: int = 7,
        live_price: Callable[[str], Decimal | None] | None = None,
    ) -> None:
        """``live_price`` returns a market's current price by its ticker, if it has one."""
        self._url = f"{base_url}/webhook/tradingview"
        self._secret = secret
        self._live_price = live_price
        self._interval = 1.0 / rate
        self._rng = random.Random(seed)
        self.sent = 0

    def next_alert(self) -> tuple[str, str]:
        """Return ``(content_type, body)`` of the next simulated alert."""
        rng = self._rng
        market = rng.choice(MARKETS)
        price = market.step(rng, self._live_price(market.ticker) if self._live_price else None)
        long = rng.random() < 0.5
        risk = price * rng.uniform(0.004, 0.012)
        tp = round(price + (2 * risk if long else -2 * risk), market.decimals)
        sl = round(price - (risk if long else -risk), market.decimals)
        roll = rng.random()
        if roll < 0.05:
            return "text/plain", f"{{{{ticker}}}} {'BUY' if long else 'SELL'}"
        if roll < 0.10:
            tp, sl = sl, tp  # levels on the wrong side: rejected with the reason
        kind = rng.choice(("standard", "simple", "json"))
        if kind == "standard":
            word = "LONG" if long else "SHORT"
            return "text/plain", f"{market.ticker} {word} @ {price} TP: {tp} SL: {sl}\r\n"
        if kind == "simple":
            return "text/plain", f"{market.ticker} {'BUY' if long else 'SELL'}"
        body = {
            "ticker": market.ticker.replace("/", ""),
            "action": "buy" if long else "sell",
            "price": str(price),
            "tp": str(tp),
            "sl": str(sl),
            "strategy": rng.choice(STRATEGIES),
            "passphrase": self._secret,
        }
        return "application/json", orjson.dumps(body).decode()

    async def run(self, duration: float | None = None) -> None:
        deadline = None if duration is None else time.monotonic() + duration
        async with httpx.AsyncClient(timeout=5) as client:
            while deadline is None or time.monotonic() < deadline:
                content_type, body = self.next_alert()
                # JSON carries the secret as its passphrase; plain text only in the path.
                is_json = content_type == "application/json"
                url = self._url if is_json else f"{self._url}/{self._secret}"
                repeats = 2 if self._rng.random() < 0.08 else 1
                for _ in range(repeats):
                    try:
                        await client.post(url, content=body, headers={"content-type": content_type})
                        self.sent += 1
                    except httpx.HTTPError as exc:
                        log.warning("demo alert not delivered", error=str(exc))
                await asyncio.sleep(self._rng.expovariate(1 / self._interval))
