"""TradingView alert pop-ups in real Chromium: every generation, the log as backup, OCR."""

from __future__ import annotations

import json

import pytest

from tests.support.capture import XVFB, running_chrome, virtual_display
from tests.support.waiting import eventually
from tradewire.capture.config import CaptureSessionSettings
from tradewire.core.events import AlertSource, AlertStatus

pytestmark = pytest.mark.browser


def alert(pair: str, entry: int) -> str:
    return f"{pair} LONG @ {entry} TP: {entry + 100} SL: {entry - 50}"


async def fire(
    page, generation: str, message: str, *, log: bool = True, popup: bool = True
) -> None:
    fields, options = json.dumps({"message": message}), json.dumps({"log": log, "popup": popup})
    await page.evaluate(f"__tv.fire({json.dumps(generation)}, {fields}, {options})")


def signal_texts(desk) -> list[str]:
    return [s.signal.raw_text for s in desk.signals]


async def test_every_popup_generation_becomes_a_signal(desk, pages):
    desk = await desk("gens")
    page = await desk.open("gens", pages.url("tradingview.html"))
    expected = {
        "single-dialog": alert("BTC/USDT", 45000),
        "dialog": alert("ETH/USDT", 3000),
        "toast": alert("SOL/USDT", 1500),
    }
    for generation, message in expected.items():
        await fire(page, generation, message)
    several = [alert("XRP/USDT", 700), alert("ADA/USDT", 800)]
    await page.evaluate(f"__tv.fireMultiple({json.dumps([{'message': m} for m in several])})")
    later = alert("DOT/USDT", 900)  # joins the open "Alert Notifications" dialog
    await page.evaluate(f"__tv.fireMultiple([{{message: {json.dumps(later)}}}])")
    wanted = {*expected.values(), *several, later}
    await eventually(lambda: wanted <= set(signal_texts(desk)))
    assert len(desk.signals) == len(wanted)
    popups = await eventually(
        lambda: (
            (ps := [p for p in desk.processed if p.alert.source is AlertSource.POPUP])
            and len(ps) == len(wanted)
            and ps
        )
    )
    assert {p.alert.body for p in popups} == wanted  # the message, never the "Alert on" title
    assert all(p.alert.account == "gens" for p in popups)
    assert all(p.alert.ts_event <= p.alert.ts_init for p in popups)


async def test_toast_and_log_entry_are_one_signal_and_reload_adds_nothing(desk, pages):
    desk = await desk("logged")
    page = await desk.open("logged", pages.url("tradingview.html"))
    message = alert("BNB/USDT", 600)
    await fire(page, "toast", message)
    await eventually(lambda: len(desk.bodies("alert_log")) == 1)
    statuses = sorted(p.status.value for p in desk.processed)
    assert statuses == [AlertStatus.ACCEPTED.value, AlertStatus.DUPLICATE.value]
    assert signal_texts(desk) == [message]

    await page.evaluate("__tv.rerenderLog()")  # the widget re-mounts every entry
    await page.reload()  # and a reloaded page shows the old log again
    await page.wait_for_function("window.__tv")
    fresh = alert("LTC/USDT", 9000)
    await fire(page, "dialog", fresh)
    await eventually(lambda: len(desk.bodies("alert_log")) == 2)
    assert desk.bodies("alert_log") == [message, fresh]
    assert signal_texts(desk) == [message, fresh]


async def test_first_entry_of_a_log_empty_at_load_is_a_signal(desk, pages):
    """An empty log at load is an empty history: the first alert that reaches only the log (its
    pop-up notification turned off) is new, and a reload shows it again as history."""
    desk = await desk("fresh")
    page = await desk.open("fresh", pages.url("tradingview.html"))
    await page.evaluate("localStorage.removeItem('sim.alertlog')")  # other tests' entries
    await page.reload()
    assert (
        await page.evaluate("document.querySelectorAll('[data-name=alert-log-item]').length") == 0
    )
    message = alert("XLM/USDT", 100)
    await fire(page, "toast", message, popup=False)
    await eventually(lambda: desk.bodies("alert_log") == [message])
    assert signal_texts(desk) == [message]

    await page.reload()
    second = alert("TRX/USDT", 200)
    await fire(page, "toast", second, popup=False)
    await eventually(lambda: desk.bodies("alert_log") == [message, second])
    assert signal_texts(desk) == [message, second]


async def test_burst_of_ten_in_fifty_ms_all_captured(desk, pages):
    desk = await desk("burst")
    page = await desk.open("burst", pages.url("tradingview.html"))
    messages = [alert("ETH/USDT", 3000 + i) for i in range(10)]
    await page.evaluate(f"__tv.burst('toast', {json.dumps(messages)}, 50)")
    await eventually(lambda: set(messages) <= set(desk.bodies("popup")))
    assert sorted(desk.bodies("popup")) == sorted(messages)
    assert sorted(signal_texts(desk)) == sorted(messages)


async def test_a_tab_behind_another_in_a_windowed_browser_keeps_capturing(desk, pages, tmp_path):
    """The trader's Chrome with a window (on a virtual display): TradingView's tab sits behind
    another one. While tradewire is attached the browser treats captured tabs as visible, so
    their timers are not throttled, and pop-ups are captured."""
    if not XVFB.exists():
        pytest.fail("Xvfb is required: run scripts/setup.sh --test")
    with virtual_display() as display, running_chrome(tmp_path / "chrome", display=display) as url:
        desk = await desk(sessions=[CaptureSessionSettings(account="windowed", cdp_url=url)])
        session = desk.session("windowed")
        chart = pages.url("tradingview.html")
        # Tabs opened the way the trader opens them: in the browser's window, not by automation.
        browser = await session.pages[0].context.browser.new_browser_cdp_session()
        await browser.send("Target.createTarget", {"url": chart})
        page = await eventually(lambda: next((p for p in session.pages if p.url == chart), None))
        await eventually(lambda: page.evaluate("typeof window.__tv === 'object'"))
        front = await browser.send("Target.createTarget", {"url": "about:blank"})
        await browser.send("Target.activateTarget", {"targetId": front["targetId"]})
        await page.evaluate("window.__ticks = 0; setInterval(() => window.__ticks++, 10)")
        message = alert("NEAR/USDT", 5000)
        await fire(page, "toast", message)
        await eventually(lambda: message in desk.bodies("popup"))
        assert signal_texts(desk) == [message]
        # A throttled background tab would tick about once a second.
        await eventually(lambda: page.evaluate("window.__ticks >= 100"), timeout=5)
        assert await page.evaluate("document.visibilityState") == "visible"
        await browser.detach()


async def test_background_tab_keeps_capturing(desk, pages):
    """Stall the page's timers outright (virtual time paused: stricter than any background tab's
    throttling) with another tab in front: observers still deliver."""
    desk = await desk("background")
    page = await desk.open("background", pages.url("tradingview.html"))
    front = await desk.open("background", "about:blank")
    await front.bring_to_front()
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Emulation.setFocusEmulationEnabled", {"enabled": False})
    await cdp.send("Emulation.setVirtualTimePolicy", {"policy": "pause"})
    await page.evaluate("window.__ticked = false; setTimeout(() => { window.__ticked = true; }, 0)")
    # The alert arrives the way TradingView's socket would deliver it: not from a timer.
    message = alert("AVAX/USDT", 4000)
    await fire(page, "toast", message)
    await eventually(lambda: message in desk.bodies("popup"))
    assert await page.evaluate("window.__ticked") is False  # no timer ran meanwhile
    assert await page.evaluate("document.hasFocus()") is False
    await cdp.send("Emulation.setVirtualTimePolicy", {"policy": "advance"})
    await cdp.detach()


async def test_changed_hashed_class_names(desk, pages):
    desk = await desk("hashed")
    page = await desk.open("hashed", pages.url("tradingview.html", version="v2"))
    message = alert("LINK/USDT", 2000)
    await fire(page, "toast", message)
    await eventually(lambda: message in desk.bodies("popup"))
    await eventually(lambda: message in desk.bodies("alert_log"))
    assert signal_texts(desk) == [message]


async def test_ocr_reads_an_alert_drawn_as_an_image(desk, pages):
    desk = await desk("ocr")
    page = await desk.open("ocr", pages.url("tradingview.html", dismiss=20000))
    message = alert("BTC/USDT", 45000)
    await fire(page, "image-toast", message, log=False)
    ocr = await eventually(lambda: [p for p in desk.processed if p.alert.source is AlertSource.OCR])
    processed = ocr[0]
    assert processed.alert.ocr_confidence is not None and processed.alert.ocr_confidence >= 60
    assert processed.status is AlertStatus.ACCEPTED
    signal = processed.signal
    assert (signal.pair, signal.entry, signal.take_profit, signal.stop_loss) == (
        "BTC/USDT",
        45000,
        (45100,),
        44950,
    )
    assert desk.session("ocr").receiver.stats.ocr_reads == 1
