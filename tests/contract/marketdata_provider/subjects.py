"""How the HTTP adapters are built for the contract: as production builds them, except that
retries skip their backoff (the contract is about what a call returns or raises, not about its
pacing, which tests/integration/marketdata covers)."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.fake_providers import FINNHUB_KEY
from tradewire.core.clock import TestClock
from tradewire.core.events import DataSource
from tradewire.marketdata.adapters.finnhub import FinnhubProvider
from tradewire.marketdata.adapters.http import HttpProvider, ProviderHttp
from tradewire.marketdata.adapters.yahoo import USER_AGENT, YAHOO_ANSWERS, YahooProvider
from tradewire.marketdata.ratelimit import SlidingWindowLimiter

#: Known to every provider under contract (the HTTP fakes know every ticker but one).
KNOWN = "AAPL"
#: Retries after the first attempt: a fault must be queued this many times plus one to stick.
RETRIES = 1

#: ``(name, *, timeout=…, base_url=…)`` → a Finnhub or Yahoo adapter (fixture http_provider).
HttpFactory = Callable[..., HttpProvider]


async def no_backoff(_seconds: float) -> None:
    """Stand in for asyncio.sleep between retries."""


def http_adapter(name: str, base_url: str, timeout: float) -> HttpProvider:
    """Return the ``finnhub`` or ``yahoo`` adapter talking to ``base_url``."""
    finnhub = name == "finnhub"
    http = ProviderHttp(
        DataSource(name),
        base_url,
        SlidingWindowLimiter(1_000, 60),
        timeout=timeout,
        retries=RETRIES,
        headers={"X-Finnhub-Token": FINNHUB_KEY} if finnhub else {"user-agent": USER_AGENT},
        answers=frozenset({200}) if finnhub else YAHOO_ANSWERS,
        sleep=no_backoff,
    )
    return (FinnhubProvider if finnhub else YahooProvider)(http, TestClock())
