"""The identity rule: copies collapse, genuinely repeated identical prints are kept."""

from tradewire.core.events import ContractHeader, InstrumentTab, TapeBatch, TapePrint
from tradewire.tape.clock import ExchangeClock
from tradewire.tape.normalise import Normaliser, batch_symbol


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
