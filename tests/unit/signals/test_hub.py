"""Hub fan-out, filters, slow subscribers and latency accounting with fake transports."""

import asyncio

import orjson
import pytest

from tests.support.waiting import eventually
from tests.unit.signals.fakes import FakeTransport
from tradewire.core.errors import ValidationError
from tradewire.core.events import AlertSource, Direction, Signal, SignalEmitted
from tradewire.core.ids import new_id
from tradewire.signals import hub as hub_module
from tradewire.signals.hub import CLOSE_SLOW_CONSUMER, SignalHub
from tradewire.signals.latency import LatencyTracker


def emitted(pair="BTC/USDT", strategy=None) -> SignalEmitted:
    signal = Signal(
        id=new_id(),
        alert_id=new_id(),
        pair=pair,
        direction=Direction.BUY,
        raw_text="x",
        format="simple",
        source=AlertSource.WEBHOOK,
        dedupe_key="c:1",
        strategy=strategy,
        ts_event=1,
        ts_init=2,
        ts_parsed=2,
    )
    return SignalEmitted(signal=signal, ts_event=2, ts_init=2)


@pytest.fixture(params=[False, True], ids=["default", "yield-after-broadcast"])
async def hub(request):
    latency = LatencyTracker()
    hub = SignalHub(latency, queue_size=8, heartbeat_s=3600, yield_after_broadcast=request.param)
    hub.start()
    yield hub
    await hub.stop()


def signals_of(transport: FakeTransport) -> list[dict]:
    return [m["data"] for m in map(orjson.loads, transport.sent) if m["type"] == "SIGNAL"]


async def test_broadcast_reaches_everyone_in_order(hub):
    transports = [FakeTransport() for _ in range(20)]
    for t in transports:
        hub.attach(t, "u", "subscriber")
    events = [emitted() for _ in range(5)]
    for event in events:
        hub.on_signal(event)
    await eventually(lambda: all(len(t.sent) == 5 for t in transports))
    for t in transports:
        assert [s["id"] for s in signals_of(t)] == [e.signal.id for e in events]
    assert hub._latency.stats()["distributionLatency"]["count"] == 5


async def test_filters_by_strategy_and_symbol(hub):
    everything, by_strategy, by_symbol = FakeTransport(), FakeTransport(), FakeTransport()
    hub.attach(everything, "a", "subscriber")
    hub.set_filters(hub.attach(by_strategy, "b", "subscriber"), ["Breakout"], [])
    hub.set_filters(hub.attach(by_symbol, "c", "subscriber"), [], ["BINANCE:ETHUSDT"])
    hub.on_signal(emitted("BTC/USDT", "breakout"))
    hub.on_signal(emitted("ETH/USDT", "momentum"))
    hub.on_signal(emitted("ETH/USDT", None))
    await eventually(lambda: len(everything.sent) == 3)
    await eventually(lambda: len(by_symbol.sent) == 2)
    assert [s["pair"] for s in signals_of(by_strategy)] == ["BTC/USDT"]
    assert [s["pair"] for s in signals_of(by_symbol)] == ["ETH/USDT", "ETH/USDT"]


async def test_invalid_filters_are_rejected(hub):
    sub = hub.attach(FakeTransport(), "a", "subscriber")
    with pytest.raises(ValidationError):
        hub.set_filters(sub, [42], [])
    with pytest.raises(ValidationError):
        hub.set_filters(sub, [], ["not a symbol!!"])


async def test_stalled_subscriber_is_dropped_and_others_unaffected(hub):
    stalled, healthy = FakeTransport(blocked=True), FakeTransport()
    hub.attach(stalled, "slow", "subscriber")
    hub.attach(healthy, "fast", "subscriber")
    for _ in range(50):
        hub.on_signal(emitted())
        await asyncio.sleep(0)
    await eventually(lambda: len(healthy.sent) == 50)
    await eventually(lambda: stalled.closed is not None)
    assert stalled.closed[0] == CLOSE_SLOW_CONSUMER
    assert hub.subscriber_count == 1 and hub.dropped_slow == 1
    # every broadcast was settled, none is left waiting for the dropped subscriber
    assert hub._latency.stats()["totalLatency"]["count"] == 50


async def test_a_dropped_subscriber_is_counted_once_however_many_messages_overflow(hub):
    # Broadcasts in a row, with no turn of the loop between them: every one after the queue
    # filled up finds the same subscriber over its limit.
    stalled = FakeTransport(blocked=True)
    hub.attach(stalled, "slow", "subscriber")
    for _ in range(3 * 8):
        hub.on_signal(emitted())
    assert hub.dropped_slow == 1 and hub.subscriber_count == 0
    await eventually(lambda: stalled.closed is not None)
    assert stalled.closed[0] == CLOSE_SLOW_CONSUMER and hub.dropped_slow == 1
    assert hub._latency.stats()["totalLatency"]["count"] == 3 * 8


async def test_a_flushing_close_sends_what_was_queued_then_nothing_more(hub):
    transport = FakeTransport()
    sub = hub.attach(transport, "u", "subscriber")
    for n in range(3):
        hub.send_to(sub, {"type": "PONG", "n": n})
    await hub.close(sub, 1008, "too many messages", flush=True)
    hub.send_to(sub, {"type": "PONG", "n": 3})
    hub.on_signal(emitted())
    assert [orjson.loads(m)["n"] for m in transport.sent] == [0, 1, 2]
    assert transport.closed == (1008, "too many messages") and hub.subscriber_count == 0


async def test_heartbeats_are_sent():
    hub = SignalHub(LatencyTracker(), heartbeat_s=0.02)
    hub.start()
    transport = FakeTransport()
    hub.attach(transport, "a", "subscriber")
    await eventually(lambda: any(b"HEARTBEAT" in m.encode() for m in transport.sent))
    await hub.stop()
    assert transport.closed[0] == 1001


async def test_heartbeats_go_only_to_idle_subscribers():
    hub = SignalHub(LatencyTracker(), heartbeat_s=0.2)
    hub.start()
    idle, busy = FakeTransport(), FakeTransport()
    hub.attach(idle, "idle", "subscriber")
    hub.attach(busy, "busy", "subscriber")
    try:
        await eventually(lambda: any("HEARTBEAT" in m for m in idle.sent))
        hub.set_filters(hub._subscribers[1], ["nothing-matches"], [])  # idle: gets no signals
        before = sum("HEARTBEAT" in m for m in busy.sent)
        for _ in range(10):
            hub.on_signal(emitted())
            await asyncio.sleep(0.05)
        assert sum("HEARTBEAT" in m for m in busy.sent) == before
        assert sum("HEARTBEAT" in m for m in idle.sent) >= 2
    finally:
        await hub.stop()


async def test_idle_subscribers_are_written_at_once_and_queued_messages_keep_their_order(hub):
    idle, greeted = FakeTransport(), FakeTransport()
    hub.attach(idle, "idle", "subscriber")
    sub = hub.attach(greeted, "greeted", "subscriber")
    hub.send_to(sub, {"type": "CONNECTED"})  # still queued: the signal must not overtake it
    first = emitted()
    hub.on_signal(first)
    assert [s["id"] for s in signals_of(idle)] == [first.signal.id]  # before any task ran
    assert idle.direct == hub.written_at_once == 1 and greeted.sent == []
    await eventually(lambda: len(greeted.sent) == 2)
    assert [orjson.loads(m)["type"] for m in greeted.sent] == ["CONNECTED", "SIGNAL"]
    second = emitted()
    hub.on_signal(second)  # the greeted subscriber is idle now: written at once too
    assert signals_of(greeted)[-1]["id"] == second.signal.id and greeted.direct == 1
    assert hub._latency.stats()["totalLatency"]["count"] == 2


async def test_the_cpu_is_offered_after_direct_writes_only_when_tuned_to(hub, monkeypatch):
    # Opted in, readers the writes woke get the CPU once every idle subscriber has the signal;
    # by default the hub never gives up the CPU.
    idle = [FakeTransport() for _ in range(3)]
    for transport in idle:
        hub.attach(transport, "u", "subscriber")
    offered = []
    monkeypatch.setattr(
        hub_module, "_yield_cpu", lambda: offered.append(sum(t.direct for t in idle))
    )
    hub.on_signal(emitted())
    hub.on_signal(emitted())
    assert offered == ([3, 6] if hub._yield_after_broadcast else [])
    assert all(t.direct == 2 for t in idle)


async def test_a_broadcast_that_writes_nothing_at_once_keeps_the_cpu(hub, monkeypatch):
    sub = hub.attach(FakeTransport(), "u", "subscriber")
    hub.send_to(sub, {"type": "CONNECTED"})  # still queued: the signal queues behind it
    offered = []
    monkeypatch.setattr(hub_module, "_yield_cpu", lambda: offered.append(True))
    hub.on_signal(emitted())
    assert offered == []


class BrokenTransport(FakeTransport):
    """A connection that breaks when written to."""

    def send_now(self, data: str) -> bool:
        raise OSError("connection reset")

    async def send_text(self, data: str) -> None:
        raise OSError("connection reset")


async def test_a_connection_that_breaks_on_a_direct_write_does_not_cut_the_broadcast(hub):
    broken, healthy = BrokenTransport(), FakeTransport()
    hub.attach(broken, "broken", "subscriber")
    hub.attach(healthy, "healthy", "subscriber")
    event = emitted()
    hub.on_signal(event)
    assert [s["id"] for s in signals_of(healthy)] == [event.signal.id]
    await eventually(lambda: hub.subscriber_count == 1)
    assert hub._latency.stats()["totalLatency"]["count"] == 1
