"""In-memory TapeSink (port: tradewire.capture.browser.receiver.TapeSink)."""

from __future__ import annotations

from tradewire.core.errors import RetryableError
from tradewire.tape.normalise import batch_symbol
from tradewire.tape.schema import decode_scraped


class MemoryTapeSink:
    """Keeps each print once, by what the page shows of it; can be told to fail or stop."""

    def __init__(self) -> None:
        self.prints: dict[tuple, dict[str, object]] = {}
        self.failures = 0
        self.running = True

    async def __call__(
        self, payload: dict[str, object], *, account: str, source: str, received_ns: int
    ) -> None:
        batch = decode_scraped(
            payload, source=source, received_ns=received_ns, default_account=account
        )
        if not self.running:
            raise RetryableError("the tape sink is stopped", retry_after=1)
        if self.failures:
            self.failures -= 1
            raise RetryableError("tape store unavailable; resend the batch", retry_after=1)
        symbol = batch_symbol(batch)
        for p in batch.prints:
            key = (symbol, p.account, p.timestamp, p.price, p.size, p.accumulated_volume)
            self.prints.setdefault(key, {"symbol": symbol, "account": p.account})
