"""Session lifecycle in real Chromium: a browser restart, and the standalone userscript."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest

from tests.support.capture import running_chrome
from tests.support.processes import (
    REALTIME_PERMITTED,
    descendants,
    policy,
    process_threads,
    thread_names,
    thread_scheduling,
)
from tests.support.processes import SLICES_SUPPORTED as SUPPORTED
from tests.support.services import free_port
from tests.support.waiting import eventually
from tradewire.capture.browser.scripts import ScriptBundle
from tradewire.capture.browser.wakeups import launched_browser, message_threads
from tradewire.capture.config import CaptureSessionSettings
from tradewire.core.scheduling import thread_slice

pytestmark = pytest.mark.browser
#: Whether hastened threads run real-time: permitted, and not on a single CPU.
REALTIME = REALTIME_PERMITTED and len(os.sched_getaffinity(0)) > 1


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


def renderer_io_threads(browser: int) -> list[int]:
    """The IO threads of the browser's renderer processes, found from the process tree."""
    threads = []
    for pid in descendants(browser):
        with contextlib.suppress(OSError):  # a renderer that ended meanwhile
            if b"--type=renderer" in Path(f"/proc/{pid}/cmdline").read_bytes():
                threads += [
                    tid
                    for tid in process_threads(pid)
                    if Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip() == "Chrome_ChildIOT"
                ]
    return threads


async def test_opted_in_a_launched_browser_wakes_its_message_threads_at_once(
    desk, pages, chrome, monkeypatch
):
    """With the tuning asked for, real-time where permitted (else short slices) for a launched
    browser's message threads and its renderers' IO threads, also of renderers started later;
    never the rest of the renderers, anything of the user's Chrome or the event loop's thread."""
    monkeypatch.setenv("TRADEWIRE_TUNING__REALTIME_PRIORITY", "10")
    monkeypatch.setenv("TRADEWIRE_TUNING__WAKEUP_SLICE_US", "100")
    url = pages.url("tradovate.html")
    loop_before = thread_scheduling()
    desk = await desk(
        sessions=[
            CaptureSessionSettings(account="launched", mode="launch", url=url),
            CaptureSessionSettings(account="attached", mode="attach", cdp_url=chrome),
        ]
    )
    profile = desk.settings.data_dir / "profiles" / "launched"
    browser = launched_browser(profile)
    assert browser is not None
    threads = message_threads(browser)
    assert thread_names(browser, threads)[:2] == ["Chrome_DevTools", "Chrome_IOThread"]
    # Another site's renderer starts after the session connected; its page's load brings it in.
    first = set(renderer_io_threads(browser))
    await desk.open("launched", pages.url("tradingview.html").replace("127.0.0.1", "localhost"))
    await eventually(lambda: set(renderer_io_threads(browser)) - first)
    session = desk.session("launched")

    def hastened(tid: int) -> bool:
        return policy(tid) == os.SCHED_FIFO if REALTIME else thread_slice(tid) == 100_000

    hastening = REALTIME or SUPPORTED
    if hastening:
        await eventually(lambda: all(hastened(t) for t in renderer_io_threads(browser)))
    paths = set(threads + renderer_io_threads(browser))
    others = [tid for pid in descendants(browser) for tid in process_threads(pid)]
    others = [tid for tid in others if tid not in paths]
    assert others
    counts = [
        (s.prompt_wakeups, s.realtime_threads)
        for s in (session.status(), desk.session("attached").status())
    ]
    taken = len(paths) if hastening else 0
    realtime = taken if REALTIME else 0
    # In attach mode nothing is touched.
    assert counts == [(taken, realtime), (0, 0)]
    assert all(hastened(t) for t in paths) is hastening
    # The rest of the renderers, the GPU and utility processes keep the scheduler's defaults.
    assert not any(hastened(t) for t in others)
    assert thread_scheduling() == loop_before
    await session.stop()
    assert session.status().prompt_wakeups == 0


async def test_by_default_a_launched_browser_keeps_the_schedulers_defaults(desk, pages):
    desk = await desk(
        sessions=[
            CaptureSessionSettings(account="plain", mode="launch", url=pages.url("tradovate.html"))
        ]
    )
    browser = launched_browser(desk.settings.data_dir / "profiles" / "plain")
    assert browser is not None
    every = [tid for pid in (browser, *descendants(browser)) for tid in process_threads(pid)]
    assert not any(policy(t) == os.SCHED_FIFO or thread_slice(t) == 100_000 for t in every)
    status = desk.session("plain").status()
    assert (status.prompt_wakeups, status.realtime_threads) == (0, 0)
