"""The tape sink's contract, for the fake and the real sink (a TapeBatch command over the bus to
the tape service on SQLite and PostgreSQL): a failure to store reaches the caller, and offering a
payload again never stores a print twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from tests.contract.backends import SQL, OpenDatabase
from tests.fakes.failing_tape_store import FailingWrites
from tests.fakes.tape_sink import MemoryTapeSink
from tests.support.tape import message, row
from tradewire.bootstrap.capture import TapeCommandSink
from tradewire.capture.browser.receiver import TapeSink
from tradewire.core.bus import MessageBus
from tradewire.core.clock import LiveClock
from tradewire.core.errors import RejectError, RetryableError
from tradewire.storage.repositories.tape import SqlTapeStore
from tradewire.tape.clock import ExchangeClock
from tradewire.tape.config import ScraperSettings
from tradewire.tape.normalise import Normaliser
from tradewire.tape.ports import TradeQuery
from tradewire.tape.service import TapeService

S = 1_000_000_000


@dataclass
class Rig:
    """A sink, and what a test needs to see behind it."""

    sink: TapeSink
    stored: Callable[[], int]
    fail_next: Callable[[int], None]
    stop: Callable[[], Awaitable[None]]


@pytest.fixture(params=["fake", *SQL])
async def rig(request, open_database: OpenDatabase) -> AsyncIterator[Rig]:
    if request.param == "fake":
        fake = MemoryTapeSink()

        async def stop_fake() -> None:
            fake.running = False

        yield Rig(fake, lambda: len(fake.prints), lambda n: setattr(fake, "failures", n), stop_fake)
        return
    engine, writer = open_database(request.param)
    store = FailingWrites(SqlTapeStore(engine, writer))
    bus = MessageBus()
    service = TapeService(
        store=store,
        bus=bus,
        clock=LiveClock(),
        normaliser=Normaliser(ExchangeClock("America/Chicago")),
        config=ScraperSettings(),
        dedupe_window_s=6 * 3600,
        retention_interval_s=3600,
    )
    await service.start()
    yield Rig(
        TapeCommandSink(bus),
        lambda: service.count(TradeQuery()),
        lambda n: setattr(store, "failures", n),
        service.stop,
    )
    if service.running:
        await service.stop()


MINUTE_AGO = time.time_ns() // S * S - 60 * S


def payload(count: int) -> dict:
    """A scraped message of the first ``count`` prints of a tape that began a minute ago, a
    second apart."""
    return message([row(MINUTE_AGO + i * S, i + 1, price=100.0 + i) for i in range(count)])


async def send(sink: TapeSink, body: dict) -> None:
    await sink(body, account="user1", source="contract", received_ns=time.time_ns())


async def test_the_prints_are_stored_once_and_a_resend_adds_nothing(rig):
    body = payload(5)
    await send(rig.sink, body)
    assert rig.stored() == 5
    await send(rig.sink, body)
    assert rig.stored() == 5


async def test_a_failed_store_reaches_the_caller_and_the_resend_stores_every_print_once(rig):
    body = payload(4)
    rig.fail_next(1)
    with pytest.raises(RetryableError):
        await send(rig.sink, body)
    assert rig.stored() == 0
    await send(rig.sink, body)
    assert rig.stored() == 4


async def test_a_payload_partly_stored_before_a_failure_is_completed_by_its_resend(rig):
    await send(rig.sink, payload(3))
    longer = payload(6)  # the page's next message repeats the first three
    rig.fail_next(1)
    with pytest.raises(RetryableError):
        await send(rig.sink, longer)
    await send(rig.sink, longer)
    assert rig.stored() == 6


async def test_concurrent_copies_of_a_payload_store_each_print_once(rig):
    body = payload(8)
    await asyncio.gather(*(send(rig.sink, body) for _ in range(6)))
    assert rig.stored() == 8


@pytest.mark.parametrize("body", [{"trades": "none"}, {"trades": [], "tabs": "NQZ5"}, []])
async def test_an_unreadable_payload_is_rejected_and_stores_nothing(rig, body):
    with pytest.raises(RejectError):
        await send(rig.sink, body)
    assert rig.stored() == 0


async def test_a_sink_whose_store_has_stopped_asks_for_a_retry(rig):
    await rig.stop()
    with pytest.raises(RetryableError):
        await send(rig.sink, payload(2))
