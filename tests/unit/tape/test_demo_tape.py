"""The demo's simulated Tradovate tape produces valid, realistic scans."""

import random
import time
from collections import Counter

from tradewire.demo.tape import TapePage
from tradewire.tape.clock import ExchangeClock
from tradewire.tape.normalise import Normaliser
from tradewire.tape.schema import decode_scraped


def test_scans_decode_cleanly_with_repeats_and_rescans():
    rng = random.Random(3)
    page = TapePage("demo", "NQZ5", "E-Mini NASDAQ 100", 25_146.0)
    normaliser = Normaliser(ExchangeClock("America/Chicago"))
    now = time.time_ns()
    seen: set[str] = set()
    rescanned = 0
    for step in range(30):
        page.prints(rng, now + step * 500_000_000, 4)
        msg = page.message(now + step * 500_000_000)
        batch = decode_scraped(msg, source="demo", received_ns=now)
        assert batch.rejected == ()
        trades = normaliser.normalise(batch).trades
        rescanned += sum(1 for t in trades if t.id in seen)
        seen.update(t.id for t in trades)
        assert all(round(t.price * 4) == t.price * 4 for t in trades)  # on the 0.25 tick grid
    assert rescanned > 0
    final = normaliser.normalise(decode_scraped(msg, source="demo", received_ns=now)).trades
    looks = Counter((t.ts_ns, t.price, t.size) for t in final)
    assert max(looks.values()) > 1  # identical prints, told apart by accumulated volume
    assert len({t.id for t in final}) == len(final)
