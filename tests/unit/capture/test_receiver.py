"""The page → Python boundary with fakes of its two ports."""

from __future__ import annotations

import json

from tradewire.capture.browser.receiver import PageReceiver
from tradewire.capture.ocr import OcrLine, OcrResult
from tradewire.core.clock import TestClock
from tradewire.core.errors import RetryableError, ValidationError
from tradewire.core.events import Alert, AlertProcessed, AlertSource, AlertStatus


class Tape:
    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple[dict, str, str]] = []
        self.fail = fail

    async def __call__(self, payload, *, account, source, received_ns):
        if self.fail:
            raise self.fail
        self.calls.append((payload, account, source))


class Pipeline:
    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    async def submit(self, alert: Alert) -> AlertProcessed:
        self.alerts.append(alert)
        return AlertProcessed(alert=alert, status=AlertStatus.ACCEPTED, ts_event=0, ts_init=0)


class Ocr:
    def __init__(self, *lines: OcrLine) -> None:
        self.result = OcrResult(lines)

    async def read(self, png: bytes) -> OcrResult:
        return self.result


async def no_screenshot(rect) -> bytes:
    return b"png"


def tape_message(t: float, keys: list[str], seq: int = 1) -> str:
    return json.dumps(
        {
            "kind": "tape",
            "seq": seq,
            "symbol": "NQZ5",
            "watermark": {"t": t, "keys": keys},
            "detectedAt": 1.7e12,
            "data": {"trades": [{"timestamp": "08:52:25.037 10/8/25", "price": 1, "size": 1}]},
        }
    )


def receiver(tape=None, pipeline=None, ocr=None) -> PageReceiver:
    clock = TestClock(start_ns=1_700_000_000_000_000_000)
    return PageReceiver(
        "acct", tape_sink=tape or Tape(), alerts=pipeline or Pipeline(), ocr=ocr, clock=clock
    )


async def test_a_reloaded_page_learns_what_the_session_already_has():
    tape = Tape()
    r = receiver(tape)
    assert json.loads(await r.on_message('{"kind":"hello","script":"tape"}', no_screenshot)) == {
        "watermarks": {}
    }
    assert json.loads(await r.on_message(tape_message(5.0, ["a"]), no_screenshot)) == {"ok": True}
    hello = json.loads(await r.on_message('{"kind":"hello","script":"tape"}', no_screenshot))
    assert hello == {"watermarks": {"NQZ5": {"t": 5.0, "keys": ["a"]}}}
    assert tape.calls[0][1:] == ("acct", "cdp")
    assert r.stats.prints == 1


async def test_a_retryable_sink_failure_is_offered_again_and_forgets_the_watermark():
    r = receiver(Tape(fail=RetryableError("store down")))
    reply = json.loads(await r.on_message(tape_message(5.0, ["a"]), no_screenshot))
    assert reply == {"ok": False, "retry": True, "error": "store down"}
    hello = json.loads(await r.on_message('{"kind":"hello","script":"tape"}', no_screenshot))
    assert hello == {"watermarks": {}}


async def test_bad_data_is_refused_for_good():
    r = receiver(Tape(fail=ValidationError("trades: must be a list")))
    reply = json.loads(await r.on_message(tape_message(5.0, ["a"]), no_screenshot))
    assert reply["retry"] is False
    for raw in ("not json", '{"kind":"nope"}', '{"kind":"alert","source":"popup"}'):
        assert json.loads(await r.on_message(raw, no_screenshot))["retry"] is False
    assert r.stats.invalid_messages == 3


async def test_an_alert_keeps_its_page_time_account_and_source():
    pipeline = Pipeline()
    r = receiver(pipeline=pipeline)
    detected_ms = 1_700_000_000_000 - 3.5
    message = {
        "kind": "alert",
        "source": "alert_log",
        "generation": "log",
        "message": "BTC/USDT LONG",
        "detectedAt": detected_ms,
    }
    await r.on_message(json.dumps(message), no_screenshot)
    (alert,) = pipeline.alerts
    assert (alert.source, alert.account, alert.body) == (
        AlertSource.ALERT_LOG,
        "acct",
        "BTC/USDT LONG",
    )
    assert alert.ts_event == int(detected_ms * 1_000_000)
    message["detectedAt"] = 1000.0  # a page clock that is days off is not trusted
    await r.on_message(json.dumps(message), no_screenshot)
    assert pipeline.alerts[1].ts_event == pipeline.alerts[1].ts_init


async def test_ocr_below_the_threshold_is_not_submitted():
    ocr_message = json.dumps(
        {
            "kind": "ocr",
            "generation": "toast",
            "rect": {"x": 0, "y": 0, "width": 100, "height": 40},
            "detectedAt": 1.7e12,
        }
    )
    pipeline = Pipeline()
    r = receiver(pipeline=pipeline, ocr=Ocr(OcrLine("BTC/USDT LONG @ 45000", 41.0)))
    await r.on_message(ocr_message, no_screenshot)
    assert pipeline.alerts == [] and r.stats.ocr_low_confidence == 1
    r = receiver(pipeline=pipeline, ocr=Ocr(OcrLine("BTC/USDT LONG @ 45000", 93.0)))
    await r.on_message(ocr_message, no_screenshot)
    (alert,) = pipeline.alerts
    assert (alert.source, alert.ocr_confidence) == (AlertSource.OCR, 93.0)


async def test_console_lines():
    tape = Tape()
    r = receiver(tape)
    assert await r.on_console("hello") is False
    assert await r.on_console('[SCRAPER_DATA] {"trades": []}') is True
    assert await r.on_console("[SCRAPER_DATA] [1, 2]") is True
    assert [c[2] for c in tape.calls] == ["console"]
    assert r.stats.invalid_messages == 1
