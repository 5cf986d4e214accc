"""The SQL trade journal beyond the port: an append that cannot be encoded, or that the
database fails part-way, stores nothing of itself and the next append carries on; a database
that cannot be written is a RetryableError; a thousand accounts appending at once share a few
transactions; a stored event that cannot be decoded is named."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlalchemy import Engine, create_engine, insert, select, update

from tests.contract import backends
from tests.contract.backends import OpenDatabase
from tests.contract.trade_journal.subjects import moved
from tradewire.core.errors import RetryableError, ValidationError
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import downgrade, upgrade
from tradewire.storage.models import TradeEventRow
from tradewire.storage.repositories.trade_journal import SqlTradeJournal
from tradewire.storage.writer import GroupCommitWriter
from tradewire.trading import codec

EVENTS = TradeEventRow.__table__


@pytest.fixture(params=backends.SQL)
def database(request: pytest.FixtureRequest, open_database: OpenDatabase):
    return open_database(request.param)


def stored(engine: Engine, account: str) -> list[tuple[int, str]]:
    """``(seq, kind)`` of the account's rows, in seq order."""
    stmt = (
        select(EVENTS.c.seq, EVENTS.c.kind)
        .where(EVENTS.c.account == account)
        .order_by(EVENTS.c.seq)
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(stmt)]


async def test_an_append_with_an_event_that_cannot_be_encoded_stores_none_of_it(database):
    engine, writer = database
    journal = SqlTradeJournal(engine, writer)
    await journal.append("alice", [moved("alice", 1)])
    floated = dataclasses.replace(moved("alice", 3), stop=45000.5)  # a float is never money
    with pytest.raises(ValidationError, match=r"StopMoved\.stop"):
        await journal.append("alice", [moved("alice", 2), floated, moved("alice", 4)])
    await journal.append("alice", [moved("alice", 5)])
    assert await journal.read("alice") == [moved("alice", 1), moved("alice", 5)]
    assert [seq for seq, _ in stored(engine, "alice")] == [1, 2]


async def test_an_append_the_database_fails_part_way_stores_none_of_it(database):
    engine, writer = database
    journal = SqlTradeJournal(engine, writer)
    await journal.append("alice", [moved("alice", 1)])
    # Another writer takes seq 3: the second row of the next append collides with it.
    intruder = {"account": "alice", "seq": 3, "kind": "StopMoved", "ts_event": 9}
    with engine.begin() as conn:
        conn.execute(insert(EVENTS).values(**intruder, payload=codec.dumps(moved("alice", 9))))
    with pytest.raises(RuntimeError, match="database write failed"):
        await journal.append("alice", [moved("alice", 2), moved("alice", 3), moved("alice", 4)])
    assert await journal.read("alice") == [moved("alice", 1), moved("alice", 9)]
    # The journal reads the account's last number again and carries on after it.
    await journal.append("alice", [moved("alice", 5)])
    assert [seq for seq, _ in stored(engine, "alice")] == [1, 3, 4]
    assert await journal.read("alice") == [moved("alice", n) for n in (1, 9, 5)]


async def test_a_database_that_cannot_be_written_is_retryable_and_stores_nothing(tmp_path):
    path = tmp_path / "tradewire.db"
    upgrade(f"sqlite:///{path}")
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    writer = GroupCommitWriter(engine)
    writer.start()
    try:
        journal = SqlTradeJournal(engine, writer)
        with pytest.raises(RetryableError):
            await journal.append("alice", [moved("alice", 1), moved("alice", 2)])
        assert await journal.read("alice") == []
    finally:
        writer.stop()
        engine.dispose()


async def test_a_database_that_cannot_be_read_is_retryable(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'tradewire.db'}")
    journal = SqlTradeJournal(engine, GroupCommitWriter(engine))
    for call in (journal.read("alice"), journal.accounts()):
        with pytest.raises(RetryableError):
            await call
    engine.dispose()


@pytest.mark.parametrize(
    ("account", "events", "message"),
    [
        ("", [moved("", 1)], "an account is a name of 1 to 100 characters"),
        ("x" * 101, [], "an account is a name of 1 to 100 characters"),
        ("alice", [moved("alice", 1), moved("bob", 2)], "of account 'bob' cannot go in 'alice'"),
    ],
)
async def test_an_append_to_the_wrong_account_is_refused(database, account, events, message):
    journal = SqlTradeJournal(*database)
    with pytest.raises(ValidationError, match=message):
        await journal.append(account, events)
    assert await journal.accounts() == []


async def test_an_empty_append_stores_nothing(database):
    journal = SqlTradeJournal(*database)
    await journal.append("alice", [])
    assert await journal.accounts() == []


async def test_a_thousand_accounts_appending_at_once_share_a_few_transactions(database):
    engine, writer = database
    journal = SqlTradeJournal(engine, writer)
    names = [f"follower-{n:04}" for n in range(1000)]
    for wave in range(2):  # the first wave also reads the accounts' last numbers
        before = writer.commits
        await asyncio.gather(*(journal.append(a, [moved(a, wave), moved(a, 9)]) for a in names))
        assert writer.commits - before < 100  # one per append would be 1,000
    assert stored(engine, names[-1]) == [(seq, "StopMoved") for seq in (1, 2, 3, 4)]
    assert len(await journal.accounts()) == 1000


async def test_a_stored_event_that_cannot_be_decoded_is_named(database):
    engine, writer = database
    journal = SqlTradeJournal(engine, writer)
    await journal.append("alice", [moved("alice", 1), moved("alice", 2)])
    with engine.begin() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.seq == 2).values(payload='{"kind":"Nope"}'))
    with pytest.raises(ValidationError, match="trade event 2 of account 'alice' cannot be read"):
        await journal.read("alice")


def test_the_migration_adds_and_removes_the_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'tradewire.db'}"
    engine = create_db_engine(url)
    upgrade(url, "0006", engine)
    upgrade(url, "head", engine)
    with engine.begin() as conn:
        row = {"account": "a", "seq": 1, "kind": "StopMoved", "ts_event": 1, "payload": "{}"}
        conn.execute(insert(EVENTS).values(**row))
        assert conn.execute(select(EVENTS.c.id)).scalar_one() == 1  # numbered by the database
    downgrade(url, "0006", engine)
    with engine.connect() as conn:
        assert "trade_events" not in {
            name for (name,) in conn.exec_driver_sql("SELECT name FROM sqlite_master")
        }
    engine.dispose()
