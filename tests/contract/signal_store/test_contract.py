"""SignalStore contract: a save commits its alert and signal together, or raises and keeps
nothing; what was saved reads back exactly; the reads the service makes agree."""

from __future__ import annotations

import asyncio

import pytest

from tests.contract.signal_store.subjects import StoredAlert, Subject
from tradewire.core.events import (
    Alert,
    AlertProcessed,
    AlertSource,
    AlertStatus,
    Direction,
    Intent,
    Side,
    Signal,
    SizeUnit,
)
from tradewire.core.ids import new_id, stable_id
from tradewire.signals.ports import SignalQuery

T0 = 1_760_000_000_000_000_000  # 2025-10-09 08:53:20 UTC
SECOND = 1_000_000_000
BODY = "BTC/USDT LONG @ 45000 TP: 46000 SL: 44500"


def alert(body: str = BODY, ts: int = T0, **fields: object) -> Alert:
    return Alert(
        id=new_id(), source=AlertSource.WEBHOOK, body=body, ts_event=ts, ts_init=ts, **fields
    )


def signal(of: Alert, pair: str = "BTC/USDT", **fields: object) -> Signal:
    parsed = of.ts_event + 40_000  # parsed 40 µs after receipt
    return Signal(
        **{
            "id": new_id(),
            "alert_id": of.id,
            "pair": pair,
            "direction": Direction.LONG,
            "raw_text": of.body,
            "format": "standard",
            "source": of.source,
            "dedupe_key": "c:" + stable_id(pair, of.body),
            "ts_event": of.ts_event,
            # The pipeline creates a signal when it parses it: ts_init is ts_parsed, and the
            # store keeps the one value.
            "ts_init": parsed,
            "ts_parsed": parsed,
            **fields,
        }
    )


def accepted(sig: Signal, of: Alert) -> AlertProcessed:
    return AlertProcessed(
        alert=of, status=AlertStatus.ACCEPTED, signal=sig, ts_event=of.ts_event, ts_init=of.ts_event
    )


async def save_accepted(subject: Subject, ts: int = T0, **fields: object) -> Signal:
    of = alert(ts=ts)
    sig = signal(of, **fields)
    await subject.store.save(accepted(sig, of), sig)
    return sig


async def test_a_signal_with_every_field_reads_back_exactly(subject: Subject) -> None:
    body = '{"ticker":"BTCUSDT","action":"buy","note":"Ausbruch über 45k — 🚀\\nzweite Zeile"}'
    of = alert(
        body,
        content_type="application/json",
        account="desk-é",
        remote_addr="2001:db8::1",
        ocr_confidence=0.8734567891234567,
    )
    sig = signal(
        of,
        direction=Direction.BUY,
        format="json",
        entry=45_123.456789012345,
        take_profit=(46_000.5, 47_000.25, 0.1 + 0.2),
        stop_loss=44_500.000000001,
        strategy="Ausbruch über 45k — 🚀",
        qty=0.015,
        symbol="BTCUSDT",
        exchange="BINANCE",
        contract="BTCUSDT.P",
        external_id="tv-7f3a9c",
        account="desk-é",
    )
    processed = accepted(sig, of)

    await subject.store.save(processed, sig)

    assert subject.probe.signals() == [sig]
    assert subject.probe.alerts() == [StoredAlert.of(processed)]
    assert subject.store.list_signals(SignalQuery()) == [sig.to_wire()]


@pytest.mark.parametrize(
    ("intent", "side", "closes"),
    [
        (Intent.OPEN, Side.SHORT, None),
        (Intent.CLOSE, Side.LONG, "long"),
        (Intent.REDUCE, Side.SHORT, "short"),
        (Intent.REVERSE, Side.SHORT, "long"),
        (Intent.CLOSE, None, None),
    ],
)
async def test_intent_side_and_sizes_read_back_exactly(
    subject: Subject, intent: Intent, side: Side | None, closes: str | None
) -> None:
    of = alert("60123456789,closelong,GBPUSD")
    sig = signal(
        of,
        direction=Direction.SELL,
        intent=intent,
        side=side,
        entry=26_500.0,
        entry_levels=(26_500.0, 26_000.5),
        take_profit=(27_000.0,),
        qty=50.0,
        qty_unit=SizeUnit.POSITION_PERCENT,
        levels_from="entry",
    )

    await subject.store.save(accepted(sig, of), sig)

    assert subject.probe.signals() == [sig]
    [wire] = subject.store.list_signals(SignalQuery())
    assert wire == sig.to_wire()
    assert (wire["intent"], wire["side"], wire["closes"]) == (
        intent.value,
        side.value if side else None,
        closes,
    )
    assert (wire["entryLevels"], wire["qtyUnit"], wire["levelsFrom"]) == (
        [26_500.0, 26_000.5],
        "position%",
        "entry",
    )


async def test_a_signal_without_optional_fields_reads_back_with_nones(subject: Subject) -> None:
    of = alert("ETH/USDT CLOSE")
    sig = signal(of, pair="ETH/USDT", direction=Direction.CLOSE)
    assert (sig.entry, sig.take_profit, sig.stop_loss, sig.strategy) == (None, (), None, None)

    await subject.store.save(accepted(sig, of), sig)

    assert subject.probe.signals() == [sig]
    [wire] = subject.store.list_signals(SignalQuery())
    assert wire["takeProfit"] is None and wire["takeProfitLevels"] == []
    assert wire == sig.to_wire()


@pytest.mark.parametrize(
    ("status", "reason", "duplicate_of"),
    [
        (AlertStatus.REJECTED, "unrecognised text in alert: 'hello'", None),
        (AlertStatus.DUPLICATE, None, new_id()),
    ],
)
async def test_an_alert_without_a_signal_is_stored_alone(
    subject: Subject, status: AlertStatus, reason: str | None, duplicate_of: str | None
) -> None:
    of = alert("hello")
    processed = AlertProcessed(
        alert=of,
        status=status,
        reason=reason,
        duplicate_of=duplicate_of,
        ts_event=of.ts_event,
        ts_init=of.ts_event,
    )

    await subject.store.save(processed)

    assert subject.probe.alerts() == [StoredAlert.of(processed)]
    assert subject.probe.signals() == []
    assert subject.store.list_signals(SignalQuery()) == []


async def test_a_duplicate_carrying_its_unstored_original_stores_both(subject: Subject) -> None:
    # The pipeline's redelivery path: the original's save failed, so the duplicate brings it.
    first, again = alert(), alert(ts=T0 + SECOND)
    original = signal(first)
    processed = AlertProcessed(
        alert=again,
        status=AlertStatus.DUPLICATE,
        signal=original,
        duplicate_of=original.id,
        ts_event=again.ts_event,
        ts_init=again.ts_event,
    )

    await subject.store.save(processed, original)

    assert subject.probe.alerts() == [StoredAlert.of(processed)]
    assert subject.probe.signals() == [original]


async def test_saving_an_alert_id_again_raises_and_keeps_the_first(subject: Subject) -> None:
    of = alert()
    sig = signal(of)
    await subject.store.save(accepted(sig, of), sig)
    redelivered = Alert(
        id=of.id, source=of.source, body="BTC/USDT SHORT", ts_event=T0 + SECOND, ts_init=T0
    )
    other = signal(redelivered, direction=Direction.SHORT)

    with pytest.raises(RuntimeError):
        await subject.store.save(accepted(other, redelivered), other)

    assert subject.probe.alerts() == [StoredAlert.of(accepted(sig, of))]
    assert subject.probe.signals() == [sig]


async def test_a_failed_save_keeps_neither_its_alert_nor_its_signal(subject: Subject) -> None:
    # A signal id that is taken makes the save fail after its alert was written: the alert
    # must go with it.
    sig = await save_accepted(subject)
    later = alert(ts=T0 + SECOND)
    clash = signal(later, id=sig.id)

    with pytest.raises(RuntimeError):
        await subject.store.save(accepted(clash, later), clash)

    assert [a.id for a in subject.probe.alerts()] == [sig.alert_id]
    assert subject.probe.signals() == [sig]


async def test_concurrent_saves_are_each_stored_once(subject: Subject) -> None:
    saves: list[tuple[AlertProcessed, Signal | None]] = []
    for n in range(200):
        of = alert(f"BTC/USDT LONG @ {45_000 + n}", ts=T0 + n)
        if n % 2:
            rejected = AlertProcessed(
                alert=of, status=AlertStatus.REJECTED, reason="no direction", ts_event=0, ts_init=0
            )
            saves.append((rejected, None))
        else:
            sig = signal(of, entry=45_000.0 + n)
            saves.append((accepted(sig, of), sig))

    await asyncio.gather(*(subject.store.save(p, s) for p, s in saves))

    alerts = subject.probe.alerts()
    assert sorted(a.id for a in alerts) == sorted(p.alert.id for p, _ in saves)
    assert sorted(subject.probe.signals(), key=lambda s: s.ts_event) == [s for _, s in saves if s]


async def test_a_failing_save_does_not_fail_the_saves_beside_it(subject: Subject) -> None:
    stored = await save_accepted(subject)
    alerts = [alert(ts=T0 + n) for n in range(1, 21)]
    signals = [signal(of, id=stored.id if n == 7 else new_id()) for n, of in enumerate(alerts)]

    outcomes = await asyncio.gather(
        *(subject.store.save(accepted(s, of), s) for s, of in zip(signals, alerts, strict=True)),
        return_exceptions=True,
    )

    assert [n for n, o in enumerate(outcomes) if isinstance(o, RuntimeError)] == [7]
    assert outcomes.count(None) == 19
    kept = {a.id for a in subject.probe.alerts()}
    assert kept == {stored.alert_id} | {of.id for n, of in enumerate(alerts) if n != 7}


async def test_the_signal_list_is_newest_first_and_filtered(subject: Subject) -> None:
    btc = [
        await save_accepted(subject, T0 + n * SECOND, strategy="breakout" if n % 2 else None)
        for n in range(4)
    ]
    eth = await save_accepted(subject, T0 + 10 * SECOND, pair="ETH/USDT", strategy="breakout")

    def ids(**query: object) -> list[object]:
        return [w["id"] for w in subject.store.list_signals(SignalQuery(**query))]

    assert ids() == [eth.id, btc[3].id, btc[2].id, btc[1].id, btc[0].id]
    assert ids(limit=2) == [eth.id, btc[3].id]
    assert ids(symbol="BTC/USDT") == [s.id for s in reversed(btc)]
    assert ids(strategy="breakout") == [eth.id, btc[3].id, btc[1].id]
    # since is inclusive, until exclusive
    assert ids(since_ns=T0 + SECOND, until_ns=T0 + 3 * SECOND) == [btc[2].id, btc[1].id]


async def test_signals_received_at_once_are_listed_by_descending_id(subject: Subject) -> None:
    same = [await save_accepted(subject, T0) for _ in range(3)]

    listed = [w["id"] for w in subject.store.list_signals(SignalQuery())]

    assert listed == sorted((s.id for s in same), reverse=True)


async def test_recent_identities_are_oldest_first_from_since(subject: Subject) -> None:
    saved = [await save_accepted(subject, T0 + n * SECOND) for n in (3, 1, 2, 0)]
    by_time = sorted(saved, key=lambda s: s.ts_event)

    recent = subject.store.recent_identities(T0 + SECOND)

    assert recent == [(s.dedupe_key, s.id, s.ts_event) for s in by_time[1:]]
    assert subject.store.recent_identities(T0 + 4 * SECOND) == []


async def test_an_overlong_content_type_never_fails_a_save(subject: Subject) -> None:
    # The header is the sender's; the store may shorten it but must keep the alert.
    content_type = "application/json; charset=utf-8; " + "x" * 200
    of = alert(content_type=content_type)

    await subject.store.save(
        AlertProcessed(alert=of, status=AlertStatus.REJECTED, reason="bad", ts_event=T0, ts_init=T0)
    )

    [stored] = subject.probe.alerts()
    assert stored.content_type.startswith("application/json; charset=utf-8")
    assert content_type.startswith(stored.content_type)
