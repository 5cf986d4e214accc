"""Alert parsing: the seed formats, JSON field names, templates, and the sanity rules."""

import json
import math

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewire.alerts import AlertParser, decode_json
from tradewire.alerts.templates import TemplateSet
from tradewire.core.errors import ValidationError
from tradewire.core.events import Direction

parser = AlertParser()


def parse(body: str):
    return parser.parse(body, decode_json(body))


@pytest.mark.parametrize(
    "body",
    [
        "BTC/USDT LONG @ 45000 TP: 46000 SL: 44500",
        "btc/usdt long @ 45000 tp: 46000 sl: 44500",
        "BTC/USDT LONG @ 45000 TP: 46000 SL: 44500\r\n",
        "  BTC/USDT   LONG  @  45000   TP:46000   SL:44500 \n\n",
        "BTC/USDT LONG @ 45000\r\nTP: 46000\r\nSL: 44500\r\n",
        "BTC/USDT LONG @ 45,000 TP=46,000 SL 44,500",
        "BTC/USDT LONG @ 45000 SL: 44500 TP: 46000",
        "BTCUSDT Long @45000 Tp: 46000 Sl: 44500",
    ],
)
def test_standard_format_variants_give_the_same_signal(body):
    alert = parse(body)
    assert (alert.symbol.pair, alert.direction, alert.entry) == ("BTC/USDT", Direction.LONG, 45000)
    assert alert.take_profit == (46000,)
    assert alert.stop_loss == 44500
    assert alert.format == "standard"


@pytest.mark.parametrize(
    ("body", "pair", "direction"),
    [
        ("ETH/USDT SELL", "ETH/USDT", Direction.SELL),
        ("eth/usdt buy\r\n", "ETH/USDT", Direction.BUY),
        ("BINANCE:ETHUSDT.P SHORT", "ETH/USDT", Direction.SHORT),
        ("NQ1! BUY", "NQ1!", Direction.BUY),
        ("AAPL sell", "AAPL", Direction.SELL),
        ("BTC/USDT CLOSE", "BTC/USDT", Direction.CLOSE),
    ],
)
def test_simple_format(body, pair, direction):
    alert = parse(body)
    assert (alert.symbol.pair, alert.direction, alert.format) == (pair, direction, "simple")
    assert alert.entry is None and alert.take_profit == () and alert.stop_loss is None


def test_several_take_profit_levels():
    alert = parse("SOL/USDT SHORT @ 100 TP: 95, 90 / 85 SL: 104")
    assert alert.take_profit == (95, 90, 85)


@pytest.mark.parametrize(
    ("raw", "pair", "exchange", "contract"),
    [
        ("BINANCE:BTCUSDT.P", "BTC/USDT", "BINANCE", "perpetual"),
        ("BTCUSDT", "BTC/USDT", None, None),
        ("BYBIT:ETHUSDC", "ETH/USDC", "BYBIT", None),
        ("BTC-PERP", "BTC", None, "perpetual"),
        ("ETHBTC", "ETH/BTC", None, None),
        ("COINBASE:BTC-USD", "BTC/USD", "COINBASE", None),
        ("OANDA:EURUSD", "EUR/USD", "OANDA", None),
        ("CME_MINI:NQ1!", "NQ1!", "CME_MINI", "continuous"),
        ("SPY", "SPY", None, None),
    ],
)
def test_symbol_normalisation(raw, pair, exchange, contract):
    alert = parse(f"{raw} BUY")
    assert alert.symbol.pair == pair
    assert alert.symbol.exchange == exchange
    assert alert.symbol.contract == contract


def test_json_alert_with_tradingview_placeholders_rendered():
    body = orjson.dumps(
        {
            "ticker": "BINANCE:BTCUSDT.P",
            "action": "buy",
            "price": "45000",
            "tp": "46000",
            "sl": "44500",
            "strategy": "breakout",
            "passphrase": "secret",
            "qty": "0.5",
        }
    ).decode()
    alert = parse(body)
    assert alert.symbol.pair == "BTC/USDT" and alert.symbol.contract == "perpetual"
    assert alert.direction is Direction.BUY and alert.entry == 45000
    assert (alert.take_profit, alert.stop_loss, alert.strategy, alert.qty) == (
        (46000,),
        44500,
        "breakout",
        0.5,
    )
    assert alert.format == "json"


@pytest.mark.parametrize(
    "document",
    [
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "entry": 45000,
            "takeProfit": 46000,
            "stopLoss": 44500,
        },
        {
            "pair": "BTC/USDT",
            "direction": "long",
            "close": 45000,
            "take_profit": [46000],
            "stop_loss": 44500,
        },
        {
            "Ticker": "BTCUSDT",
            "order_action": "Buy",
            "Price": 45000.0,
            "TP": "46000",
            "SL": "44500",
        },
        {
            "ticker": "BTCUSDT",
            "strategy.order.action": "buy",
            "price": 45000,
            "tp1": 46000,
            "sl": 44500,
        },
    ],
)
def test_json_field_name_aliases(document):
    alert = parse(orjson.dumps(document).decode())
    assert alert.symbol.pair == "BTC/USDT"
    assert alert.direction.is_bullish and alert.entry == 45000
    assert alert.take_profit == (46000,) and alert.stop_loss == 44500


def test_json_take_profit_list_and_numbered_levels_in_order():
    alert = parse('{"ticker":"ETHUSDT","action":"sell","price":2400,"tp":[2350,2300],"sl":2450}')
    assert alert.take_profit == (2350, 2300)
    alert = parse('{"ticker":"ETHUSDT","action":"sell","price":2400,"tp2":2300,"tp1":2350}')
    assert alert.take_profit == (2350, 2300)


def test_json_wrapping_a_text_alert():
    alert = parse('{"message": "BTC/USDT LONG @ 45000 TP: 46000 SL: 44500", "passphrase": "x"}')
    assert alert.format == "standard" and alert.entry == 45000


def test_json_explicit_id_is_kept():
    alert = parse('{"ticker":"BTCUSDT","action":"buy","id":"fire-123"}')
    assert alert.external_id == "fire-123"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("BTC/USDT LONG @ 45000 TP: 44000", "take-profit 44000 is not above entry 45000"),
        ("BTC/USDT BUY @ 45000 SL: 45500", "stop-loss 45500 is not below entry 45000"),
        ("BTC/USDT SHORT @ 45000 TP: 46000", "take-profit 46000 is not below entry 45000"),
        ("BTC/USDT SELL @ 45000 SL: 44000", "stop-loss 44000 is not above entry 45000"),
        ("BTC/USDT LONG @ 45000 TP: 45000", "not above entry"),
        ("BTC/USDT LONG TP: 44000 SL: 44500", "take-profit 44000 is not above stop-loss"),
        ("BTC/USDT LONG @ nan", "finite"),
        ("BTC/USDT LONG @ inf", "finite"),
        ("BTC/USDT LONG @ 0", "positive"),
        ("BTC/USDT LONG @ -45000", "positive"),
        ("BTC/USDT LONG @ 1e999", "finite"),
        ("{{ticker}} BUY", "not rendered"),
        ("BTC/USDT {{strategy.order.action}}", "not rendered"),
        ('{"ticker": "{{ticker}}", "action": "buy"}', "not rendered"),
        ("BTC/USDT HODL", "unrecognised alert"),
        ("BTC/USDT LONG @ 45000 TP: 46000 moon soon", "unrecognised text"),
        ("BTC/USDT LONG @ 45000 TP: 46000 TP: 47000", "given twice"),
        ("", "empty alert"),
        ("   \r\n ", "empty alert"),
        ('{"ticker": "BTCUSDT"}', "no action"),
        ('{"action": "buy"}', "no ticker"),
        ('{"ticker": "BTCUSDT", "action": "hold"}', "unknown direction"),
        ('{"ticker": "BTCUSDT", "action": "buy", "price": "NaN"}', "finite"),
        ('{"ticker": "BTCUSDT", "action": "buy", "price": true}', "must be a number"),
        ('{"ticker": "BTCUSDT", "action": "buy", "price": -1}', "positive"),
        ('{"ticker": "BTCUSDT", "action": "buy", "price": 0}', "positive"),
        ('{"ticker": 5, "action": "buy"}', "missing symbol"),
        ('{"ticker": "BTC USDT!!", "action": "buy"}', "invalid symbol"),
        ('[{"ticker": "BTCUSDT"}]', "must be an object"),
        ('{"ticker": "BTCUSDT", "action": "buy"', "invalid JSON"),
        ('{"ticker":"BTCUSDT","symbol":"ETHUSDT","action":"buy"}', "conflicting"),
    ],
)
def test_rejections_carry_the_reason(body, reason):
    with pytest.raises(ValidationError, match=reason.replace("{", r"\{").replace("}", r"\}")):
        parse(body)


def test_user_templates_are_tried_first_in_order():
    templates = TemplateSet(
        [
            r"(?i)signal:\s*(?P<direction>buy|sell)\s+(?P<pair>\S+)\s+at\s+(?P<entry>[\d.]+)"
            r"(?:\s+targets?\s+(?P<tp>[\d.,\s]+?))?(?:\s+stop\s+(?P<sl>[\d.]+))?",
            r"(?P<pair>\S+) goes (?P<direction>long|short)",
        ]
    )
    custom = AlertParser(templates)
    alert = custom.parse("Signal: BUY BTCUSDT at 45000 targets 46000, 47000 stop 44000")
    assert alert.format == "template:0"
    assert (alert.symbol.pair, alert.entry, alert.take_profit, alert.stop_loss) == (
        "BTC/USDT",
        45000,
        (46000, 47000),
        44000,
    )
    assert custom.parse("ETHUSDT goes short").format == "template:1"
    assert custom.parse("ETH/USDT SELL").format == "simple"
    with pytest.raises(ValidationError, match="not above entry"):
        custom.parse("Signal: BUY BTCUSDT at 45000 targets 44000")


text_alerts = st.builds(
    lambda pair, word, entry, tp, sl, junk: f"{pair} {word} @ {entry} TP: {tp} SL: {sl}{junk}",
    st.sampled_from(["BTC/USDT", "ETHUSDT", "BINANCE:SOLUSDT.P", "x", "{{ticker}}", ""]),
    st.sampled_from(["LONG", "short", "Buy", "SELL", "hold", ""]),
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=8)),
    st.one_of(st.floats(allow_nan=True), st.integers(), st.text(max_size=8)),
    st.one_of(st.floats(allow_nan=True), st.integers(), st.text(max_size=8)),
    st.text(max_size=20),
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=300), text_alerts))
def test_no_exception_but_validation_escapes_on_arbitrary_text(body):
    try:
        alert = parse(body)
    except ValidationError:
        return
    for price in (alert.entry, alert.stop_loss, *alert.take_profit):
        assert price is None or (math.isfinite(price) and price > 0)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
json_alerts = st.dictionaries(
    st.sampled_from(
        [
            "ticker",
            "symbol",
            "action",
            "side",
            "price",
            "tp",
            "sl",
            "takeProfit",
            "strategy",
            "qty",
            "id",
            "passphrase",
            "message",
            "tp1",
            "close",
        ]
    ),
    json_values,
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(json_alerts, json_values))
def test_no_exception_but_validation_escapes_on_arbitrary_json(document):
    body = json.dumps(document)  # NaN, Infinity and huge integers included on purpose
    try:
        alert = parse(body)
    except ValidationError:
        return
    if alert.entry is not None and alert.direction.is_bullish:
        assert all(tp > alert.entry for tp in alert.take_profit)
