"""Recent ids answer only inside their horizon; the live buffer keeps the newest per account."""

from tradewire.core.events import TapeTrade
from tradewire.tape.memory import LiveBuffer, RecentIds


def test_recent_ids_cover_only_the_window_and_forget_older_ids():
    recent = RecentIds(window_ns=100)
    recent.advance(1_000)
    assert recent.horizon_ns == 900
    recent.add([("a", 950), ("old", 800), ("b", 990)])
    assert "a" in recent and "old" not in recent
    assert recent.covers(900) and not recent.covers(899)
    recent.advance(1_060)
    assert "a" not in recent and "b" in recent
    recent.advance(500)  # the clock stepping back never widens what memory answers for
    assert recent.horizon_ns == 960


def trade(account: str, n: int) -> TapeTrade:
    return TapeTrade(
        id=f"{account}{n}",
        market_id=str(n),
        ts_ns=n,
        symbol="NQZ5",
        account=account,
        timestamp="",
        price=1.0,
        size=1.0,
    )


def test_buffer_keeps_newest_per_account_and_resizes():
    buffer = LiveBuffer(3)
    buffer.extend(trade("a", n) for n in range(5))
    buffer.extend([trade("b", 10)])
    assert [t.ts_ns for t in buffer.recent(account="a")] == [4, 3, 2]
    assert buffer.fill() == {"a": 3, "b": 1}
    assert [t.ts_ns for t in buffer.recent(limit=2)] == [10, 4]
    buffer.resize(1)
    assert buffer.fill() == {"a": 1, "b": 1}
    assert buffer.recent(symbol="ESZ5") == []
