"""Migration 0008: users stored before the exit settings existed read back with their old
settings and the new ones at their defaults, on SQLite and PostgreSQL; and down again."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from tests.support.services import PG_HOST, PG_PORT, PostgresDatabase, require
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import downgrade, upgrade
from tradewire.storage.models import UserRow
from tradewire.storage.repositories.users import row_to_settings
from tradewire.users.settings import OppositeSignal, Subscriptions, UserSettings

ROW = (
    "INSERT INTO users (name, role, disabled, created_ns, updated_ns, paper_trade_enabled,"
    " real_trade_enabled, strategies, symbols, risk_percent, max_notional_percent,"
    " default_stop_percent, opposite_signal) VALUES ('alice', 'subscriber', false, 1, 1,"
    " true, false, '[\"Trend\"]', '[\"BTC/USDT\"]', '1.5', '20', NULL, 'reverse')"
)
NEW_COLUMNS = {
    "take_profit_weights",
    "break_even_after_first_take_profit",
    "trailing_stop_distance",
    "trailing_stop_unit",
    "reduce_percent",
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    require(PG_HOST, PG_PORT, "PostgreSQL")
    database = PostgresDatabase().create()
    request.addfinalizer(database.drop)
    return database.url


def test_users_stored_before_get_the_default_exit_settings(url: str) -> None:
    engine = create_db_engine(url)
    try:
        upgrade(url, "0007", engine)
        with engine.begin() as conn:
            conn.execute(text(ROW))

        upgrade(url, "head", engine)

        with engine.connect() as conn:
            row = conn.execute(select(UserRow.__table__)).mappings().one()
        assert row_to_settings(row) == UserSettings(
            paper_trade_enabled=True,
            subscriptions=Subscriptions(("Trend",), ("BTC/USDT",)),
            risk_percent=Decimal("1.5"),
            max_notional_percent=Decimal(20),
            opposite_signal=OppositeSignal.REVERSE,
        )
        downgrade(url, "0007", engine)
        columns = {c["name"] for c in inspect(engine).get_columns("users")}
        assert not columns & NEW_COLUMNS and "opposite_signal" in columns
    finally:
        engine.dispose()


def test_a_row_without_the_exit_settings_reads_them_as_defaults() -> None:
    old = {
        "paper_trade_enabled": False,
        "real_trade_enabled": True,
        "strategies": [],
        "symbols": [],
        "risk_percent": "2",
        "max_notional_percent": "10",
        "default_stop_percent": "1.5",
        "opposite_signal": "ignore",
    }
    assert row_to_settings(old) == UserSettings(
        real_trade_enabled=True,
        default_stop_percent=Decimal("1.5"),
        opposite_signal=OppositeSignal.IGNORE,
    )
    nulls = dict.fromkeys(NEW_COLUMNS)
    assert row_to_settings({**old, **nulls}) == row_to_settings(old)
