"""Page times to UTC, across both daylight-saving transitions of US/Central."""

from datetime import UTC, datetime

import pytest

from tradewire.core.errors import ValidationError
from tradewire.tape.clock import ExchangeClock, to_ns


def utc(*args) -> int:
    return to_ns(datetime(*args, tzinfo=UTC))


@pytest.fixture
def chicago() -> ExchangeClock:
    return ExchangeClock("America/Chicago")


def test_time_and_sales_format_in_summer_is_cdt(chicago):
    assert chicago.parse("08:52:25.037 10/8/25") == utc(2025, 10, 8, 13, 52, 25, 37_000)


def test_grid_format_with_pm_in_winter_is_cst(chicago):
    assert chicago.parse("12/01/2025 3:30:23 PM") == utc(2025, 12, 1, 21, 30, 23)
    assert chicago.parse("12/01/2025 12:00:00 AM") == utc(2025, 12, 1, 6, 0, 0)


def test_iso_with_zone_is_exact_and_without_zone_is_exchange_local(chicago):
    assert chicago.parse("2025-09-20T20:30:23.998Z") == utc(2025, 9, 20, 20, 30, 23, 998_000)
    assert chicago.parse("2025-09-20T15:30:23") == utc(2025, 9, 20, 20, 30, 23)


def test_march_transition_gap_is_rejected_and_either_side_is_right(chicago):
    # 2025-03-09 02:00 CST jumps to 03:00 CDT.
    assert chicago.parse("01:59:59.999 3/9/25") == utc(2025, 3, 9, 7, 59, 59, 999_000)
    assert chicago.parse("03:00:00.000 3/9/25") == utc(2025, 3, 9, 8, 0, 0)
    with pytest.raises(ValidationError, match="daylight-saving gap"):
        chicago.parse("02:30:00.000 3/9/25")


def test_november_repeated_hour_is_placed_by_capture_time(chicago):
    # 2025-11-02 01:00-01:59 happens at 06:xx UTC (CDT) and again at 07:xx UTC (CST).
    first_pass = utc(2025, 11, 2, 6, 30, 1)
    second_pass = utc(2025, 11, 2, 7, 30, 1)
    assert chicago.parse("01:30:00.000 11/2/25", first_pass) == utc(2025, 11, 2, 6, 30)
    assert chicago.parse("01:30:00.000 11/2/25", second_pass) == utc(2025, 11, 2, 7, 30)
    assert chicago.parse("01:30:00.000 11/2/25") == utc(2025, 11, 2, 6, 30)
    assert chicago.parse("02:30:00.000 11/2/25", second_pass) == utc(2025, 11, 2, 8, 30)


@pytest.mark.parametrize(
    "text", ["01:30:00.000 11/2/25", "11/2/2025 1:30:00 AM", "2025-11-02T01:30:00"]
)
def test_without_a_capture_time_the_repeated_hour_is_its_first_daylight_time_pass(chicago, text):
    first_pass = utc(2025, 11, 2, 6, 30)  # 01:30 CDT; 01:30 CST is an hour later
    assert chicago.parse(text) == first_pass
    assert chicago.parse(text, lambda: None) == first_pass


def test_the_second_pass_is_taken_only_from_its_own_instant_on(chicago):
    second_pass = utc(2025, 11, 2, 7, 30)
    assert chicago.parse("01:30:00.000 11/2/25", second_pass) == second_pass
    assert chicago.parse("01:30:00.000 11/2/25", second_pass - 1) == utc(2025, 11, 2, 6, 30)
    # A capture clock behind the page's, before both passes: the first.
    assert chicago.parse("01:30:00.000 11/2/25", utc(2025, 11, 2, 5)) == utc(2025, 11, 2, 6, 30)


def test_time_without_date_takes_the_capture_day_and_rolls_back_over_midnight(chicago):
    captured = utc(2025, 10, 8, 14, 0, 0)  # 09:00 CDT
    assert chicago.parse("08:59:59.500", captured) == utc(2025, 10, 8, 13, 59, 59, 500_000)
    just_after_midnight = utc(2025, 10, 9, 5, 0, 30)  # 00:00:30 CDT on the 9th
    assert chicago.parse("23:59:58.000", just_after_midnight) == utc(2025, 10, 9, 4, 59, 58)
    with pytest.raises(ValidationError, match="capture time"):
        chicago.parse("08:59:59.500")


@pytest.mark.parametrize(
    "text", ["", "yesterday", "25:00:00.000 10/8/25", "08:52:25.037 13/8/25", "13:00:00 1/1/25 PM"]
)
def test_invalid_times_are_rejected_with_the_text(chicago, text):
    with pytest.raises(ValidationError, match="timestamp"):
        chicago.parse(text)


def test_other_exchange_zones_are_configurable():
    berlin = ExchangeClock("Europe/Berlin")
    assert berlin.parse("08:00:00.000 7/1/25") == utc(2025, 7, 1, 6, 0, 0)
