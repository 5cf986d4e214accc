"""``tradewire demo``: the service plus simulated sources, so every part moves with no network
and no accounts."""

from __future__ import annotations

import secrets
from decimal import Decimal

from pydantic import SecretStr
from rich.console import Console

from tradewire.bootstrap import Container
from tradewire.demo.alerts import AlertGenerator
from tradewire.demo.browser import with_browser_capture
from tradewire.demo.tape import TapeSimulator
from tradewire.demo.trading import USER, add_demo_trader, with_paper_trading
from tradewire.server import run
from tradewire.settings import Settings


def run_demo(settings: Settings, *, rate: float, duration: float | None) -> None:
    """Serve with the simulated sources attached (blocking)."""
    # Market data from the built-in replay series: deterministic, no network, no API key.
    settings = settings.model_copy(
        update={
            "quote_providers": ["replay"],
            "candle_providers": ["replay"],
            "collector_interval_s": min(settings.collector_interval_s, 60.0),
        }
    )
    if settings.webhook_secret is None:
        # An ephemeral secret so the demo's alerts go through real authentication.
        settings = settings.model_copy(
            update={"webhook_secret": SecretStr(secrets.token_urlsafe(24))}
        )

    settings = with_paper_trading(settings)
    settings, pages = with_browser_capture(settings)
    browser = (
        "simulated Tradovate page captured from headless Chromium (account demo-browser)"
        if pages
        else "Chromium not found: the browser-capture demo is off"
    )

    async def announce(container: Container, base_url: str) -> None:
        token = container.tokens.issue(USER, "admin", ttl_days=1)
        ws_url = base_url.replace("http", "ws", 1)
        console = Console(stderr=True, soft_wrap=True)
        console.rule("[bold]tradewire demo: where to look")
        console.print(
            f"Simulated TradingView alerts, about {rate:g} a second.\n"
            f"Dashboard    {base_url}/?token={token}\n"
            f"Signals API  curl -H 'Authorization: Bearer {token}' {base_url}/api/signals\n"
            f"WebSocket    {ws_url}/ws?token={token}\n"
            f"Latency      {base_url}/api/latency   Metrics {base_url}/metrics\n"
            f"Market data  {base_url}/api/collector/status   "
            f"{base_url}/api/marketdata/SPY?token={token}\n"
            f"Analysis     {base_url}/api/analyze/NVDA?token={token}   "
            "(or `tradewire backtest run --packaged sp500 --start 2005-01-01 --end 2010-12-31`)\n"
            f"Tape         {base_url}/api/scraper/status?token={token}  (simulated NQZ5, ESZ5)\n"
            f"Candles      {base_url}/api/tape/candles?symbol=NQZ5&token={token}\n"
            f"Browser      {browser}\n"
            f"Paper        user {USER} trades every alert on paper at replay prices:\n"
            f"             curl -H 'Authorization: Bearer {token}' "
            f"{base_url}/api/paper/positions\n"
            f"             (also /api/paper/account, /api/paper/stats, ?status=closed; "
            f"`tradewire paper positions --user {USER}`)\n"
            f"API docs     {base_url}/docs\n"
            "Alerts are posted to /webhook/tradingview with an ephemeral secret; set "
            "TRADEWIRE_WEBHOOK_SECRET to post your own. Ctrl-C stops.",
            highlight=False,
        )
        console.rule()

    async def alerts(container: Container, base_url: str) -> None:
        secret = container.settings.webhook_secret
        assert secret is not None
        # The demo user trades from the first alert on.
        await add_demo_trader(container)
        prices = container.prices

        def live_price(ticker: str) -> Decimal | None:
            tick = prices.latest(ticker) if prices is not None else None
            return tick.price if tick is not None else None

        generator = AlertGenerator(
            base_url, secret.get_secret_value(), rate=rate, live_price=live_price
        )
        await generator.run(duration)

    async def market(container: Container, _base_url: str) -> None:
        if container.collector is not None:
            await container.collector.start()

    async def tape(container: Container, base_url: str) -> None:
        token = container.tokens.issue("demo-tape", "ingest", ttl_days=1, account="demo")
        await TapeSimulator(base_url, token).run(duration)

    try:
        run(settings, companions=(announce, alerts, market, tape))
    finally:
        if pages is not None:
            pages.stop()
