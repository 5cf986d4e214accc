"""Exact accounting: after every fill, equity is cash plus the open positions marked to the
last prices, and equals what the fills' own cash flows say, to the last digit."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.trading.desk import Desk
from tradewire.core.events import Side
from tradewire.core.prices import PriceTick
from tradewire.trading.events import AccountUpdated, OrderFilled
from tradewire.trading.fees import FeeModel, SlippageModel, SlippageUnit
from tradewire.trading.model import OrderRequest, OrderType
from tradewire.trading.ports import OrderRefused

D = Decimal
# Symbol: (base price, tick, size step), NQ with its 20 USD point value.
MARKETS = {
    "BTC/USDT": (D(45000), D("0.1"), D("0.001")),
    "ETH/USDT": (D(3000), D("0.01"), D("0.001")),
    "NQZ5": (D(20000), D("0.25"), D(1)),
}
INITIAL = {"USDT": D(10_000), "USD": D(100_000)}

symbols = st.sampled_from(sorted(MARKETS))
action = st.one_of(
    st.tuples(st.just("tick"), symbols, st.integers(-400, 400)),
    st.tuples(
        st.just("order"),
        st.sampled_from(["a", "b"]),
        symbols,
        st.sampled_from(list(Side)),
        st.integers(1, 40),
        st.sampled_from([OrderType.MARKET, OrderType.MARKET, OrderType.LIMIT, OrderType.STOP]),
        st.integers(-60, 60),
        st.sampled_from([False, False, True]),
    ),
)


class Books:
    """An independent account of the fills: per account and currency, the fees paid and the
    cash flow of every fill (sells in, buys out, times the multiplier), and net quantities."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.fees: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.flow: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.net: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.marks: dict[str, Decimal] = {}
        self.checked = 0

    def equity(self, account: str, currency: str) -> Decimal:
        total = INITIAL[currency] - self.fees[(account, currency)] + self.flow[(account, currency)]
        for (acc, symbol), net in self.net.items():
            instrument = self.desk.instruments.get(symbol)
            if acc == account and instrument.quote_currency == currency:
                total += net * self.marks[symbol] * instrument.multiplier
        return total

    def see(self, event) -> None:
        if isinstance(event, OrderFilled):
            fill, account = event.fill, event.account
            instrument = self.desk.instruments.get(fill.symbol)
            currency, sign = instrument.quote_currency, 1 if fill.side is Side.LONG else -1
            self.fees[(account, currency)] += fill.fee
            self.flow[(account, currency)] -= sign * fill.qty * fill.price * instrument.multiplier
            self.net[(account, fill.symbol)] += sign * fill.qty
        elif isinstance(event, AccountUpdated):
            balance = event.balance
            assert balance.equity == self.equity(event.account, balance.currency)
            self.checked += 1


async def run(actions) -> int:
    desk = Desk(
        fees=FeeModel(maker_bps=D("1.5"), taker_bps=D("4.5")),
        slippage=SlippageModel(amount=D(3), unit=SlippageUnit.BPS),
        balances=INITIAL,
    )
    books = Books(desk)
    for n, (symbol, (base, _, _)) in enumerate(sorted(MARKETS.items())):
        books.marks[symbol] = base
        await desk.venue.on_price(_tick(desk, symbol, base, n))
    seen = 0
    for n, act in enumerate(actions):
        if act[0] == "tick":
            _, symbol, moves = act
            base, tick, _ = MARKETS[symbol]
            price = base + moves * tick
            books.marks[symbol] = price
            await desk.venue.on_price(_tick(desk, symbol, price, n))
        else:
            _, account, symbol, side, steps, kind, away, reduce = act
            base, tick, step = MARKETS[symbol]
            level = books.marks[symbol] + away * tick
            request = OrderRequest(
                client_order_id=f"o{n}",
                symbol=symbol,
                side=side,
                qty=(1 + steps % 4) * step if step == 1 else steps * step,
                type=kind,
                price=level if kind is OrderType.LIMIT else None,
                trigger_price=level if kind is OrderType.STOP else None,
                reduce_only=reduce,
            )
            with contextlib.suppress(OrderRefused):
                await desk.venue.place(account, request)
        # Marks change only between actions, so each event is judged at the prices it saw.
        for event in desk.events[seen:]:
            books.see(event)
        seen = len(desk.events)
        for account in ("a", "b"):
            positions = {p.currency: D(0) for p in await desk.venue.positions(account)}
            for position in await desk.venue.positions(account):
                positions[position.currency] += position.unrealised_pnl
            for balance in await desk.venue.balances(account):
                expected = books.equity(account, balance.currency)
                assert balance.equity == expected
                assert balance.cash + positions.get(balance.currency, D(0)) == expected
    restarted = await desk.restart()
    for symbol, price in books.marks.items():
        await restarted.venue.on_price(_tick(desk, symbol, price, 0))
    for account in ("a", "b"):
        assert await restarted.venue.balances(account) == await desk.venue.balances(account)
        assert await restarted.venue.positions(account) == await desk.venue.positions(account)
    return books.checked


def _tick(desk: Desk, symbol: str, price: Decimal, n: int) -> PriceTick:
    return PriceTick(ts_event=n, ts_init=n, symbol=symbol, price=price, source="test")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, min_size=20, max_size=80))
def test_equity_is_cash_plus_marked_positions_after_every_fill_with_no_drift(actions):
    asyncio.run(run(actions))


def test_the_property_checks_many_fills():
    actions = (
        [("order", "a", "ETH/USDT", Side.LONG, 7, OrderType.MARKET, 0, False)]
        + [("tick", "ETH/USDT", n % 37 - 18) for n in range(30)]
        + [("order", "a", "ETH/USDT", Side.SHORT, 3, OrderType.MARKET, 0, False)] * 5
    )
    assert asyncio.run(run(actions)) == 6
