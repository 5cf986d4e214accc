"""The seed's scraped-data message: row-level rejection, page-text numbers, unusable payloads."""

import pytest

from tradewire.core.errors import ValidationError
from tradewire.tape.schema import decode_scraped

ROW = {
    "timestamp": "08:52:25.037 10/8/25",
    "price": 25146.00,
    "size": 30,
    "accumulatedVolume": 30,
    "tickDirection": "down",
    "isHighlighted": False,
    "account": "user1",
    "captured_at": "2025-10-08T13:52:26.000Z",
}


def message(*trades, **extra) -> dict:
    return {
        "timestamp": "2025-10-08T13:52:26.000Z",
        "account": "user1",
        "tabs": [{"symbol": "NQZ5", "isActive": True}, {"symbol": "ESZ5", "isActive": False}],
        "contractInfo": {"name": "E-Mini NASDAQ 100", "lastPrice": "25,145.50", "totalVolume": 1},
        "trades": list(trades),
        **extra,
    }


def decode(payload, **kw):
    return decode_scraped(payload, source="test", received_ns=1, **kw)


def test_seed_message_decodes_with_its_context():
    batch = decode(message(ROW))
    assert batch.account == "user1"
    assert [t.symbol for t in batch.tabs] == ["NQZ5", "ESZ5"]
    assert batch.tabs[0].is_active
    assert batch.contract.last_price == 25145.5
    (p,) = batch.prints
    assert (p.price, p.size, p.accumulated_volume, p.tick_direction) == (25146.0, 30, 30, "down")
    assert batch.rejected == ()


def test_prices_as_page_text_with_thousands_separators():
    batch = decode(message({**ROW, "price": "25,146.00", "size": "1,200"}))
    assert batch.prints[0].price == 25146.0
    assert batch.prints[0].size == 1200


def test_bad_rows_are_rejected_one_by_one_and_good_rows_kept():
    rows = [
        ROW,
        {**ROW, "price": "abc"},
        {**ROW, "size": 0},
        "not a row",
        {**ROW, "price": True},
        {k: v for k, v in ROW.items() if k != "timestamp"},
        {**ROW, "price": float("nan")},
        {**ROW, "accumulatedVolume": -5},
        {**ROW, "isHighlighted": "maybe"},
        {**ROW, "accumulatedVolume": 31},
    ]
    batch = decode(message(*rows))
    assert [p.accumulated_volume for p in batch.prints] == [30, 31]
    assert [i for i, _ in batch.rejected] == [1, 2, 3, 4, 5, 6, 7, 8]
    reasons = dict(batch.rejected)
    assert "price" in reasons[1]
    assert "size" in reasons[2]
    assert "timestamp" in reasons[5]


def test_account_falls_back_to_the_default_and_rows_inherit_capture_time():
    row = {k: v for k, v in ROW.items() if k not in ("account", "captured_at")}
    batch = decode(message(row, account=None), default_account="tokenuser")
    assert batch.account == "tokenuser"
    assert batch.prints[0].account == "tokenuser"
    assert batch.prints[0].captured_at == "2025-10-08T13:52:26.000Z"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([], "JSON object"),
        ({"trades": []}, "account"),
        (message(account=""), "account"),
        ({**message(), "trades": {"a": 1}}, "trades"),
        ({**message(), "tabs": [{"isActive": True}]}, "tabs"),
        ({**message(), "timestamp": 5}, "timestamp"),
    ],
)
def test_unusable_payloads_raise_with_a_reason(payload, reason):
    with pytest.raises(ValidationError, match=reason):
        decode(payload)
