"""Alert and signal persistence (implements :class:`tradewire.signals.ports.SignalStore`)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from tradewire.core.events import (
    AlertProcessed,
    AlertSource,
    Direction,
    Intent,
    Side,
    Signal,
    SizeUnit,
)
from tradewire.signals.ports import SignalQuery
from tradewire.storage.errors import retryable
from tradewire.storage.models import AlertRow, SignalRow
from tradewire.storage.writer import GroupCommitWriter, WriteBatch

_ALERTS = AlertRow.__table__
_SIGNALS = SignalRow.__table__


class SqlSignalStore:
    """Store processed alerts and signals through the group-commit writer; read them back."""

    def __init__(self, engine: Engine, writer: GroupCommitWriter) -> None:
        self._engine = engine
        self._writer = writer

    async def save(self, processed: AlertProcessed, signal: Signal | None = None) -> None:
        batch = WriteBatch().add(_ALERTS, alert_row(processed))
        if signal is not None:
            batch.add(_SIGNALS, signal_row(signal))
        await self._writer.write(batch)

    @retryable
    def list_signals(self, query: SignalQuery) -> list[dict[str, object]]:
        """Return stored signals, newest first, as wire dicts."""
        stmt = select(_SIGNALS).order_by(_SIGNALS.c.ts_ns.desc(), _SIGNALS.c.id.desc())
        if query.symbol:
            stmt = stmt.where(_SIGNALS.c.pair == query.symbol)
        if query.strategy:
            stmt = stmt.where(_SIGNALS.c.strategy == query.strategy)
        if query.since_ns is not None:
            stmt = stmt.where(_SIGNALS.c.ts_ns >= query.since_ns)
        if query.until_ns is not None:
            stmt = stmt.where(_SIGNALS.c.ts_ns < query.until_ns)
        with self._engine.connect() as conn:
            rows = conn.execute(stmt.limit(query.limit)).mappings().all()
        return [row_to_wire(row) for row in rows]

    @retryable
    def recent_identities(self, since_ns: int) -> list[tuple[str, str, int]]:
        """Return ``(dedupe_key, signal_id, ts_ns)`` of signals since ``since_ns``, oldest first."""
        stmt = (
            select(_SIGNALS.c.dedupe_key, _SIGNALS.c.id, _SIGNALS.c.ts_ns)
            .where(_SIGNALS.c.ts_ns >= since_ns)
            .order_by(_SIGNALS.c.ts_ns)
        )
        with self._engine.connect() as conn:
            return [tuple(row) for row in conn.execute(stmt)]


def alert_row(processed: AlertProcessed) -> dict[str, object]:
    alert = processed.alert
    return {
        "id": alert.id,
        "ts_ns": alert.ts_event,
        "source": alert.source.value,
        "content_type": alert.content_type[:100],
        "body": alert.body,
        "account": alert.account,
        "remote_addr": alert.remote_addr,
        "status": processed.status.value,
        "reason": processed.reason,
        "signal_id": processed.signal.id if processed.signal else None,
        "duplicate_of": processed.duplicate_of,
        "ocr_confidence": alert.ocr_confidence,
    }


def signal_row(signal: Signal) -> dict[str, object]:
    return {
        "id": signal.id,
        "alert_id": signal.alert_id,
        "ts_ns": signal.ts_event,
        "ts_parsed_ns": signal.ts_parsed,
        "pair": signal.pair,
        "direction": signal.direction.value,
        "intent": signal.intent.value,
        "side": signal.side.value if signal.side else None,
        "entry": signal.entry,
        "entry_levels": list(signal.entry_levels),
        "take_profit": list(signal.take_profit),
        "stop_loss": signal.stop_loss,
        "strategy": signal.strategy,
        "qty": signal.qty,
        "qty_unit": signal.qty_unit.value if signal.qty_unit else None,
        "levels_from": signal.levels_from,
        "symbol": signal.symbol,
        "exchange": signal.exchange,
        "contract": signal.contract,
        "source": signal.source.value,
        "format": signal.format,
        "raw_text": signal.raw_text,
        "external_id": signal.external_id,
        "account": signal.account,
        "dedupe_key": signal.dedupe_key,
    }


def row_to_signal(row) -> Signal:
    """Rebuild a Signal event from a stored row."""
    return Signal(
        id=row["id"],
        alert_id=row["alert_id"],
        pair=row["pair"],
        direction=Direction(row["direction"]),
        intent=Intent(row["intent"]),
        side=Side(row["side"]) if row["side"] else None,
        raw_text=row["raw_text"],
        format=row["format"],
        source=AlertSource(row["source"]),
        dedupe_key=row["dedupe_key"],
        entry=row["entry"],
        entry_levels=tuple(row["entry_levels"] or ()),
        take_profit=tuple(row["take_profit"] or ()),
        stop_loss=row["stop_loss"],
        strategy=row["strategy"],
        qty=row["qty"],
        qty_unit=SizeUnit(row["qty_unit"]) if row["qty_unit"] else None,
        levels_from=row["levels_from"],
        symbol=row["symbol"],
        exchange=row["exchange"],
        contract=row["contract"],
        external_id=row["external_id"],
        account=row["account"],
        ts_event=row["ts_ns"],
        ts_init=row["ts_parsed_ns"],
        ts_parsed=row["ts_parsed_ns"],
    )


def row_to_wire(row) -> dict[str, object]:
    return row_to_signal(row).to_wire()
