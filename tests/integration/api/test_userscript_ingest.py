"""The Tradovate userscript in real Chromium posting to a real server's ingest endpoint with an
ingest token: its prints are stored under its account; a token for another account is refused
(403) and the page does not post those prints again.

The userscript manager's cross-origin request is played by Playwright forwarding the page's POST
to the server, as GM_xmlhttpRequest does.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Route, async_playwright

from tests.support.capture import CHROMIUM
from tests.support.waiting import eventually
from tradewire.api.auth import TokenService
from tradewire.capture.browser.scripts import ScriptBundle
from tradewire.demo.pages import PageServer

pytestmark = pytest.mark.browser


@pytest.fixture
async def browser() -> AsyncIterator:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is required: run scripts/setup.sh --test")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        await browser.close()


async def run_userscript(browser, server, pages: PageServer, token: str) -> list[int]:
    """Run the userscript (account ``desk1``, ``token``) on the simulated page until 10 prints
    were posted; return the status of each POST."""
    statuses: list[int] = []

    async def forward(route: Route) -> None:
        response = await route.fetch()
        statuses.append(response.status)
        await route.fulfill(response=response)

    script = ScriptBundle().userscript(
        "tradovate", base_url=server.base_url, match=[pages.base_url + "/*"]
    )
    settings = {
        '"account": "default"': '"account": "desk1"',
        '"token": ""': json.dumps({"token": token})[1:-1],
    }
    for default, mine in settings.items():
        assert default in script
        script = script.replace(default, mine)
    context = await browser.new_context()
    page = await context.new_page()
    await page.route(f"{server.base_url}/api/scraper/ingest", forward)
    await page.add_init_script(script)
    await page.goto(pages.url("tradovate.html"))
    await page.evaluate("TradovateScraperControl.setConfig('interval', 50)")
    await page.evaluate("TradovateScraperControl.start()")
    await page.evaluate("__sim.insert('NQZ5', 10)")
    await eventually(lambda: statuses, timeout=30)
    await eventually(
        lambda: page.evaluate("TradovateScraperControl.getData().stats.pending === 0"), timeout=30
    )
    await context.close()
    return statuses


async def test_the_userscript_stores_under_its_tokens_account(server_factory, browser):
    server = server_factory()
    tokens = TokenService(server.env["TRADEWIRE_JWT_SECRET"])
    reader = {"authorization": f"Bearer {tokens.issue('watcher')}"}
    with PageServer() as pages:
        own = await run_userscript(browser, server, pages, tokens.issue("desk1", "ingest"))
        assert set(own) == {200}
        stored = httpx.get(f"{server.base_url}/api/scraper/status", headers=reader).json()
        assert stored["accounts"] == ["desk1"] and stored["trades_total"] == 10

        other = tokens.issue("desk2", "ingest")
        assert await run_userscript(browser, server, pages, other) == [403]
        stored = httpx.get(f"{server.base_url}/api/scraper/status", headers=reader).json()
        assert stored["trades_total"] == 10
