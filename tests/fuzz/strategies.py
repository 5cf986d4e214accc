"""Hypothesis strategies for what senders put in front of tradewire: alert bodies as TradingView
and other tools send them (and as a hostile sender would), and scraped tape messages."""

from __future__ import annotations

import json

from hypothesis import strategies as st

PAIRS = ["BTC/USDT", "BINANCE:BTCUSDT.P", "NQ1!", "EURUSD", "ETH-USD", "{{ticker}}", "", "💥"]
WORDS = ["LONG", "SHORT", "BUY", "SELL", "CLOSE", "EXIT", "buy", "long", "flat", "@", "TP:", "SL:"]
KEYS = [
    "ticker", "symbol", "pair", "action", "side", "direction", "price", "entry", "tp", "sl",
    "takeProfit", "stopLoss", "strategy", "qty", "id", "passphrase", "message", "secret",
    "api_key", "password", "tp1", "tp2", "order_action", "market_position", "",
]  # fmt: skip

numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
scalars = st.one_of(
    st.none(), st.booleans(), numbers, st.text(max_size=40), st.sampled_from(PAIRS + WORDS)
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=12)), inner, max_size=8),
    ),
    max_leaves=30,
)


@st.composite
def nested(draw) -> str:
    """JSON nested deeper than any alert: arrays or objects, hundreds of levels."""
    depth = draw(st.integers(min_value=30, max_value=2000))
    if draw(st.booleans()):
        return "[" * depth + "1" + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


text_alerts = st.builds(
    lambda pair, words, values: " ".join([pair, *words, *map(str, values)]),
    st.sampled_from(PAIRS),
    st.lists(st.sampled_from(WORDS), max_size=6),
    st.lists(numbers, max_size=6),
)

#: (body bytes, content type) pairs.
alert_bodies = st.one_of(
    st.tuples(text_alerts.map(str.encode), st.just("text/plain")),
    st.tuples(documents.map(lambda d: json.dumps(d).encode()), st.just("application/json")),
    st.tuples(nested().map(str.encode), st.sampled_from(["application/json", "text/plain"])),
    st.tuples(st.binary(max_size=300), st.sampled_from(["text/plain", "application/json"])),
    st.tuples(
        st.text(max_size=200).map(str.encode),
        st.sampled_from(["text/plain", "application/json", "application/x-www-form-urlencoded"]),
    ),
)

rows = st.fixed_dictionaries(
    {},
    optional={
        "timestamp": st.one_of(st.text(max_size=30), st.just("08:52:25.037 10/8/25"), scalars),
        "price": scalars,
        "size": scalars,
        "accumulatedVolume": scalars,
        "tickDirection": st.one_of(st.sampled_from(["up", "down", ""]), scalars),
        "isHighlighted": scalars,
        "captured_at": st.one_of(st.just("2025-10-08T13:52:25.237Z"), scalars),
        "account": scalars,
        "symbol": scalars,
    },
)

#: Scraped tape messages: mostly the seed's shape, with any field of any type.
tape_messages = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "timestamp": scalars,
            "account": st.one_of(st.just("fuzz"), scalars),
            "tabs": st.one_of(
                st.lists(st.fixed_dictionaries({"symbol": scalars, "isActive": scalars})),
                documents,
            ),
            "contractInfo": st.one_of(
                st.fixed_dictionaries({"name": scalars, "lastPrice": scalars}), documents
            ),
            "trades": st.one_of(st.lists(rows, max_size=20), documents),
        },
    ),
    documents,
)
