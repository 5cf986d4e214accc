"""Properties of intent: an exit is never read as an entry, whatever the field order, letter
case or spacing; and a body the parser cannot read whole is rejected, never half-read."""

from __future__ import annotations

import json
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tradewire.alerts import AlertParser, decode_json
from tradewire.core.errors import ValidationError
from tradewire.core.events import Intent

parser = AlertParser()
EXITS = (Intent.CLOSE, Intent.REDUCE)


def read(body: str):
    return parser.parse(body, decode_json(body))


def spelled(word: str, draw_case: list[bool]) -> str:
    """``word`` with each letter's case set by ``draw_case`` (cycled)."""
    return "".join(
        c.upper() if draw_case[i % len(draw_case)] else c.lower() for i, c in enumerate(word)
    )


# JSON exits of a long (sell) or a short (buy): each list names the fields that make it one.
JSON_EXITS = [
    ("sell", "long", {"prev_position": "long"}),
    ("buy", "short", {"prev_position": "short"}),
    ("sell", "long", {"tradeType": "Close"}),
    ("buy", "short", {"tradeType": "Close"}),
    ("sell", "long", {"marketPosition": "flat", "prevMarketPosition": "long"}),
    ("buy", "short", {"marketPosition": "flat"}),
    ("sell", "long", {"marketPosition": "long", "prevMarketPosition": "long", "contracts": "1"}),
    ("buy", "short", {"positionSize": "0", "prevMarketPosition": "short"}),
    ("sell", "long", {"sentiment": "flat", "quantity": "3"}),
    ("sell", "long", {"strategy": {"order_action": "sell", "strategy_action": "exit"}}),
    ("exit_long", "long", {}),
    ("CloseShort", "short", {}),
]


@settings(max_examples=300, deadline=None)
@given(
    case=st.sampled_from(JSON_EXITS),
    order_seed=st.integers(0, 10_000),
    cases=st.lists(st.booleans(), min_size=1, max_size=6),
    indent=st.sampled_from([None, 0, 2, 4]),
    separators=st.sampled_from([(",", ":"), (", ", ": "), (" ,  ", " :  ")]),
    price=st.one_of(st.none(), st.decimals(min_value=1, max_value=100_000, places=2)),
)
def test_no_json_exit_becomes_an_entry(case, order_seed, cases, indent, separators, price):
    action, closes, extra = case
    document: dict[str, object] = {"ticker": "BTCUSDT", "action": spelled(action, cases)}
    for key, value in extra.items():
        key = spelled(key, cases[::-1])
        document[key] = spelled(value, cases) if isinstance(value, str) else value
    if price is not None:
        document["price"] = str(price)
    items = list(document.items())
    random.Random(order_seed).shuffle(items)
    kwargs = {"indent": indent} if indent is not None else {"separators": separators}
    body = json.dumps(dict(items), **kwargs)
    try:
        alert = read(body)
    except ValidationError:
        return
    assert alert.intent in EXITS, body
    assert alert.side is None or alert.side.value == closes, body


TEXT_EXITS = [
    ("{pair} {word}", "close long", "long"),
    ("{pair} {word}", "exit-short", "short"),
    ("{pair} {word}", "CLOSE_LONG", "long"),
    ("60123456789,{word},EURUSD", "closelong", "long"),
    ("60123456789,{word},EURUSD", "closeshort", "short"),
    ("Strat: order {word} @ 2 filled on BTCUSDT. New strategy position is 0", "sell", "long"),
    ("Strat: order {word} @ 1 filled on BTCUSDT. New strategy position is -1", "buy", "short"),
    ("Strat: order {word} @ 1 filled on BTCUSDT. New strategy position is 1", "sell", "long"),
    ("EXCHANGE=binance\nSYMBOL=BTCUSDT\nSIGNAL={word}\nREDUCE_ONLY=true", "sell", "long"),
]


@settings(max_examples=300, deadline=None)
@given(
    case=st.sampled_from(TEXT_EXITS),
    cases=st.lists(st.booleans(), min_size=1, max_size=6),
    pair=st.sampled_from(["BTC/USDT", "ETHUSDT", "BINANCE:SOLUSDT.P", "NQ1!"]),
    spaces=st.sampled_from([" ", "  ", "\t", " \r\n"]),
    trailing=st.sampled_from(["", "\n", "\r\n", "  "]),
)
def test_no_text_exit_becomes_an_entry(case, cases, pair, spaces, trailing):
    template, word, closes = case
    body = template.format(pair=pair, word=spelled(word, cases)).replace(" ", spaces) + trailing
    try:
        alert = read(body)
    except ValidationError:
        return
    assert alert.intent in EXITS, body
    assert alert.side is None or alert.side.value == closes, body


CORPUS = Path(__file__).parent / "corpus"
READABLE_TEXT = [
    case["body"]
    for path in sorted(CORPUS.glob("*.json"))
    for case in json.loads(path.read_text())
    if "expect" in case and not case["body"].lstrip().startswith("{")
]


@settings(max_examples=300, deadline=None)
@given(
    body=st.sampled_from(READABLE_TEXT),
    junk=st.from_regex(r"[A-Za-z]{2,8} [0-9]{1,5}(\.[0-9]{1,2})?", fullmatch=True),
    where=st.sampled_from(["end", "line"]),
)
def test_a_body_with_a_part_the_parser_cannot_read_is_rejected_not_half_read(body, junk, where):
    before = read(body)
    changed = f"{body} {junk}" if where == "end" else f"{body}\n{junk}"
    try:
        after = read(changed)
    except ValidationError:
        return
    # Accepted only if the extra part was read as something: then nothing else was dropped.
    assert after != before or junk.split()[0].lower() in ("tp", "sl", "stop", "entry"), changed
    assert after.symbol == before.symbol and after.intent == before.intent, changed


def test_a_channel_exit_with_levels_is_rejected_not_read_as_an_entry():
    # Found by the property below: a trailing level once turned "Close … long" into an open.
    for body in ("Close BTCUSDT long\nTP 1", "BTCUSDT close long\nTarget 1: 46000"):
        try:
            parsed = read(body)
        except ValidationError as exc:
            assert "exit" in exc.message
        else:
            raise AssertionError(f"{body!r} read as {parsed.intent} {parsed.side}")
    assert read("Close BTCUSDT long").intent is Intent.CLOSE
