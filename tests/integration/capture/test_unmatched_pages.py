"""Pages that look like a captured site but match none of its URL patterns, in real Chromium: no
script runs in them, and the session says so once per site and origin, naming the setting."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from tests.support.waiting import eventually

pytestmark = pytest.mark.browser

REAL_HOSTS = {
    "tradovate_urls": ["https://*.tradovate.com/*"],
    "tradingview_urls": ["https://*.tradingview.com/*"],
}


def warnings(events: list[dict]) -> list[tuple[str, str, str]]:
    return [
        (e["site"], e["origin"], e["setting"])
        for e in events
        if e["log_level"] == "warning" and e.get("setting")
    ]


async def test_a_site_served_from_another_host_is_reported_once(desk, pages):
    """The simulated pages show each site's markers from 127.0.0.1, which patterns for the real
    hosts miss."""
    desk = await desk("elsewhere", **REAL_HOSTS)
    with capture_logs() as events:
        page = await desk.open("elsewhere", pages.url("tradovate.html"))
        await eventually(lambda: warnings(events))
        await page.reload()
        await desk.open("elsewhere", pages.url("tradovate.html", variant="v2"))  # same origin
        await desk.open("elsewhere", pages.url("tradingview.html"))
        await eventually(lambda: len(warnings(events)) == 2)
    assert warnings(events) == [
        ("tradovate", pages.base_url, "TRADEWIRE_CAPTURE__TRADOVATE_URLS"),
        ("tradingview", pages.base_url, "TRADEWIRE_CAPTURE__TRADINGVIEW_URLS"),
    ]
    assert await page.evaluate("typeof window.TradovateScraperControl") == "undefined"


async def test_a_site_host_outside_the_patterns_is_reported(desk, pages):
    """Tradovate's own host (served here by the browser's request routing) with patterns that
    name another path; matched pages and other sites go unreported."""
    desk = await desk("narrow", tradovate_urls=["https://trader.tradovate.com/welcome*"])
    with capture_logs() as events:
        page = await desk.open("narrow", pages.url("tradingview.html"))  # matched
        await page.context.route(
            "https://trader.tradovate.com/**",
            lambda route: route.fulfill(body="<title>Tradovate</title>", content_type="text/html"),
        )
        await page.goto("https://trader.tradovate.com/welcome")  # matched
        await page.goto("https://trader.tradovate.com/trader?token=secret")
        await eventually(lambda: warnings(events))
    assert warnings(events) == [
        ("tradovate", "https://trader.tradovate.com", "TRADEWIRE_CAPTURE__TRADOVATE_URLS")
    ]
    assert "secret" not in repr(events)
