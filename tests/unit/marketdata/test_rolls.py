"""The roll calendar: continuous equity index futures to the front-month contract, by date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tradewire.marketdata.rolls import (
    EQUITY_INDEX_ROOTS,
    QUARTERLY,
    front_contract,
    resolve,
    roll_date,
    third_friday,
)

CODES = {code: month for month, code in QUARTERLY}


@pytest.mark.parametrize(
    ("year", "month", "expiry", "roll"),
    [
        (2025, 3, date(2025, 3, 21), date(2025, 3, 13)),
        (2025, 6, date(2025, 6, 20), date(2025, 6, 12)),
        (2025, 9, date(2025, 9, 19), date(2025, 9, 11)),
        (2025, 12, date(2025, 12, 19), date(2025, 12, 11)),
        (2026, 3, date(2026, 3, 20), date(2026, 3, 12)),
        (2026, 12, date(2026, 12, 18), date(2026, 12, 10)),
        (2029, 12, date(2029, 12, 21), date(2029, 12, 13)),
        # A month that starts on a Friday: its third Friday is the 15th.
        (2030, 3, date(2030, 3, 15), date(2030, 3, 7)),
    ],
)
def test_expiry_is_the_third_friday_and_the_roll_the_second_thursday_before(
    year, month, expiry, roll
) -> None:
    assert third_friday(year, month) == expiry
    assert roll_date(year, month) == roll
    assert roll.weekday() == 3 and expiry.weekday() == 4


@pytest.mark.parametrize(
    ("day", "front", "next_"),
    [
        ("2025-09-10", "NQU5", "NQZ5"),
        ("2025-09-11", "NQZ5", "NQH6"),  # roll day
        ("2025-12-10", "NQZ5", "NQH6"),  # the day before the roll
        ("2025-12-11", "NQH6", "NQM6"),  # roll day, a week before expiry
        ("2025-12-19", "NQH6", "NQM6"),  # expiry
        ("2025-12-31", "NQH6", "NQM6"),  # year end
        ("2026-01-01", "NQH6", "NQM6"),
        ("2026-03-11", "NQH6", "NQM6"),
        ("2026-03-12", "NQM6", "NQU6"),
        ("2026-12-09", "NQZ6", "NQH7"),
        ("2026-12-10", "NQH7", "NQM7"),
        ("2029-12-12", "NQZ9", "NQH0"),  # the year digit wraps
        ("2029-12-13", "NQH0", "NQM0"),
    ],
)
def test_front_month_by_date(day: str, front: str, next_: str) -> None:
    on = date.fromisoformat(day)
    assert front_contract("NQ", on) == front
    assert front_contract("NQ", on, ahead=1) == next_


def test_every_day_of_a_decade_is_priced_by_the_contract_not_yet_rolled() -> None:
    day = date(2024, 1, 1)
    previous = front_contract("ES", day)
    while day < date(2035, 1, 1):
        contract = front_contract("ES", day)
        month = CODES[contract[2]]
        # The contract's year is the first one from today ending in its digit.
        year = next(y for y in range(day.year, day.year + 10) if y % 10 == int(contract[3]))
        # Rolls are 13 or 14 weeks apart: the front month always rolls within 14 weeks.
        assert day < roll_date(year, month) <= day + timedelta(weeks=14)
        if contract != previous:
            assert day == roll_date(day.year, CODES[previous[2]])
        previous = contract
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("symbol", "at", "expected"),
    [
        ("NQ1!", datetime(2025, 11, 3, 15, tzinfo=UTC), "NQZ5"),
        ("ES1!", datetime(2025, 12, 10, 12, tzinfo=UTC), "ESZ5"),
        ("MNQ1!", datetime(2025, 12, 11, 12, tzinfo=UTC), "MNQH6"),
        ("M2K1!", datetime(2026, 1, 5, tzinfo=UTC), "M2KH6"),
        ("NQ2!", datetime(2025, 11, 3, tzinfo=UTC), "NQH6"),
        # 05:59 UTC on the 11th is still the 10th in Chicago: not rolled yet.
        ("NQ1!", datetime(2025, 12, 11, 5, 59, tzinfo=UTC), "NQZ5"),
        ("NQ1!", datetime(2025, 12, 11, 6, 0, tzinfo=UTC), "NQH6"),
        ("NQ1!", datetime(2025, 12, 11, 6, 0), "NQH6"),  # naive is UTC
        # Not on the equity index cycle, or not continuous: unchanged.
        ("CL1!", datetime(2025, 11, 3, tzinfo=UTC), "CL1!"),
        ("NQZ5", datetime(2026, 11, 3, tzinfo=UTC), "NQZ5"),
        ("BTC/USDT", datetime(2025, 11, 3, tzinfo=UTC), "BTC/USDT"),
        ("NQ3!", datetime(2025, 11, 3, tzinfo=UTC), "NQ3!"),
    ],
)
def test_resolve(symbol: str, at: datetime, expected: str) -> None:
    assert resolve(symbol, at) == expected


def test_every_equity_index_root_resolves() -> None:
    at = datetime(2025, 11, 3, tzinfo=UTC)
    assert {resolve(f"{root}1!", at) for root in EQUITY_INDEX_ROOTS} == {
        f"{root}Z5" for root in EQUITY_INDEX_ROOTS
    }
