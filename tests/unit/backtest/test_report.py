"""The report's figures, computed by hand on small equity curves and trade lists."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from tests.unit.backtest.results import DAY_NS, START_NS, trade
from tradewire.backtest.report import compute_metrics, periods_per_year, sharpe_ratio

D = Decimal
HOUR_NS = 3_600 * 1_000_000_000


def metrics(equity: list[str], trades=(), *, start: str = "100", exposed: int = 0, total: int = 0):
    ts = [START_NS + n * DAY_NS for n in range(len(equity))]
    return compute_metrics(
        trades=trades,
        equity_ts=ts,
        equity=[D(v) for v in equity],
        start_equity=D(start),
        exposed_bars=exposed,
        total_bars=total or len(equity),
        periods_per_year=252.0,
    )


def test_drawdown_is_the_largest_fall_from_a_running_peak_in_money_and_percent():
    m = metrics(["110", "99", "121", "110"])
    # Peaks 100, 110, 110, 121, 121: falls 0, 0, 11, 0, 11; in percent 11/110 = 10 % and
    # 11/121 = 9.09 %: the largest of each.
    assert m.max_drawdown == D(11)
    assert m.max_drawdown_pct == pytest.approx(10.0)
    assert m.final_equity == D(110)
    assert m.net_pnl == D(10)
    assert m.return_pct == pytest.approx(10.0)


def test_a_loss_on_the_first_bar_is_a_fall_from_the_starting_equity():
    m = metrics(["90", "95"])
    assert m.max_drawdown == D(10)
    assert m.max_drawdown_pct == pytest.approx(10.0)


def test_sharpe_of_a_known_series():
    # Returns 1 % and 3 %: mean 2 %, sample deviation √2 %, ratio √2, annualised √2·√252.
    m = metrics(["101", "104.03"])
    assert m.sharpe == pytest.approx(math.sqrt(2 * 252))


def test_sharpe_is_undefined_for_a_flat_curve_one_return_or_a_blown_account():
    assert metrics(["100", "100", "100"]).sharpe is None
    assert metrics(["101"]).sharpe is None
    assert sharpe_ratio([D(100), D(0), D(10), D(20)], 252.0) is None


def test_trades_wins_losses_and_a_zero_trade_that_is_neither():
    trades = [trade("30", fees="1"), trade("-10", fees="2"), trade("0", fees="0.5")]
    m = metrics(["120"], trades)
    assert (m.trades, m.wins, m.losses) == (3, 1, 1)
    assert m.win_rate == pytest.approx(100 / 3)
    assert m.expectancy == D("6.666666666667")  # 20 / 3, rounded half-even to 12 places
    assert m.profit_factor == pytest.approx(3.0)
    assert m.fees == D("3.5")


def test_profit_factor_is_none_without_a_loss_and_zero_without_a_win():
    assert metrics(["130"], [trade("30")]).profit_factor is None
    assert metrics(["90"], [trade("-10")]).profit_factor == 0.0


def test_no_trades_leave_the_trade_ratios_undefined():
    m = metrics(["100", "100"])
    assert (m.trades, m.win_rate, m.expectancy, m.profit_factor) == (0, None, None, None)
    assert m.max_drawdown == D(0) and m.max_drawdown_pct == 0.0


def test_exposure_is_the_share_of_bars_in_a_position():
    assert metrics(["100"] * 12, exposed=3).exposure_pct == pytest.approx(25.0)
    assert compute_metrics(
        trades=(), equity_ts=(), equity=(), start_equity=D(100), exposed_bars=0,
        total_bars=0, periods_per_year=252.0,
    ).exposure_pct == 0.0  # fmt: skip


def test_money_stays_exact():
    m = metrics(["100.1", "100.3"], start="100.0")
    assert m.net_pnl == D("0.3")
    assert m.final_equity == D("100.3")


def days(n: int, *, weekends: bool) -> list[int]:
    ts = [START_NS + k * DAY_NS for k in range(n * 2)]
    keep = [t for t in ts if weekends or (t // DAY_NS + 3) % 7 < 5]
    return keep[:n]


def test_daily_bars_of_a_weekday_market_are_252_a_year_and_of_an_every_day_market_365():
    assert periods_per_year(days(60, weekends=False)) == 252.0
    assert periods_per_year(days(60, weekends=True)) == 365.0


def test_weekly_and_monthly_bars():
    assert periods_per_year([START_NS + k * 7 * DAY_NS for k in range(20)]) == 52.0
    assert periods_per_year([START_NS + k * 30 * DAY_NS for k in range(20)]) == 12.0


def test_hourly_fx_is_24_times_260_and_hourly_crypto_24_times_365():
    # FX trades from Sunday 22:00 to Friday 22:00 UTC: no Saturday.
    sunday_22h = START_NS + 6 * DAY_NS + 22 * HOUR_NS
    fx = [sunday_22h + h * HOUR_NS for h in range(5 * 24)]
    assert periods_per_year(fx) == 24 * 260
    crypto = [START_NS + h * HOUR_NS for h in range(14 * 24)]
    assert periods_per_year(crypto) == 24 * 365


def test_hourly_stock_bars_count_a_sessions_bars_over_252_days():
    # 7 hourly bars a day (14:30–20:30 UTC), weekdays only.
    session = [d + 14 * HOUR_NS + 30 * 60 * 10**9 + h * HOUR_NS for d in days(20, weekends=False)
               for h in range(7)]  # fmt: skip
    assert periods_per_year(session) == 7 * 252


def test_too_few_bars_to_measure_count_as_daily():
    assert periods_per_year([]) == 252.0
    assert periods_per_year([START_NS]) == 252.0
