"""Duplicate suppression windows and identity."""

from tradewire.alerts import AlertParser, decode_json
from tradewire.signals.dedupe import Deduplicator, identity_key

S = 1_000_000_000


def key(body: str) -> str:
    return identity_key(AlertParser().parse(body, decode_json(body)))


def test_identity_ignores_spelling_case_and_spacing():
    assert key("BTC/USDT LONG @ 45000 TP: 46000 SL: 44500") == key(
        "btcusdt long @ 45,000\r\ntp:46000 sl:44500\r\n"
    )


def test_identity_differs_by_content():
    base = key("BTC/USDT LONG @ 45000 TP: 46000 SL: 44500")
    assert base != key("BTC/USDT LONG @ 45001 TP: 46000 SL: 44500")
    assert base != key("BTC/USDT BUY @ 45000 TP: 46000 SL: 44500")
    assert key("BINANCE:BTCUSDT.P BUY") != key("BTCUSDT BUY")  # perpetual vs spot


def test_an_exit_and_an_entry_are_different_signals():
    entry = key('{"ticker":"BTCUSDT","action":"sell","prev_position":"flat"}')
    exit_long = key('{"ticker":"BTCUSDT","action":"sell","prev_position":"long"}')
    assert entry != exit_long
    assert key("BTC/USDT CLOSE LONG") != key("BTC/USDT CLOSE SHORT") != key("BTC/USDT CLOSE")
    # Whatever fields say it, one exit is one signal.
    assert exit_long == key('{"ticker":"BTCUSDT","action":"sell","tradeType":"close"}')


def test_explicit_id_wins_over_content():
    a = key('{"ticker":"BTCUSDT","action":"buy","id":"A1"}')
    b = key('{"ticker":"ETHUSDT","action":"sell","id":"A1"}')
    c = key('{"ticker":"BTCUSDT","action":"buy","id":"A2"}')
    assert a == b != c


def test_window_expiry():
    dedupe = Deduplicator(window_s=60, id_window_s=3600)
    dedupe.remember("c:x", "sig1", 0)
    assert dedupe.lookup("c:x", 59 * S).signal_id == "sig1"
    assert dedupe.lookup("c:x", 60 * S) is None
    dedupe.remember("id:y", "sig2", 0)
    assert dedupe.lookup("id:y", 3599 * S).signal_id == "sig2"
    assert dedupe.lookup("id:y", 3600 * S) is None
    assert len(dedupe) == 0


def test_zero_window_turns_content_suppression_off():
    dedupe = Deduplicator(window_s=0)
    assert dedupe.remember("c:x", "s", 0) is None
    assert dedupe.lookup("c:x", 0) is None


def test_warm_from_stored_signals():
    dedupe = Deduplicator(window_s=60)
    live = dedupe.warm([("c:old", "s0", 0), ("c:new", "s1", 100 * S)], now_ns=120 * S)
    assert live == 1
    assert dedupe.lookup("c:new", 120 * S).signal_id == "s1"
    assert dedupe.lookup("c:old", 120 * S) is None


def test_rearming_after_expiry_keeps_the_new_entry():
    dedupe = Deduplicator(window_s=10)
    dedupe.remember("c:x", "first", 0)
    assert dedupe.lookup("c:x", 11 * S) is None
    dedupe.remember("c:x", "second", 11 * S)
    assert dedupe.lookup("c:x", 15 * S).signal_id == "second"
