"""The identity rule: copies collapse, genuinely repeated identical prints are kept, and the
ids of prints already stored never change."""

from datetime import UTC, datetime
from hashlib import blake2b

from tradewire.core.events import ContractHeader, InstrumentTab, TapeBatch, TapePrint
from tradewire.tape.clock import ExchangeClock, to_ns
from tradewire.tape.normalise import Normaliser, batch_symbol
from tradewire.tape.schema import decode_scraped


def tape_print(acc=30.0, **kw) -> TapePrint:
    base = {"timestamp": "08:52:25.037 10/8/25", "price": 25146.0, "size": 2.0, "account": "u1"}
    return TapePrint(**{**base, **kw}, accumulated_volume=acc)


def batch(
    *prints, account="u1", tabs=(InstrumentTab(symbol="NQZ5", is_active=True),), contract=None
):
    return TapeBatch(
        ts_event=1_759_931_546_000_000_000,
        ts_init=0,
        account=account,
        source="test",
        prints=tuple(prints),
        tabs=tabs,
        contract=contract,
    )


normaliser = Normaliser(ExchangeClock("America/Chicago"))


def test_identical_prints_with_different_accumulated_volume_are_distinct():
    out = normaliser.normalise(batch(tape_print(30.0), tape_print(32.0), tape_print(34.0)))
    assert len({t.id for t in out.trades}) == 3


def test_a_rescan_of_the_same_rows_gives_the_same_ids():
    first = normaliser.normalise(batch(tape_print(30.0), tape_print(32.0)))
    again = normaliser.normalise(
        batch(tape_print(32.0, tick_direction="up", is_highlighted=True), tape_print(30.0))
    )
    assert {t.id for t in first.trades} == {t.id for t in again.trades}


def test_the_same_print_twice_in_a_scan_is_a_repeat():
    out = normaliser.normalise(batch(tape_print(30.0), tape_print(30.0)))
    assert out.trades[0].id == out.trades[1].id


def test_without_accumulated_volume_order_in_the_scan_tells_repeats_apart():
    out = normaliser.normalise(batch(tape_print(None), tape_print(None), tape_print(None)))
    assert len({t.id for t in out.trades}) == 3
    rescan = normaliser.normalise(batch(tape_print(None), tape_print(None), tape_print(None)))
    assert [t.id for t in rescan.trades] == [t.id for t in out.trades]


def test_display_time_and_iso_value_of_one_print_agree():
    shown = normaliser.normalise(batch(tape_print(30.0)))
    iso = normaliser.normalise(batch(tape_print(30.0, timestamp="2025-10-08T13:52:25.037Z")))
    assert shown.trades[0].id == iso.trades[0].id


def test_accounts_keep_their_own_row_of_one_market_print():
    a = normaliser.normalise(batch(tape_print(30.0, account="u1"))).trades[0]
    b = normaliser.normalise(batch(tape_print(30.0, account="u2"), account="u2")).trades[0]
    assert a.id != b.id
    assert a.market_id == b.market_id


def test_ts_symbol_and_seed_fields_are_filled():
    (trade,) = normaliser.normalise(batch(tape_print(30.0, tick_direction="tick-flip-up"))).trades
    assert trade.symbol == "NQZ5"
    assert trade.ts_ns == 1_759_931_545_037_000_000
    assert trade.tick_direction == "flip-up"
    assert trade.to_wire()["ts"] == "2025-10-08T13:52:25.037Z"
    assert trade.to_wire()["accumulatedVolume"] == 30.0


def test_symbol_comes_from_the_active_tab_then_the_contract_header():
    tabs = (InstrumentTab(symbol="NQZ5"), InstrumentTab(symbol="esz5", is_active=True))
    assert batch_symbol(batch(tabs=tabs)) == "ESZ5"
    header = ContractHeader(symbol="MNQZ5")
    assert batch_symbol(batch(tabs=(), contract=header)) == "MNQZ5"
    assert batch_symbol(batch(tabs=(InstrumentTab(symbol="RTYZ5"),))) == "RTYZ5"


def test_without_a_symbol_every_row_is_rejected_and_bad_times_one_by_one():
    out = normaliser.normalise(batch(tape_print(1.0), tabs=()))
    assert out.trades == ()
    assert out.rejected[0][0] == 0
    assert "no symbol" in out.rejected[0][1]
    mixed = normaliser.normalise(
        batch(tape_print(1.0), tape_print(2.0, timestamp="02:30:00.000 3/9/25"))
    )
    assert len(mixed.trades) == 1
    assert mixed.rejected[0][0] == 1


CAPTURED = "2025-10-08T13:52:28.310Z"


def seed_row(timestamp: str, price, size, acc, **kw) -> dict:
    """One ``trades[]`` row as the userscript sends it (numbers as the page shows them)."""
    return {
        "timestamp": timestamp,
        "price": price,
        "size": size,
        "accumulatedVolume": acc,
        "tickDirection": "tick-cont-up",
        "isHighlighted": False,
        "captured_at": CAPTURED,
        **kw,
    }


#: One scan of a Time & Sales panel: the display, ISO and grid time forms, two identical prints
#: without accumulated volume, and a row naming another account.
RECORDED = {
    "timestamp": CAPTURED,
    "account": "user1",
    "tabs": [{"symbol": "nqz5", "isActive": True}, {"symbol": "ESZ5", "isActive": False}],
    "contractInfo": {"name": "E-Mini NASDAQ 100", "lastPrice": "25,146.00"},
    "trades": [
        seed_row("08:52:25.037 10/8/25", "25,146.00", 2, 30),
        seed_row("08:52:25.037 10/8/25", 25146.25, "1", 32),
        seed_row("08:52:26.512 10/8/25", 25145.75, 3, None),
        seed_row("08:52:26.512 10/8/25", 25145.75, 3, None),
        seed_row("2025-10-08T13:52:27.004Z", 25145.5, 5, 40.0),
        seed_row("10/8/2025 8:52:28 AM", 25146, 1, 41, account="user2"),
    ],
}

#: ``(market_id, id)`` of each recorded row as stored: a change to the identity rule fails here,
#: and would have stored copies of prints already kept under the old ids.
STORED_IDS = [
    ("913e0f0fd3385cb38895d220e6ca1fab", "b87899cc359e37d679e94b28cdfe0994"),
    ("663ef2b568315bbe74e24fc509bf8c25", "266c5735a5b3067d39db399c3ea67370"),
    ("43067d8507581bbe5986399b03bf99ee", "b8226402f9983c8661ad087ef9cdf248"),
    ("405e547a5b1ed2ec90315ff19042f81f", "3d91ffaf2034af782c1db904ba524e40"),
    ("c1042f7b289e2a14b23c608e0a7052d5", "b74cc4f5abaa68ecb98e9bc847879718"),
    ("312e01a1a4eeadf3b4c00bfa4b2bd3e1", "4a6d578154a2b3358705c77c03fba62c"),
]


def recorded_trades():
    batch = decode_scraped(RECORDED, source="userscript", received_ns=1_759_931_548_500_000_000)
    out = normaliser.normalise(batch)
    assert out.rejected == ()
    return out.trades


def test_recorded_prints_keep_the_ids_they_were_stored_under():
    assert [(t.market_id, t.id) for t in recorded_trades()] == STORED_IDS


def test_the_ids_are_the_digests_the_module_docstring_spells_out():
    def digest(*fields: str) -> str:
        return blake2b("\x1f".join(fields).encode(), digest_size=16).hexdigest()

    # Only the second of the two prints without accumulated volume has an earlier twin.
    ordinals = [0, 0, 0, 1, 0, 0]
    trades = recorded_trades()
    for trade, ordinal in zip(trades, ordinals, strict=True):
        market = digest(
            trade.symbol,
            str(trade.ts_ns),
            repr(trade.price),
            repr(trade.size),
            repr(trade.accumulated_volume),
            str(ordinal),
        )
        assert (trade.market_id, trade.id) == (market, digest(trade.account, market))
    first = trades[0]
    assert (first.symbol, first.ts_ns, first.price, first.accumulated_volume) == (
        "NQZ5",
        1_759_931_545_037_000_000,
        25146.0,
        30.0,
    )
    assert trades[2].accumulated_volume is None and trades[-1].account == "user2"


def test_a_print_without_a_capture_time_is_placed_by_the_batch_receipt():
    # 01:30 on 2025-11-02 happened at 06:30 UTC (CDT) and again at 07:30 UTC (CST).
    message = {"account": "user1", "tabs": [{"symbol": "NQZ5", "isActive": True}]}
    row = {"timestamp": "01:30:00.000 11/2/25", "price": 25146.0, "size": 1}

    def placed(received: datetime) -> int:
        batch = decode_scraped(
            {**message, "trades": [row]}, source="userscript", received_ns=to_ns(received)
        )
        return normaliser.normalise(batch).trades[0].ts_ns

    first = to_ns(datetime(2025, 11, 2, 6, 30, tzinfo=UTC))
    second = to_ns(datetime(2025, 11, 2, 7, 30, tzinfo=UTC))
    assert placed(datetime(2025, 11, 2, 6, 45, tzinfo=UTC)) == first
    assert placed(datetime(2025, 11, 2, 7, 45, tzinfo=UTC)) == second
