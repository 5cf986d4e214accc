"""The trading event codec: every event a desk produces survives JSON exactly, and a payload
that does not fit its kind is refused with the field it is wrong in."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.trading.desk import Desk
from tradewire.core.errors import RejectError, ValidationError
from tradewire.core.events import Direction, Intent, Side
from tradewire.trading import codec, events
from tradewire.trading.account import AccountSettings, TrailingStop
from tradewire.trading.events import AccountUpdated, OrderFilled, StopMoved, TradingEvent
from tradewire.trading.fees import FeeModel, SlippageModel, SlippageUnit
from tradewire.trading.model import Balance, OrderRequest, OrderType

D = Decimal
MANAGED = AccountSettings(
    risk_percent=D("1.5"),
    max_notional_percent=D(100),
    break_even_after_first_take_profit=True,
    trailing_stop=TrailingStop(distance=D("0.5")),
    take_profit_weights=(D(2), D(1)),
)


PLAIN = AccountSettings(max_notional_percent=D(100))


def desk() -> Desk:
    return Desk(
        fees=FeeModel(maker_bps=D("1.5"), taker_bps=D("4.5")),
        slippage=SlippageModel(amount=D(3), unit=SlippageUnit.BPS),
        balances={"USDT": D(100_000), "USD": D(1_000_000)},
    )


def assert_round_trips(event: TradingEvent) -> None:
    encoded = codec.encode(event)
    text = json.dumps(encoded)  # JSON-safe as it is: no default= needed
    assert codec.decode(json.loads(text)) == event
    assert codec.loads(codec.dumps(event)) == event
    assert not _floats(encoded)


def _floats(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(map(_floats, value.values()))
    return isinstance(value, list) and any(map(_floats, value))


async def every_kind() -> Desk:
    """A scripted path through the desk that produces every kind of event."""
    d = desk()
    for account in ("alice", "bob"):
        await d.venue.reset(account)
    await d.price("BTC/USDT", "45000")
    await d.signal(id="a1", stop_loss=44000.0, take_profit=(46000.0, 48000.0), settings=MANAGED)
    await d.path("BTC/USDT", "45500", "46100", "45800")  # trail, take-profit 1, break-even
    await d.path("BTC/USDT", "44000")  # the stop closes the rest
    bob = OrderRequest(
        client_order_id="b1",
        symbol="BTC/USDT",
        side=Side.LONG,
        qty=D("0.01"),
        type=OrderType.LIMIT,
        price=D(40000),
    )
    order = await d.venue.place("bob", bob)
    await d.venue.amend("bob", order.id, price=D("40100.5"))
    await d.venue.cancel("bob", order.id)
    with contextlib.suppress(RejectError):
        await d.venue.place("bob", dataclasses.replace(bob, client_order_id="b2", qty=D("1e-9")))
    await d.price("NQZ5", "20000")
    await d.signal("bob", pair="NQZ5", direction=Direction.SELL, stop_loss=20100.0)
    await d.price("NQZ5", "19950.25")
    return d


async def test_every_kind_of_event_round_trips_exactly():
    d = await every_kind()
    assert {type(e).__name__ for e in d.events} == set(codec.EVENT_KINDS)
    for event in d.events:
        assert_round_trips(event)


def test_the_codec_knows_every_trading_event():
    defined = {
        cls
        for cls in vars(events).values()
        if isinstance(cls, type) and issubclass(cls, TradingEvent) and cls is not TradingEvent
    }
    assert defined == set(codec.EVENT_KINDS.values())


async def test_decimals_keep_every_digit_in_plain_notation():
    d = await every_kind()
    fill = d.of(OrderFilled)[0]
    exact = dataclasses.replace(
        fill, fill=dataclasses.replace(fill.fill, price=D("45013.50"), fee=D("1E-14"))
    )
    encoded = codec.encode(exact)
    assert encoded["fill"]["price"] == "45013.50"
    assert encoded["fill"]["fee"] == "0.00000000000001"
    decoded = codec.decode(encoded)
    assert str(decoded.fill.price) == "45013.50" and decoded == exact
    big = dataclasses.replace(d.of(StopMoved)[0], stop=D("1.2E+5"))
    assert codec.encode(big)["stop"] == "120000" and codec.decode(codec.encode(big)) == big


def balance_event(**balance: object) -> AccountUpdated:
    fields = {"currency": "USDT", "cash": D("10000.5"), **balance}
    return AccountUpdated(
        ts_event=1, ts_init=2, account="alice", venue="paper", balance=Balance(**fields)
    )


@pytest.mark.parametrize(
    ("value", "where"),
    [
        (10000.5, "AccountUpdated.balance.cash"),  # a float is never money
        (D("NaN"), "AccountUpdated.balance.cash"),
        ("10000.5", "AccountUpdated.balance.cash"),
    ],
)
def test_a_value_of_the_wrong_type_cannot_be_encoded(value, where):
    with pytest.raises(ValidationError, match=where):
        codec.encode(balance_event(cash=value))


def test_an_event_the_codec_does_not_know_cannot_be_encoded():
    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Invented(TradingEvent):
        pass

    with pytest.raises(ValidationError, match="Invented"):
        codec.encode(Invented(ts_event=1, ts_init=1, account="a", venue="paper"))


def _good() -> dict:
    return codec.encode(balance_event())


def _with(path: tuple[str, ...], value: object) -> dict:
    data = _good()
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "must be an object"),
        ({"kind": "PositionTeleported"}, "unknown trading event kind 'PositionTeleported'"),
        ({"ts_event": 1}, "unknown trading event kind None"),
        (_with(("kind",), 7), "unknown trading event kind 7"),
        (_with(("balance", "cash"), KeyError), r"balance: missing fields 'cash'"),
        (_with(("balance", "colour"), "red"), r"balance: unknown fields 'colour'"),
        (_with(("balance", "cash"), 10000.5), r"balance\.cash: expected a decimal"),
        (_with(("balance", "cash"), "Infinity"), r"balance\.cash: expected a decimal"),
        (_with(("balance", "cash"), "ten"), r"balance\.cash: expected a decimal"),
        (_with(("ts_event",), True), r"AccountUpdated\.ts_event: expected int"),
        (_with(("ts_event",), "1"), r"AccountUpdated\.ts_event: expected int"),
        (_with(("account",), None), r"AccountUpdated\.account: expected str"),
        (_with(("balance",), [1]), r"AccountUpdated\.balance: expected dict"),
    ],
)
def test_a_malformed_payload_is_refused_with_where(payload, message):
    with pytest.raises(ValidationError, match=message):
        codec.decode(payload)


async def test_malformed_nested_values_are_refused():
    d = await every_kind()
    fill = codec.encode(d.of(OrderFilled)[0])
    fill["order"]["side"] = "sideways"
    with pytest.raises(ValidationError, match=r"OrderFilled\.order\.side: 'sideways'"):
        codec.decode(fill)
    planned = codec.encode(d.of(events.BracketPlanned)[0])
    planned["take_profits"] = "46000"
    with pytest.raises(ValidationError, match=r"BracketPlanned\.take_profits: expected list"):
        codec.decode(planned)
    planned["take_profits"] = ["46000", 46000]
    with pytest.raises(ValidationError, match=r"BracketPlanned\.take_profits\[1\]"):
        codec.decode(planned)


def test_text_that_is_not_json_is_refused():
    with pytest.raises(ValidationError, match="not valid JSON"):
        codec.loads('{"kind": "AccountUpdated",')


# --- every event a random path through the desk produces -----------------------------------

#: Symbol: (first price, the step prices, stops and take-profits move in).
MARKETS = {"BTC/USDT": (D(45000), D("2.5")), "NQZ5": (D(20000), D("0.25"))}
symbols = st.sampled_from(sorted(MARKETS))
accounts = st.sampled_from(["a", "b"])
steps = st.lists(
    st.one_of(
        st.tuples(st.just("price"), symbols, st.integers(-300, 300)),
        st.tuples(
            st.just("signal"),
            accounts,
            symbols,
            st.sampled_from([Direction.BUY, Direction.SELL, Direction.CLOSE]),
            st.integers(10, 200),  # stop distance, steps
            st.lists(st.integers(5, 400), max_size=3),  # take-profit distances, steps
            st.sampled_from([None, -20, 20]),  # a limit entry this many steps away, or market
            st.booleans(),  # managed (break-even, trailing)
        ),
        st.tuples(st.just("reset"), accounts),
    ),
    min_size=5,
    max_size=40,
)


async def produce(script) -> list[TradingEvent]:
    d = desk()
    for account in ("a", "b"):
        await d.venue.reset(account)
    marks = {symbol: base for symbol, (base, _) in MARKETS.items()}
    for symbol, price in marks.items():
        await d.price(symbol, price)
    for step in script:
        if step[0] == "price":
            _, symbol, moves = step
            marks[symbol] = MARKETS[symbol][0] + moves * MARKETS[symbol][1]
            await d.price(symbol, marks[symbol])
        elif step[0] == "reset":
            await d.venue.reset(step[1])
        else:
            _, account, symbol, direction, stop, targets, limit, managed = step
            step, mark, sign = MARKETS[symbol][1], marks[symbol], -1 if direction.is_bearish else 1
            entry = None if limit is None else mark + limit * step
            base = entry or mark
            await d.signal(
                account,
                settings=MANAGED if managed else PLAIN,
                pair=symbol,
                direction=direction,
                intent=Intent.CLOSE if direction is Direction.CLOSE else Intent.OPEN,
                entry=None if entry is None else float(entry),
                stop_loss=float(base - sign * stop * step),
                take_profit=tuple(float(base + sign * t * step) for t in targets),
            )
    return d.events


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_every_event_a_desk_produces_round_trips(script):
    for event in asyncio.run(produce(script)):
        assert_round_trips(event)
