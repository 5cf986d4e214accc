"""Migration 0004: signals stored before intent existed read back with the intent their
direction meant (CLOSE an exit, any other direction an entry on its side)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tradewire.core.events import Intent, Side, SizeUnit
from tradewire.storage.db import create_db_engine
from tradewire.storage.migrate import downgrade, upgrade
from tradewire.storage.repositories.signals import row_to_signal

ROW = (
    "INSERT INTO signals (id, alert_id, ts_ns, ts_parsed_ns, pair, direction, entry,"
    " take_profit, qty, source, format, raw_text, dedupe_key) VALUES (:id, 'a', 1, 2,"
    " 'BTC/USDT', :direction, 45000, '[46000]', :qty, 'webhook', 'standard', 'x', 'k')"
)


def test_existing_signals_get_the_intent_their_direction_meant(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_db_engine(url)
    upgrade(url, "0003", engine)
    with engine.begin() as conn:
        for n, direction in enumerate(["LONG", "BUY", "SHORT", "SELL", "CLOSE"]):
            conn.execute(text(ROW), {"id": f"s{n}", "direction": direction, "qty": n or None})

    upgrade(url, "head", engine)

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM signals ORDER BY id")).mappings().all()
    read = [(s.intent, s.side, s.qty_unit, s.entry_levels) for s in map(row_to_signal, rows)]
    assert read == [
        (Intent.OPEN, Side.LONG, None, ()),
        (Intent.OPEN, Side.LONG, SizeUnit.UNITS, ()),
        (Intent.OPEN, Side.SHORT, SizeUnit.UNITS, ()),
        (Intent.OPEN, Side.SHORT, SizeUnit.UNITS, ()),
        (Intent.CLOSE, None, SizeUnit.UNITS, ()),
    ]
    downgrade(url, "0003", engine)
    with engine.connect() as conn:
        columns = {row[1] for row in conn.execute(text("PRAGMA table_info(signals)"))}
    assert "intent" not in columns and "direction" in columns
    engine.dispose()
