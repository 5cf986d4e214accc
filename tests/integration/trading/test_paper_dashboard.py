"""The dashboard in real Chromium shows the token's paper account: the summary, the equity
chart and the open positions with their stops and take-profits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import async_playwright

from tests.integration.trading.paper import NO_COSTS, alert, positions, prices, trader
from tests.support.capture import CHROMIUM
from tests.support.users import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def browser() -> AsyncIterator:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is required: run scripts/setup.sh --test")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        await browser.close()


async def test_the_dashboard_shows_the_callers_paper_account(server_factory, browser):
    server = server_factory(NO_COSTS)
    headers = trader(server, "carol", paperTradeEnabled=True)
    prices(server, ("BTC/USDT", "45000"))
    alert(server, "BTC/USDT LONG @ 45000 TP: 46000 SL: 44500")
    prices(server, ("BTC/USDT", "45600"))
    assert len(positions(server, headers)) == 1
    token = sign_in(server, "carol").json()["token"]

    page = await browser.new_page()
    await page.goto(f"{server.base_url}/?token={token}")
    rows = page.locator("#positions tr")
    await rows.first.wait_for(timeout=15_000)
    cells = await rows.first.locator("td").all_inner_texts()
    # 0.022 BTC: 10% of 10,000 USDT of notional at 45,000, rounded down to the step.
    assert cells[:5] == ["BTC/USDT", "long", "0.022", "45000", "45600"]
    assert cells[5] == "13.200"  # (45,600 − 45,000) × 0.022, exact as the API gives it
    assert cells[6:] == ["44500.0", "46000.0"]  # the levels as the alert gave them
    summary = await page.locator("#paperinfo").inner_text()
    assert summary.startswith("carol: equity 10,013.2 USDT"), summary
    await page.close()


async def test_a_token_of_a_name_not_stored_says_so_instead_of_an_account(server_factory, browser):
    server = server_factory(NO_COSTS)
    page = await browser.new_page()
    await page.goto(f"{server.base_url}/?token={server.token('stranger', 'subscriber')}")
    info = page.locator("#paperinfo")
    await page.wait_for_function("document.getElementById('paperinfo').textContent !== ''")
    assert "not a stored user" in await info.inner_text()
    await page.close()
