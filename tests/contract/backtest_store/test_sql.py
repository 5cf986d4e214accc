"""The SQL backtest store on SQLite and PostgreSQL: a result is kept whole and exactly, listed
newest first with its headline figures, found by id, never overwritten; migration 0009 goes
down and up again."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text

from tests.contract import backends
from tests.contract.backends import OpenDatabase
from tests.unit.backtest.results import DAY_NS, result, trade
from tradewire.backtest.ports import BacktestSummary
from tradewire.core.errors import ConflictError, ValidationError
from tradewire.storage.migrate import downgrade, upgrade
from tradewire.storage.repositories.backtests import SqlBacktestStore


@pytest.fixture(params=backends.SQL)
def database(request: pytest.FixtureRequest, open_database: OpenDatabase):
    engine, _writer = open_database(request.param)
    return engine


async def test_a_result_reads_back_whole_and_exact(database):
    original = result(
        trades=(trade("0.1", fees="0.000000000001", score=61.5, reached_target=True),)
    )
    store = SqlBacktestStore(database)
    await store.save(original)
    back = await SqlBacktestStore(database).get(original.id)  # another store: what is stored
    assert back == original
    assert [str(v) for v in back.equity] == [str(v) for v in original.equity]
    assert back.trades[0].fees.as_tuple() == original.trades[0].fees.as_tuple()


async def test_an_unknown_id_is_none(database):
    assert await SqlBacktestStore(database).get("nope") is None


async def test_listing_is_newest_first_with_the_headline_figures(database):
    store = SqlBacktestStore(database)
    for n in range(3):
        await store.save(result(id=f"run{n}", created_ns=1_700_000_000_000_000_000 + n * DAY_NS))
    summaries = await store.list()
    assert [s.id for s in summaries] == ["run2", "run1", "run0"]
    assert summaries[0] == BacktestSummary.of(result(id="run2", created_ns=summaries[0].created_ns))
    assert summaries[0].net_pnl == Decimal("80.125")
    assert summaries[0].symbols == ("ACME",)
    assert [s.id for s in await store.list(limit=2)] == ["run2", "run1"]


async def test_a_taken_id_is_a_conflict_and_the_first_result_stays(database):
    store = SqlBacktestStore(database)
    await store.save(result(id="same"))
    with pytest.raises(ConflictError, match="same"):
        await store.save(result(id="same", strategy="decision-engine"))
    kept = await store.get("same")
    assert kept is not None and kept.settings.strategy == "sma-cross"


async def test_an_id_too_long_is_refused_before_writing(database):
    store = SqlBacktestStore(database)
    with pytest.raises(ValidationError, match="1 to 40"):
        await store.save(result(id="x" * 41))
    assert await store.list() == []


async def test_a_damaged_stored_result_is_a_validation_error_naming_it(database):
    store = SqlBacktestStore(database)
    await store.save(result(id="bad"))
    with database.begin() as conn:
        conn.execute(text("UPDATE backtests SET result = '{\"version\": 1}' WHERE id = 'bad'"))
    with pytest.raises(ValidationError, match="stored backtest 'bad' cannot be read"):
        await store.get("bad")


async def test_a_sharpe_that_is_undefined_lists_as_none(database):
    flat = result(id="flat", equity=("10000", "10000", "10000"), trades=())
    assert flat.metrics.sharpe is None
    store = SqlBacktestStore(database)
    await store.save(flat)
    assert (await store.list())[0].sharpe is None
    assert dataclasses.asdict(await store.get("flat")) == dataclasses.asdict(flat)


def test_migration_0009_goes_down_and_up(database):
    url = database.url.render_as_string(hide_password=False)
    downgrade(url, "0008", database)
    assert "backtests" not in inspect(database).get_table_names()
    upgrade(url, "head", database)
    assert "backtests" in inspect(database).get_table_names()
