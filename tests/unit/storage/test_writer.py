"""Group-commit writer and the signal store against SQLite and PostgreSQL."""

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from tradewire.core.events import Alert, AlertProcessed, AlertSource, AlertStatus
from tradewire.core.ids import new_id
from tradewire.signals.ports import SignalQuery
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import downgrade, upgrade
from tradewire.storage.models import AlertRow
from tradewire.storage.repositories.signals import SqlSignalStore
from tradewire.storage.writer import GroupCommitWriter, WriteBatch

ALERTS = AlertRow.__table__


def alert_row(**overrides):
    row = {
        "id": new_id(),
        "ts_ns": 1,
        "source": "webhook",
        "content_type": "text/plain",
        "body": "x",
        "account": None,
        "remote_addr": None,
        "status": "accepted",
        "reason": None,
        "signal_id": None,
        "duplicate_of": None,
        "ocr_confidence": None,
    }
    return {**row, **overrides}


@pytest.fixture
def engine(db_url):
    engine = create_db_engine(db_url)
    upgrade(db_url, engine=engine)
    yield engine
    engine.dispose()


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ALERTS)).scalar_one()


async def test_concurrent_writes_are_grouped_and_all_committed(engine):
    writer = GroupCommitWriter(engine)
    writer.start()
    try:
        await asyncio.gather(
            *(writer.write(WriteBatch().add(ALERTS, alert_row())) for _ in range(500))
        )
    finally:
        writer.stop()
    assert count(engine) == 500
    assert writer.commits < 500  # grouped, not one commit per write
    assert writer.pending == 0


async def test_a_bad_row_fails_alone(engine):
    writer = GroupCommitWriter(engine)
    writer.start()
    duplicate_id = new_id()
    try:
        await writer.write(WriteBatch().add(ALERTS, alert_row(id=duplicate_id)))
        results = await asyncio.gather(
            writer.write(WriteBatch().add(ALERTS, alert_row())),
            writer.write(WriteBatch().add(ALERTS, alert_row(id=duplicate_id))),
            writer.write(WriteBatch().add(ALERTS, alert_row())),
            return_exceptions=True,
        )
    finally:
        writer.stop()
    assert [isinstance(r, Exception) for r in results] == [False, True, False]
    assert count(engine) == 3


async def test_one_turn_of_the_loop_is_one_hand_over_and_a_cancelled_caller_harms_no_one(engine):
    writer = GroupCommitWriter(engine)
    writer.start()
    try:
        other = writer.submit(WriteBatch().add(ALERTS, alert_row()))  # from any thread
        tasks = [
            asyncio.ensure_future(writer.write(WriteBatch().add(ALERTS, alert_row())))
            for _ in range(1000)
        ]
        await asyncio.sleep(0)  # every write is in this turn's outbox
        tasks[0].cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.wrap_future(other)
    finally:
        writer.stop()
    assert isinstance(results[0], asyncio.CancelledError)
    assert all(r is None for r in results[1:])
    assert count(engine) == 1001  # a cancelled caller's rows are written all the same
    assert writer.commits <= 3 and writer.pending == 0


async def test_stop_writes_what_this_turn_wrote_before_the_thread_had_it(engine):
    writer = GroupCommitWriter(engine)
    writer.start()
    task = asyncio.ensure_future(writer.write(WriteBatch().add(ALERTS, alert_row())))
    await asyncio.sleep(0)  # queued in the outbox; its hand-over is still scheduled
    writer.stop()
    assert count(engine) == 1
    await task


async def test_signal_store_round_trip_and_filters(engine):
    from tradewire.alerts import AlertParser
    from tradewire.signals.dedupe import identity_key
    from tradewire.signals.pipeline import _make_signal

    writer = GroupCommitWriter(engine)
    writer.start()
    store = SqlSignalStore(engine, writer)
    parser = AlertParser()
    try:
        for i, (body, strategy) in enumerate(
            [
                ("BTC/USDT LONG @ 45000 TP: 46000, 47000", "a"),
                ("ETH/USDT SELL", "b"),
                ("BTCUSDT BUY", "b"),
            ]
        ):
            alert = Alert(
                id=new_id(),
                source=AlertSource.WEBHOOK,
                body=body,
                ts_event=(i + 1) * 10**9,
                ts_init=0,
            )
            parsed = parser.parse(body)
            signal = _make_signal(alert, parsed, identity_key(parsed), parsed_ns=alert.ts_event)
            signal = replace(signal, strategy=strategy)
            await store.save(
                AlertProcessed(
                    alert=alert, status=AlertStatus.ACCEPTED, signal=signal, ts_event=0, ts_init=0
                ),
                signal,
            )
    finally:
        writer.stop()
    everything = store.list_signals(SignalQuery())
    assert [s["pair"] for s in everything] == ["BTC/USDT", "ETH/USDT", "BTC/USDT"]
    assert everything[2]["takeProfitLevels"] == [46000, 47000]
    assert len(store.list_signals(SignalQuery(symbol="BTC/USDT"))) == 2
    assert len(store.list_signals(SignalQuery(strategy="b"))) == 2
    assert len(store.list_signals(SignalQuery(since_ns=2 * 10**9))) == 2
    assert len(store.list_signals(SignalQuery(limit=1))) == 1
    assert len(store.recent_identities(0)) == 3


def test_migrations_go_down_and_up_again(db_url):
    upgrade(db_url)
    downgrade(db_url, "base")
    upgrade(db_url)
    engine = create_db_engine(db_url)
    assert count(engine) == 0
    engine.dispose()
