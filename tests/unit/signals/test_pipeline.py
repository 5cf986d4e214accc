"""The pipeline with fake ports: accept, reject, duplicates, storage failure and redelivery."""

import asyncio

import pytest

from tests.support.waiting import eventually
from tests.unit.signals.fakes import MemoryStore
from tradewire.alerts import AlertParser
from tradewire.core.bus import MessageBus
from tradewire.core.clock import TestClock
from tradewire.core.errors import RetryableError
from tradewire.core.events import Alert, AlertSource, AlertStatus, SignalEmitted
from tradewire.core.ids import new_id
from tradewire.signals.dedupe import Deduplicator
from tradewire.signals.latency import LatencyTracker
from tradewire.signals.pipeline import SignalPipeline


@pytest.fixture
def rig():
    clock = TestClock()
    bus = MessageBus()
    store = MemoryStore()
    emitted: list[SignalEmitted] = []
    bus.subscribe(SignalEmitted, emitted.append)
    pipeline = SignalPipeline(
        parser=AlertParser(),
        dedupe=Deduplicator(60),
        bus=bus,
        store=store,
        latency=LatencyTracker(),
        clock=clock,
    )
    return pipeline, store, emitted, clock


def alert(body: str, source=AlertSource.WEBHOOK, clock=None) -> Alert:
    now = clock.now_ns() if clock else 0
    return Alert(id=new_id(), source=source, body=body, ts_event=now, ts_init=now)


async def test_accepted_signal_is_published_and_stored(rig):
    pipeline, store, emitted, clock = rig
    result = await pipeline.submit(alert("BTC/USDT LONG @ 45000 TP: 46000 SL: 44500", clock=clock))
    assert result.status is AlertStatus.ACCEPTED
    assert [e.signal.id for e in emitted] == [s.id for s in store.signals] == [result.signal.id]
    wire = result.signal.to_wire()
    for name in (
        "pair",
        "direction",
        "entry",
        "takeProfit",
        "stopLoss",
        "rawText",
        "format",
        "id",
        "source",
        "strategy",
        "received_at",
        "latency",
    ):
        assert name in wire


async def test_rejected_alert_is_stored_with_reason_and_not_published(rig):
    pipeline, store, emitted, _ = rig
    result = await pipeline.submit(alert("BTC/USDT LONG @ 45000 TP: 44000"))
    assert result.status is AlertStatus.REJECTED
    assert "not above entry" in result.reason
    assert emitted == [] and store.signals == []
    assert store.alerts[0].reason == result.reason


async def test_same_alert_by_webhook_then_popup_is_one_signal(rig):
    pipeline, store, emitted, clock = rig
    first = await pipeline.submit(alert("BTC/USDT LONG @ 45000 TP: 46000", clock=clock))
    clock.advance(5)
    second = await pipeline.submit(
        alert("btc/usdt long @ 45000 tp: 46000\n", AlertSource.POPUP, clock=clock)
    )
    assert second.status is AlertStatus.DUPLICATE
    assert second.duplicate_of == first.signal.id
    assert len(emitted) == 1 and len(store.signals) == 1 and len(store.alerts) == 2
    clock.advance(60)
    third = await pipeline.submit(alert("BTC/USDT LONG @ 45000 TP: 46000", clock=clock))
    assert third.status is AlertStatus.ACCEPTED


async def test_passphrase_is_never_stored(rig):
    pipeline, store, emitted, _ = rig
    await pipeline.submit(alert('{"ticker":"BTCUSDT","action":"buy","passphrase":"hunter2"}'))
    await pipeline.submit(alert('{"ticker":"BTCUSDT","passphrase":"hunter2"}'))
    await pipeline.submit(alert('{"passphrase":"hunter2", "ticker": '))
    assert len(store.alerts) == 3
    for processed in store.alerts:
        assert "hunter2" not in processed.alert.body
    assert "hunter2" not in emitted[0].signal.raw_text


async def test_storage_failure_raises_retryable_and_redelivery_stores_without_rebroadcast(rig):
    pipeline, store, emitted, _ = rig
    store.fail = True
    with pytest.raises(RetryableError):
        await pipeline.submit(alert("ETH/USDT SELL @ 2400 TP: 2300 SL: 2450"))
    assert len(emitted) == 1  # the broadcast did not wait for storage
    store.fail = False
    retry = await pipeline.submit(alert("ETH/USDT SELL @ 2400 TP: 2300 SL: 2450"))
    assert retry.status is AlertStatus.DUPLICATE
    assert [s.id for s in store.signals] == [emitted[0].signal.id]
    assert len(emitted) == 1


async def test_slow_storage_does_not_hold_up_the_broadcast(rig):
    pipeline, store, emitted, _ = rig
    store.gate = asyncio.Event()
    task = asyncio.create_task(pipeline.submit(alert("BTC/USDT BUY")))
    await eventually(lambda: emitted)
    assert not task.done()  # published, still waiting for the commit
    store.gate.set()
    assert (await task).status is AlertStatus.ACCEPTED


async def test_concurrent_duplicate_storm_yields_one_signal(rig):
    pipeline, store, emitted, _ = rig
    results = await asyncio.gather(
        *(pipeline.submit(alert("BTC/USDT LONG @ 45000 TP: 46000 SL: 44500")) for _ in range(200))
    )
    statuses = [r.status for r in results]
    assert statuses.count(AlertStatus.ACCEPTED) == 1
    assert statuses.count(AlertStatus.DUPLICATE) == 199
    assert len(emitted) == 1 and len(store.signals) == 1 and len(store.alerts) == 200


SECRET_VALUE = "hunter2hunter2xx"


@pytest.mark.parametrize(
    "body",
    [
        # single-quoted pseudo-JSON: not JSON, rejected, but its passphrase is still a secret
        "{'ticker':'BTCUSDT','action':'buy','passphrase':'hunter2hunter2xx'}",
        "BTC/USDT BUY passphrase: hunter2hunter2xx",
        "BTC/USDT BUY passphrase=hunter2hunter2xx",
        '{"ticker": "BTCUSDT", "action": "buy", "auth": {"API-Key": "hunter2hunter2xx"}}',
        '{"ticker": "BTCUSDT", "action": "buy", "exchange": [{"apiSecret": "hunter2hunter2xx"}]}',
        '{"ticker": "BTCUSDT", "action": "buy", "PASSWORD": "hunter2hunter2xx"}',
        '{"ticker": "BTCUSDT", "action": "buy", "apikey": "hunter2hunter2xx"}',
        '{"ticker": "BTCUSDT", "action": "buy", "Token": "hunter2hunter2xx"}',
        '{"message": "BTC/USDT BUY", "note": "token=hunter2hunter2xx"}',
    ],
)
async def test_secrets_are_masked_before_storing_and_broadcasting(rig, body):
    pipeline, store, emitted, _ = rig
    result = await pipeline.submit(alert(body))
    stored = store.alerts[0]
    seen = [stored.alert.body, stored.reason or "", *(e.signal.raw_text for e in emitted)]
    seen += [s.raw_text for s in store.signals]
    assert not [text for text in seen if SECRET_VALUE in text], result
    assert "***" in stored.alert.body


@pytest.mark.parametrize("depth", [33, 300, 900, 5000])
@pytest.mark.parametrize("opening", ["[", '{"a":'])
async def test_json_nested_too_deep_is_rejected_with_a_reason_and_stored(rig, depth, opening):
    pipeline, store, emitted, _ = rig
    closing = "]" if opening == "[" else "}"
    body = opening * depth + "1" + closing * depth
    result = await pipeline.submit(alert(body))
    assert result.status is AlertStatus.REJECTED
    assert "nested" in result.reason or "depth" in result.reason
    assert [a.alert.id for a in store.alerts] == [result.alert.id] and emitted == []


async def test_json_nested_to_the_limit_is_parsed():
    nested = '{"ticker": "BTCUSDT", "action": "buy", "meta": ' + "[" * 31 + "]" * 31 + "}"
    rig_store = MemoryStore()
    pipeline = SignalPipeline(
        parser=AlertParser(),
        dedupe=Deduplicator(60),
        bus=MessageBus(),
        store=rig_store,
        latency=LatencyTracker(),
    )
    assert (await pipeline.submit(alert(nested))).status is AlertStatus.ACCEPTED


async def test_nul_characters_are_rejected_and_stored_escaped(rig):
    pipeline, store, emitted, _ = rig
    result = await pipeline.submit(alert("BTC/USDT BUY\x00 passphrase=hunter2hunter2xx"))
    assert result.status is AlertStatus.REJECTED and "NUL" in result.reason
    body = store.alerts[0].alert.body
    assert "\x00" not in body and body.startswith("BTC/USDT BUY\\x00 ")
    assert SECRET_VALUE not in body and emitted == []


async def test_alert_refused_before_parsing_is_stored_rejected_with_its_reason(rig):
    pipeline, store, emitted, _ = rig
    refused = alert("BTC\\xff BUY\x00 token=hunter2hunter2xx")
    result = await pipeline.reject(refused, "alert body is not valid UTF-8")
    assert (result.status, result.reason, result.alert.id) == (
        AlertStatus.REJECTED,
        "alert body is not valid UTF-8",
        refused.id,
    )
    assert store.alerts == [result] and emitted == []
    assert store.alerts[0].alert.body == "BTC\\xff BUY\\x00 token=***"
