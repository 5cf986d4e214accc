"""Storage faults at the boundary, on real databases: one that cannot be used now (unreachable,
dropped, full, read-only) is a RetryableError, and the writer says its writes fail until one
succeeds; a bad row is still its caller's own failure.

A full disk is a PostgreSQL trigger raising its own disk_full error (SQLSTATE 53100) and a
read-only SQLite file is opened with ``mode=ro`` (permission bits do not bind root).
"""

import psycopg
import pytest
from sqlalchemy import create_engine

from tests.support.services import PG_HOST, PG_PORT, PostgresDatabase, require
from tests.unit.storage.test_writer import ALERTS, alert_row
from tradewire.core.errors import RetryableError
from tradewire.core.ids import new_id
from tradewire.signals.ports import SignalQuery
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.marketdata import SqlKeyValueStore
from tradewire.storage.repositories.signals import SqlSignalStore
from tradewire.storage.repositories.tape import SqlTapeStore
from tradewire.storage.writer import GroupCommitWriter, WriteBatch
from tradewire.tape.ports import TradeQuery


@pytest.fixture
def postgres():
    require(PG_HOST, PG_PORT, "PostgreSQL")
    database = PostgresDatabase().create()
    upgrade(database.url)
    engine = create_db_engine(database.url)
    yield database, engine
    engine.dispose()
    database.drop()


def run_sql(database: PostgresDatabase, statement: str) -> None:
    dsn = f"host={PG_HOST} port={PG_PORT} user=postgres dbname={database.name}"
    with psycopg.connect(dsn) as conn:
        conn.execute(statement)


async def test_a_read_only_sqlite_file_fails_writes_retryably(tmp_path):
    path = tmp_path / "tradewire.db"
    upgrade(f"sqlite:///{path}")
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    writer = GroupCommitWriter(engine)
    writer.start()
    try:
        with pytest.raises(RetryableError) as caught:
            await writer.write(WriteBatch().add(ALERTS, alert_row()))
    finally:
        writer.stop()
        engine.dispose()
    assert caught.value.retry_after
    assert writer.failure is not None and "readonly" in writer.failure


def test_a_sqlite_file_that_cannot_be_opened_fails_reads_retryably(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'tradewire.db'}")
    with pytest.raises(RetryableError):
        SqlSignalStore(engine, GroupCommitWriter(engine)).list_signals(SignalQuery())
    engine.dispose()


async def test_a_full_disk_fails_writes_until_one_succeeds(postgres):
    database, engine = postgres
    writer = GroupCommitWriter(engine)
    writer.start()
    try:
        run_sql(
            database,
            """
            CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
              RAISE EXCEPTION 'could not extend file: No space left on device'
                USING ERRCODE = 'disk_full';
            END $$;
            CREATE TRIGGER full_alerts BEFORE INSERT ON alerts
              FOR EACH ROW EXECUTE FUNCTION disk_full();
            """,
        )
        with pytest.raises(RetryableError):
            await writer.write(WriteBatch().add(ALERTS, alert_row()))
        assert "No space left" in writer.failure
        await writer.write(WriteBatch())  # an empty barrier proves nothing about writes
        assert writer.failure is not None
        run_sql(database, "DROP TRIGGER full_alerts ON alerts")
        await writer.write(WriteBatch().add(ALERTS, alert_row()))
        assert writer.failure is None
    finally:
        writer.stop()


async def test_a_bad_row_is_not_a_failing_database(db_url):
    engine = create_db_engine(db_url)
    upgrade(db_url, engine=engine)
    writer = GroupCommitWriter(engine)
    writer.start()
    row_id = new_id()
    try:
        await writer.write(WriteBatch().add(ALERTS, alert_row(id=row_id)))
        with pytest.raises(RuntimeError):
            await writer.write(WriteBatch().add(ALERTS, alert_row(id=row_id)))
    finally:
        writer.stop()
        engine.dispose()
    assert writer.failure is None


async def test_reads_from_a_dropped_database_are_retryable(postgres):
    database, engine = postgres
    writer = GroupCommitWriter(engine)
    signals, tape, cache = (
        SqlSignalStore(engine, writer),
        SqlTapeStore(engine),
        SqlKeyValueStore(engine, writer),
    )
    assert signals.list_signals(SignalQuery()) == []
    database.drop()  # WITH (FORCE): the pooled connection is terminated too
    with pytest.raises(RetryableError):
        signals.list_signals(SignalQuery())
    with pytest.raises(RetryableError):
        tape.count(TradeQuery())
    with pytest.raises(RetryableError):
        list(tape.iter_rows(TradeQuery()))
    with pytest.raises(RetryableError):
        await cache.get("SPY")
