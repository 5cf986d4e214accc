"""Tradovate tape capture in real Chromium: every print exactly once, whatever the grid does."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.support.waiting import eventually
from tradewire.capture.config import CaptureSessionSettings
from tradewire.tape.config import ScraperSettings

pytestmark = pytest.mark.browser


async def inserted(page) -> list[str]:
    return await page.evaluate("__sim.inserted")


async def run_feed(page, count: int, chunks: int = 1) -> None:
    for _ in range(chunks):
        await page.evaluate(f"__sim.insert(__sim.active, {count})")


def assert_exactly_once(delivered: list[str], expected: list[str]) -> None:
    repeats = {k: n for k, n in Counter(delivered).items() if n > 1}
    assert not repeats, f"delivered more than once: {list(repeats)[:5]}"
    missing = set(expected) - set(delivered)
    assert not missing, f"{len(missing)} prints never delivered, e.g. {sorted(missing)[:3]}"


async def test_every_print_once_across_reloads_and_script_reloads(desk, pages):
    desk = await desk("reloads")
    # The feed starts with every load of the page and carries on where it was.
    url = pages.url("tradovate.html", persist=1, rate=300, autostart=1)
    page = await desk.open("reloads", url)
    for step in range(4):
        await eventually(lambda n=60 * (step + 1): len(desk.prints()) > n, timeout=20)
        if step % 2 == 0:
            await page.reload()  # the page re-shows its recent rows: none may come again
        else:
            await desk.container.capture.reload()  # new scripts replace the running ones
    await page.evaluate("__sim.stop()")
    expected = await inserted(page)
    await eventually(lambda: set(expected) <= set(desk.prints()), timeout=20)
    assert_exactly_once(desk.prints(), expected)
    assert {b.account for b in desk.batches} == {"reloads"}


async def test_changed_class_names_and_hidden_panel(desk, pages):
    desk = await desk("variant")
    page = await desk.open("variant", pages.url("tradovate.html", variant="v2"))
    await run_feed(page, 10, chunks=8)
    await page.evaluate("__sim.insert('ESZ5', 25)")  # a panel hidden with display:none
    await page.evaluate("__sim.activate('ESZ5')")
    await run_feed(page, 10, chunks=3)
    expected = await inserted(page)
    await eventually(lambda: set(expected) <= set(desk.prints()), timeout=20)
    assert_exactly_once(desk.prints(), expected)
    by_symbol = {b.contract.symbol for b in desk.batches}
    assert by_symbol == {"NQZ5", "ESZ5"}
    assert all("," not in k.split("|")[2] for k in desk.prints())
    assert {p.tick_direction for b in desk.batches for p in b.prints} == {"up", "down"}
    contract = next(b.contract for b in desk.batches if b.contract.symbol == "NQZ5")
    assert contract.name == "E-Mini NASDAQ 100" and contract.total_volume > 122000


async def test_two_accounts_in_their_own_browsers(desk, pages, tmp_path):
    url = pages.url("tradovate.html")
    sessions = [CaptureSessionSettings(account=a, mode="launch", url=url) for a in ("alice", "bob")]
    desk = await desk(sessions=sessions)
    feeds = {}
    for account in ("alice", "bob"):
        page = desk.session(account).pages[0]
        await page.wait_for_function("window.__sim && window.TradovateScraperControl")
        await run_feed(page, 10, chunks=4)
        feeds[account] = await inserted(page)
    for account, expected in feeds.items():
        await eventually(lambda a=account, e=expected: set(e) <= set(desk.prints(a)), timeout=20)
        assert_exactly_once(desk.prints(account), expected)
    profiles = desk.settings.data_dir / "profiles"
    assert sorted(p.name for p in profiles.iterdir()) == ["alice", "bob"]


async def test_config_push_reaches_the_page(desk, pages):
    desk = await desk("config")
    page = await desk.open("config", pages.url("tradovate.html"))
    await page.wait_for_function("window.TradovateScraperControl")
    tape = desk.container.tape
    await tape.set_config(ScraperSettings(enabled=True, volume_filter=3, interval=500))
    await eventually(
        lambda: page.evaluate("TradovateScraperControl.getConfig().volumeFilter === 3")
    )
    assert await page.evaluate("localStorage.getItem('scraper_volume_filter')") == "3"
    assert await page.evaluate("localStorage.getItem('scraper_interval')") == "500"
    before = len(desk.prints())
    await run_feed(page, 10, chunks=3)
    await eventually(lambda: len(desk.prints()) > before)
    new = desk.prints()[before:]
    assert new and all(int(k.split("|")[3]) >= 3 for k in new)

    await tape.set_config(ScraperSettings(enabled=False, volume_filter=3, interval=500))
    await eventually(lambda: page.evaluate("!TradovateScraperControl.getConfig().running"))
    stopped_at = len(desk.prints())
    await run_feed(page, 10, chunks=2)
    await page.evaluate("TradovateScraperControl.setConfig('volume_filter', 0)")
    await page.evaluate("TradovateScraperControl.start()")  # prints shown meanwhile come now
    await eventually(lambda: len(desk.prints()) > stopped_at)
    await page.evaluate("localStorage.clear()")


async def test_console_lines_from_existing_userscripts(desk, pages):
    desk = await desk("console")
    page = await desk.open("console", pages.url("tradingview.html"))
    payload = (
        '{"timestamp":"2025-01-08T14:30:00.000Z","account":"user1",'
        '"tabs":[{"symbol":"NQZ5","isActive":true}],"contractInfo":{"name":"E-Mini NASDAQ 100",'
        '"lastPrice":25145.5},"trades":[{"timestamp":"08:52:25.037 10/8/25","price":25146.0,'
        '"size":30,"accumulatedVolume":30,"tickDirection":"down"}]}'
    )
    await page.evaluate(f"console.log('[SCRAPER_DATA] ' + {payload!r})")
    await page.evaluate("console.log('[SCRAPER_DATA] not json')")
    batch = await eventually(lambda: next((b for b in desk.batches if b.source == "console"), None))
    assert batch.account == "user1"
    assert batch.prints[0].price == 25146.0 and batch.prints[0].accumulated_volume == 30
    stats = desk.session("console").receiver.stats
    await eventually(lambda: stats.invalid_messages == 1 and stats.console_batches == 1)


async def test_reloads_mid_burst_lose_and_repeat_no_print(desk, pages):
    """Reload a fast tape while it bursts: the last messages before the page unloads (whose
    binding calls may die with it, and whose acknowledgements do) come from the reloaded page."""
    desk = await desk("fast")
    page = await desk.open("fast", pages.url("tradovate.html", persist=1, rate=3000, autostart=1))
    for _ in range(3):
        await eventually(lambda n=len(desk.prints()) + 300: len(desk.prints()) > n)
        await page.evaluate("() => { __sim.insert(__sim.active, 3000); }")  # still going on reload
        await page.reload()
    await page.evaluate("__sim.stop()")
    expected = await inserted(page)
    await eventually(lambda: assert_exactly_once(desk.prints(), expected) or True)
