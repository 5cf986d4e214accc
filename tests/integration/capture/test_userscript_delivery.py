"""The userscript's deliveries over HTTP in real Chromium: what a retry can fix (5xx, 408, 429)
is kept and posted again without waiting for the tape to move; any other refusal settles."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.support.waiting import eventually
from tradewire.capture.browser.scripts import ScriptBundle

pytestmark = pytest.mark.browser

BASE = "http://127.0.0.1:6001"


def trade_keys(posts: list[dict]) -> list[tuple]:
    trades = [trade for post in posts for trade in post["trades"]]
    return [(t["timestamp"], t["price"], t["accumulatedVolume"]) for t in trades]


async def userscript_page(desk, pages, answers: list[int]):
    """A browser page running the Tradovate userscript, its ingest POSTs answered with
    ``answers`` in turn (then 200); return the page and every POST body with its answer."""
    posts: list[tuple[int, dict]] = []

    async def ingest(route):
        status = answers.pop(0) if answers else 200
        posts.append((status, json.loads(route.request.post_data)))
        await route.fulfill(status=status, json={"success": status == 200})

    script = ScriptBundle().userscript("tradovate", base_url=BASE, match=[pages.base_url + "/*"])
    # A browser context of its own: no tradewire session injects anything into it.
    context = await desk.session("http").pages[0].context.browser.new_context()
    page = await context.new_page()
    await page.route(f"{BASE}/api/scraper/ingest", ingest)
    await page.add_init_script(script)
    await page.goto(pages.url("tradovate.html"))
    await page.evaluate("TradovateScraperControl.setConfig('interval', 50)")
    await page.evaluate("TradovateScraperControl.start()")
    return page, posts


async def test_a_server_that_cannot_store_now_gets_the_prints_again_once_it_can(desk, pages):
    desk = await desk("http")
    page, posts = await userscript_page(desk, pages, [503, 503, 429])
    await page.evaluate("__sim.insert('NQZ5', 12)")  # then the tape stays still
    await eventually(lambda: any(status == 200 for status, _ in posts), timeout=30)

    accepted = trade_keys([body for status, body in posts if status == 200])
    assert len(accepted) == 12 and len(set(accepted)) == 12
    refused = trade_keys([body for status, body in posts if status != 200])
    assert len(refused) == 3 * 12  # the same prints, offered again after each refusal
    await eventually(lambda: page.evaluate("TradovateScraperControl.getData().stats.pending == 0"))
    await page.context.close()


async def test_a_refusal_a_retry_cannot_fix_is_not_posted_again(desk, pages):
    desk = await desk("http")
    page, posts = await userscript_page(desk, pages, [422])
    await page.evaluate("__sim.insert('NQZ5', 5)")
    await eventually(lambda: posts)
    await page.evaluate("__sim.insert('NQZ5', 5)")  # a later change sends only the new prints
    await eventually(lambda: len(posts) == 2)
    assert [status for status, _ in posts] == [422, 200]
    counts = Counter(trade_keys([body for _, body in posts]))
    assert len(counts) == 10 and set(counts.values()) == {1}
    # The server records a post before the page reads its answer: wait for the page to settle.
    await eventually(lambda: page.evaluate("TradovateScraperControl.getData().stats.pending == 0"))
    await page.context.close()
