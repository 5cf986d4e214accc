"""The corpus: real alert bodies from the tools' public documentation, examples and captured
alerts (each cites its source), one file per family under ``corpus/``. Every body must parse
to exactly the meaning recorded for it — pair, direction, intent and side, entries,
take-profits, stop, size and its unit — or be rejected with the recorded reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tradewire.alerts import AlertParser, decode_json
from tradewire.core.errors import ValidationError

CORPUS = Path(__file__).parent / "corpus"
CASES = [
    pytest.param(case, id=f"{path.stem}-{index}")
    for path in sorted(CORPUS.glob("*.json"))
    for index, case in enumerate(json.loads(path.read_text()))
]
parser = AlertParser()


def meaning(body: str) -> dict[str, object]:
    alert = parser.parse(body, decode_json(body))
    return {
        "format": alert.format,
        "pair": alert.symbol.pair,
        "direction": alert.direction.value,
        "intent": alert.intent.value,
        "side": alert.side.value if alert.side else None,
        "entries": list(alert.entries),
        "take_profit": list(alert.take_profit),
        "stop_loss": alert.stop_loss,
        "qty": alert.qty,
        "qty_unit": alert.qty_unit.value if alert.qty_unit else None,
        "levels_from": alert.levels_from,
    }


def test_the_corpus_is_large_and_every_body_cites_its_source() -> None:
    assert len(CASES) >= 100
    for param in CASES:
        assert param.values[0]["source"].strip()


@pytest.mark.parametrize("case", CASES)
def test_every_real_alert_has_its_recorded_meaning(case: dict[str, object]) -> None:
    body = str(case["body"])
    if "reject" in case:
        with pytest.raises(ValidationError) as rejected:
            meaning(body)
        assert rejected.value.message == case["reject"]
    else:
        assert meaning(body) == case["expect"]


def test_every_family_is_in_the_corpus() -> None:
    formats = {c.values[0]["expect"]["format"] for c in CASES if "expect" in c.values[0]}
    assert {
        "tradingview-strategy",
        "octobot",
        "pineconnector",
        "3commas",
        "traderspost",
        "channel",
        "json",
        "standard",
        "simple",
    } <= formats


@pytest.mark.parametrize(
    ("body", "intent", "side"),
    [
        (
            '{"ticker":"EURUSD","action":"sell","prev_position":"long","quantity":"1000"}',
            "close",
            "long",
        ),
        (
            '{"action":"Sell","tradeType":"Close","symbol":"NQ1!","entryPrice":21560.75}',
            "close",
            "long",
        ),
        (
            '{"action":"sell","contracts":"50","marketPosition":"long","positionSize":"100",'
            '"prevMarketPosition":"long","price":"0.2383","symbol":"MANAUSDT.P"}',
            "reduce",
            "long",
        ),
    ],
)
def test_the_exits_of_issue_14_stay_exits(body: str, intent: str, side: str) -> None:
    read = meaning(body)
    assert (read["intent"], read["side"]) == (intent, side)
