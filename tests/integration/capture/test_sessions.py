"""Session lifecycle in real Chromium: a browser restart, and the standalone userscript."""

from __future__ import annotations

import json

import pytest

from tests.support.capture import running_chrome
from tests.support.services import free_port
from tests.support.waiting import eventually
from tradewire.capture.browser.scripts import ScriptBundle
from tradewire.settings import CaptureSessionSettings

pytestmark = pytest.mark.browser


async def test_reconnects_after_the_browser_restarts(desk, pages, tmp_path):
    port = free_port()
    with running_chrome(tmp_path / "first", port) as cdp_url:
        desk = await desk(sessions=[CaptureSessionSettings(account="restart", cdp_url=cdp_url)])
        session = desk.session("restart")
        page = await desk.open("restart", pages.url("tradovate.html"))
        await page.evaluate("__sim.insert('NQZ5', 5)")
        await eventually(lambda: len(desk.prints()) == 5)
    await eventually(lambda: session.state == "reconnecting", timeout=20)
    with running_chrome(tmp_path / "second", port):
        await session.wait_connected(timeout=60)
        page = await desk.open("restart", pages.url("tradovate.html"))
        await page.evaluate("__sim.insert('NQZ5', 5)")
        await eventually(lambda: len(desk.prints()) == 10)
        assert session.reconnects >= 1 and session.status().state == "connected"
        await page.close()


async def test_the_userscript_posts_seed_json_to_the_ingest_endpoint(desk, pages):
    desk = await desk("userscript")
    posted: list[dict] = []

    async def ingest(route):
        posted.append(json.loads(route.request.post_data))
        await route.fulfill(status=200, json={"success": True})

    script = ScriptBundle().userscript(
        "tradovate", base_url="http://127.0.0.1:6001", match=[pages.base_url + "/*"]
    )
    # A browser of its own: no tradewire session injects anything into it.
    context = await desk.session("userscript").pages[0].context.browser.new_context()
    page = await context.new_page()
    await page.route("http://127.0.0.1:6001/api/scraper/ingest", ingest)
    await page.add_init_script(script.replace('"account": "default"', '"account": "tm-user"'))
    await page.goto(pages.url("tradingview.html").replace("tradingview", "tradovate"))
    assert await page.evaluate("TradovateScraperControl.getConfig().running") is False
    await page.evaluate("TradovateScraperControl.setConfig('interval', 50)")
    await page.evaluate("TradovateScraperControl.start()")
    for _ in range(6):
        await page.evaluate("__sim.insert('NQZ5', 10)")
    await eventually(lambda: sum(len(p["trades"]) for p in posted) >= 60)
    assert {p["account"] for p in posted} == {"tm-user"}
    assert {t["symbol"] for p in posted for t in p["trades"]} == {"NQZ5"}
    await context.close()
