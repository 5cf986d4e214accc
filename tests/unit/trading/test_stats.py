"""Account statistics on scripted paths through the paper desk, against figures worked out by
hand (no slippage, so each fill is at the price and its fee is notional × rate)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.trading.desk import Desk
from tradewire.core.errors import ValidationError
from tradewire.core.events import Side
from tradewire.trading.account import AccountSettings
from tradewire.trading.fees import FeeModel
from tradewire.trading.model import OrderRequest
from tradewire.trading.stats import AccountStats, EquityPoint, account_stats

D = Decimal
TAKER_5_BPS = FeeModel(maker_bps=D(2), taker_bps=D(5))


async def trade(desk: Desk, symbol: str, side: Side, qty: str, at: str, account="alice") -> None:
    await desk.price(symbol, at)
    request = OrderRequest(
        client_order_id=f"o{len(desk.events)}", symbol=symbol, side=side, qty=D(qty)
    )
    await desk.venue.place(account, request)


async def stats_of(desk: Desk, account: str = "alice") -> dict[str, AccountStats]:
    return account_stats(await desk.journal.read(account))


async def test_two_wins_and_a_loss_with_fees():
    desk = Desk(fees=TAKER_5_BPS)
    # Long 0.1 at 45,000, out at 46,000: +100, fees 2.25 + 2.30 → +95.45.
    await trade(desk, "BTC/USDT", Side.LONG, "0.1", "45000")
    await trade(desk, "BTC/USDT", Side.SHORT, "0.1", "46000")
    # Long 0.2 at 46,000, out at 45,500: −100, fees 4.60 + 4.55 → −109.15.
    await trade(desk, "BTC/USDT", Side.LONG, "0.2", "46000")
    await trade(desk, "BTC/USDT", Side.SHORT, "0.2", "45500")
    # Short 0.1 at 45,500, covered at 44,000: +150, fees 2.275 + 2.20 → +145.525.
    await trade(desk, "BTC/USDT", Side.SHORT, "0.1", "45500")
    await trade(desk, "BTC/USDT", Side.LONG, "0.1", "44000")

    stats = (await stats_of(desk))["USDT"]
    equity = ["10000", "9997.75", "10095.45", "10090.85", "9986.3", "9984.025", "10131.825"]
    assert [point.equity for point in stats.equity] == [D(e) for e in equity]
    assert stats == AccountStats(
        currency="USDT",
        trades=3,
        wins=2,
        losses=1,
        win_rate_percent=D("66.666666666667"),
        average_win=D("120.4875"),  # (95.45 + 145.525) / 2
        average_loss=D("-109.15"),
        expectancy=D("43.941666666667"),  # 131.825 / 3
        profit_factor=D("2.207741639945"),  # 240.975 / 109.15
        # From the peak 10,095.45 down to 9,984.025; 111.425 / 10,095.45 = 1.1037…%.
        max_drawdown=D("111.425"),
        max_drawdown_percent=D("1.103715039944"),
        total_fees=D("18.175"),
        net_pnl=D("131.825"),
        equity=stats.equity,
    )
    times = [point.ts for point in stats.equity]
    assert times == sorted(times) and times[0] < times[-1]


async def test_a_futures_trade_counts_its_multiplier():
    desk = Desk(
        fees=FeeModel(maker_bps=D(0), taker_bps=D("0.5")),
        balances={"USDT": D(10_000), "USD": D(100_000)},
    )
    # 2 NQ long at 20,000, out at 20,012.50: 12.5 points × 20 USD × 2 = +500. Fees on the
    # notional (2 × price × 20): 800,000 × 0.5 bp = 40, 800,500 × 0.5 bp = 40.025.
    await trade(desk, "NQZ5", Side.LONG, "2", "20000")
    await desk.price("NQZ5", "19990")
    await trade(desk, "NQZ5", Side.SHORT, "2", "20012.5")

    stats = await stats_of(desk)
    usd = stats["USD"]
    assert (usd.trades, usd.wins, usd.losses) == (1, 1, 0)
    assert usd.net_pnl == usd.expectancy == usd.average_win == D("419.975")
    assert usd.total_fees == D("80.025")
    assert usd.win_rate_percent == D(100) and usd.average_loss is None
    # Equity is recorded at fills, not at the dip to 19,990 between them.
    assert [p.equity for p in usd.equity] == [D(100_000), D(99_960), D("100419.975")]
    assert usd.max_drawdown == D(40) and usd.max_drawdown_percent == D("0.04")
    # The USDT side of the account did nothing.
    assert stats["USDT"].trades == 0 and stats["USDT"].equity[0].equity == D(10_000)


async def test_the_profit_factor_is_none_without_losses_and_zero_without_wins():
    desk = Desk()
    await trade(desk, "BTC/USDT", Side.LONG, "0.1", "45000")
    await trade(desk, "BTC/USDT", Side.SHORT, "0.1", "45100")
    assert (await stats_of(desk))["USDT"].profit_factor is None
    await trade(desk, "BTC/USDT", Side.LONG, "0.1", "45100")
    await trade(desk, "BTC/USDT", Side.SHORT, "0.1", "45000")
    assert (await stats_of(desk))["USDT"].profit_factor == D(1)  # won 10, lost 10
    await trade(desk, "BTC/USDT", Side.LONG, "0.1", "45000", account="bob")
    await trade(desk, "BTC/USDT", Side.SHORT, "0.1", "44000", account="bob")
    assert (await stats_of(desk, "bob"))["USDT"].profit_factor == D(0)


async def test_a_bracket_exiting_in_parts_is_one_trade():
    desk = Desk(fees=TAKER_5_BPS)
    await desk.venue.reset("alice")
    await desk.price("BTC/USDT", "45000")
    settings = AccountSettings(risk_percent=D(1), max_notional_percent=D(100))
    await desk.signal(stop_loss=44000.0, take_profit=(46000.0, 47000.0), settings=settings)
    await desk.path("BTC/USDT", "46000", "45000", "43900")  # half at 46,000, the rest stopped
    # 0.1 BTC (risk 100 over a 1,000 stop): +0.05 × 1,000 = 50 at the take-profit, then the
    # stop is gapped at 43,900: −0.05 × 1,100 = −55. Fees at 5 bp of each fill's notional:
    # 0.1 × 45,000 → 2.25, 0.05 × 46,000 → 1.15, 0.05 × 43,900 → 1.0975.
    stats = (await stats_of(desk))["USDT"]
    assert (stats.trades, stats.losses) == (1, 1)
    assert stats.net_pnl == D(-5) - D("2.25") - D("1.15") - D("1.0975")


async def test_a_reset_starts_the_statistics_again():
    desk = Desk(fees=TAKER_5_BPS)
    await trade(desk, "BTC/USDT", Side.LONG, "0.1", "45000")
    await trade(desk, "BTC/USDT", Side.SHORT, "0.1", "44000")
    await desk.venue.reset("alice", {"USDT": D(500)})
    stats = (await stats_of(desk))["USDT"]
    assert (stats.trades, stats.total_fees, stats.net_pnl) == (0, 0, 0)
    assert stats.equity == (EquityPoint(stats.equity[0].ts, D(500)),)
    assert stats.max_drawdown == 0 and stats.max_drawdown_percent == 0
    assert stats.expectancy is stats.win_rate_percent is stats.profit_factor is None


def test_no_events_no_statistics():
    assert account_stats([]) == {}


async def test_statistics_are_of_one_account():
    desk = Desk()
    await trade(desk, "BTC/USDT", Side.LONG, "0.1", "45000")
    await trade(desk, "BTC/USDT", Side.LONG, "0.1", "45000", account="bob")
    with pytest.raises(ValidationError, match="one account"):
        account_stats(desk.events)


@given(st.lists(st.decimals("-1000", "100000", places=2), min_size=1, max_size=60))
def test_max_drawdown_is_the_largest_fall_from_any_earlier_peak(values: list[Decimal]) -> None:
    from tradewire.trading.stats import stats_of

    curve = [EquityPoint(i, v) for i, v in enumerate(values)]
    stats = stats_of("USD", [], Decimal(0), curve)
    falls = [(values[i], values[j]) for i in range(len(values)) for j in range(i, len(values))]
    assert stats.max_drawdown == max(peak - low for peak, low in falls)
    peaks = [max(values[: j + 1]) for j in range(len(values))]  # each point's running peak
    percents = [(p - v) * 100 / p for p, v in zip(peaks, values, strict=True) if p > 0]
    if not percents:
        assert stats.max_drawdown_percent is None
    else:
        assert abs(stats.max_drawdown_percent - max(percents)) < Decimal("1e-11")
