"""Secrets are masked in decoded alerts, alert text and log values, however deeply nested."""

import pytest

from tradewire.alerts import decode_json
from tradewire.alerts.redaction import MAX_DEPTH, is_secret_key, redact, redact_text
from tradewire.core.errors import ValidationError

LEAK = "hunter2hunter2xx"


@pytest.mark.parametrize(
    "key",
    [
        "passphrase",
        "secret",
        "token",
        "key",
        "api_key",
        "apiKey",
        "API-KEY",
        "apikey",
        "api_secret",
        "apiSecret",
        "password",
        "Password",
        "webhook_secret",
        "access-token",
        "binance_api_key",
        "Authorization",
    ],
)
def test_secret_keys_in_any_spelling(key):
    assert is_secret_key(key)
    assert redact({"a": [{"b": {key: LEAK}}]}) == {"a": [{"b": {key: "***"}}]}


@pytest.mark.parametrize("key", ["ticker", "action", "tp", "keys", "tokens", "monkey", "author"])
def test_ordinary_keys_are_kept(key):
    assert not is_secret_key(key)
    assert redact({key: "BTC"}) == {key: "BTC"}


def test_documents_keep_their_shape_and_text_values_are_redacted():
    document = {
        "ticker": "BTCUSDT",
        "passphrase": LEAK,
        "nested": {"secret": {"deeper": LEAK}},
        "levels": [1, 2.5, None, True],
        "note": f"sent with token={LEAK}",
    }
    assert redact(document) == {
        "ticker": "BTCUSDT",
        "passphrase": "***",
        "nested": {"secret": "***"},
        "levels": [1, 2.5, None, True],
        "note": "sent with token=***",
    }
    assert redact(("a", f"password: {LEAK}")) == ("a", "password: ***")


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "{'ticker':'BTCUSDT','action':'buy','passphrase':'" + LEAK + "'}",
            "{'ticker':'BTCUSDT','action':'buy','passphrase':'***'}",
        ),
        ('{"passphrase": "' + LEAK + '", broken', '{"passphrase": "***", broken'),
        (f"BTC/USDT BUY passphrase: {LEAK}", "BTC/USDT BUY passphrase: ***"),
        (f"BTC/USDT BUY Passphrase={LEAK} TP: 46000", "BTC/USDT BUY Passphrase=*** TP: 46000"),
        (f"GET /ws?token={LEAK}&x=1", "GET /ws?token=***&x=1"),
        (f"POST /webhook/tradingview/{LEAK} 200", "POST /webhook/tradingview/*** 200"),
        (f"Authorization: Bearer {LEAK}", "Authorization: ***"),
        (
            f"unrecognised text in alert: 'api-key: {LEAK}'",
            "unrecognised text in alert: 'api-key: ***'",
        ),
        ("BTC/USDT LONG @ 45000 TP: 46000 SL: 44500", "BTC/USDT LONG @ 45000 TP: 46000 SL: 44500"),
    ],
)
def test_secret_pairs_in_text_are_masked(text, redacted):
    assert redact_text(text) == redacted


def test_redaction_is_bounded_at_any_depth():
    deep: object = LEAK
    for _ in range(5000):
        deep = [deep]
    masked = redact({"data": deep})
    for _ in range(MAX_DEPTH):
        masked = masked["data"] if isinstance(masked, dict) else masked[0]
    assert masked == "***"


def test_a_document_at_the_depth_limit_is_walked_to_the_bottom():
    document: object = {"token": LEAK, "ticker": "BTC"}
    for _ in range(MAX_DEPTH - 1):
        document = [document]
    masked = redact(document)
    for _ in range(MAX_DEPTH - 1):
        masked = masked[0]
    assert masked == {"token": "***", "ticker": "BTC"}


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_alerts_nested_deeper_than_the_limit_are_refused(opening):
    closing = "]" if opening == "[" else "}"
    at_limit = opening * MAX_DEPTH + "1" + closing * MAX_DEPTH
    assert decode_json(at_limit) is not None
    for depth in (MAX_DEPTH + 1, 300, 1000, 5000):
        with pytest.raises(ValidationError):
            decode_json(opening * depth + "1" + closing * depth)
