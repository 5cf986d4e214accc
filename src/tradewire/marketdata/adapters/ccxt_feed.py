"""Crypto prices from an exchange's public market data through ccxt.

Each pair is followed on its own. Where ccxt.pro covers the exchange, its WebSocket is watched
(``watch_trades``: every trade, or ``watch_ticker``: the last price); when the stream fails, the
REST ticker (``fetch_ticker``) is polled every ``poll_interval_s`` until the next reconnect,
which comes ``reconnect_min_s`` after the failure, doubling with each failure in a row up to
``reconnect_max_s`` (a message on the stream resets it). An exchange ccxt.pro does not cover,
``stream=False``, or a pair whose stream the exchange does not offer, is polled only.
Ticks carry the pair as tradewire names it (``BTC/USDT``), whatever the exchange's symbol
(``BTC/USDT:USDT``), and source ``ccxt:<exchange>``; a price that is not a positive finite
number is not a price and is skipped.

ccxt's errors become tradewire's here: network trouble, timeouts, rate limits and outages are
a :class:`RetryableError` (retried as above, the pair's ``failing`` and ``last_error`` say so in
:meth:`CcxtFeed.status` until prices come again); a symbol the exchange does not list, a method
it lacks or refused credentials are a :class:`ConfigError`, which stops that pair (mode
``stopped``, the reason in ``last_error``) and leaves the others running.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import ccxt
import ccxt.async_support as ccxt_async
import ccxt.pro as ccxt_pro
import structlog

from tradewire.core.clock import Clock
from tradewire.core.errors import ConfigError, RetryableError, TradewireError
from tradewire.core.prices import PriceTick
from tradewire.marketdata.feeds.service import Emit
from tradewire.marketdata.feeds.ticks import decimal_price

log = structlog.get_logger(__name__)
MS = 1_000_000
#: Trades ccxt keeps per pair between reads (it keeps 1,000 unless told).
TRADES_KEPT = 100
#: ccxt errors that mean the configuration is wrong, not that the exchange is unwell.
_CONFIG_ERRORS = (ccxt.BadSymbol, ccxt.NotSupported, ccxt.AuthenticationError)


def open_exchange(
    exchange_id: str, *, stream: bool, timeout_s: float, urls: Mapping[str, Any] | None = None
) -> ccxt_async.Exchange:
    """The ccxt client of ``exchange_id``: ccxt.pro's where it has one and ``stream`` is wanted,
    else the REST client; ``urls`` are merged into ccxt's own."""
    module = ccxt_pro if stream and exchange_id in ccxt_pro.exchanges else ccxt_async
    if exchange_id not in module.exchanges:
        raise ConfigError(f"TRADEWIRE_PRICES__CCXT__EXCHANGE: ccxt has no exchange {exchange_id!r}")
    config: dict[str, Any] = {
        "enableRateLimit": True,
        "timeout": int(timeout_s * 1000),
        "newUpdates": True,
        "options": {"tradesLimit": TRADES_KEPT},
    }
    if urls:
        config["urls"] = dict(urls)
    return getattr(module, exchange_id)(config)


def translate(exc: ccxt.BaseError, exchange_id: str) -> TradewireError:
    """ccxt's error as tradewire's, by what the feed should do about it."""
    message = f"{exchange_id}: {type(exc).__name__}: {str(exc)[:300]}"
    if isinstance(exc, _CONFIG_ERRORS):
        return ConfigError(message)
    return RetryableError(message)


@dataclass(slots=True)
class PairState:
    """How one pair is followed: ``mode`` is starting, stream, poll or stopped."""

    symbol: str
    mode: str = "starting"
    #: Prices read from the exchange, and those the price service took as new.
    ticks: int = 0
    published: int = 0
    errors: int = 0
    last_error: str | None = None
    #: Stream failures since the stream last delivered; they set the reconnect delay.
    failures: int = 0
    #: Whether reading prices failed last time (REST, or loading the markets), so that none
    #: come now; cleared by the next price read. A lost stream alone is not: polling goes on.
    failing: bool = False
    #: False once the exchange said it offers no stream for the pair: poll only.
    stream: bool = True


class CcxtFeed:
    """Follow ``pairs`` (tradewire pair → exchange symbol) on one exchange."""

    def __init__(
        self,
        exchange: ccxt_async.Exchange,
        pairs: Mapping[str, str],
        clock: Clock,
        *,
        channel: Literal["trades", "ticker"] = "trades",
        poll_interval_s: float = 2.0,
        reconnect_min_s: float = 1.0,
        reconnect_max_s: float = 60.0,
    ) -> None:
        self._exchange = exchange
        self._clock = clock
        self._channel = channel
        self._poll_interval_s = poll_interval_s
        self._reconnect = (reconnect_min_s, reconnect_max_s)
        self.name = f"ccxt:{exchange.id}"
        self.streams = bool(
            exchange.has.get("watchTrades" if channel == "trades" else "watchTicker")
        )
        self.pairs = {pair: PairState(symbol) for pair, symbol in pairs.items()}

    async def run(self, emit: Emit) -> None:
        """Load the exchange's markets (retrying), then follow every pair it lists."""
        try:
            markets = await self._retry_forever(self._exchange.load_markets)
        except ConfigError as exc:
            for pair, state in self.pairs.items():
                self._stop(pair, state, exc)
            return
        async with asyncio.TaskGroup() as group:
            for pair, state in self.pairs.items():
                if state.symbol in markets:
                    group.create_task(self._follow(pair, state, emit), name=f"{self.name} {pair}")
                else:
                    self._stop(
                        pair,
                        state,
                        ConfigError(
                            f"{self._exchange.id} lists no market {state.symbol!r} (for {pair}): "
                            "check TRADEWIRE_PRICES__CCXT__SYMBOL_MAP"
                        ),
                    )

    async def aclose(self) -> None:
        """Close the exchange's connections and HTTP session."""
        await self._exchange.close()

    def status(self) -> dict[str, object]:
        """Each pair's exchange symbol, mode (starting, stream, poll, stopped), prices read
        (``ticks``) and taken as new (``published``), whether it is failing now, its errors, and
        the delay before the next stream reconnect (while the stream is down)."""
        return {
            "name": self.name,
            "channel": self._channel,
            "streams": self.streams,
            "pairs": {
                pair: {
                    "symbol": s.symbol,
                    "mode": s.mode,
                    "ticks": s.ticks,
                    "published": s.published,
                    "failing": s.failing,
                    "errors": s.errors,
                    "last_error": s.last_error,
                    "stream_failures": s.failures,
                    "reconnect_in_s": self._delay(s.failures) if s.failures else None,
                }
                for pair, s in self.pairs.items()
            },
        }

    # --- following a pair --------------------------------------------------------------------

    async def _follow(self, pair: str, state: PairState, emit: Emit) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                deadline = None
                if self.streams and state.stream:
                    state.mode = "stream"
                    try:
                        await self._stream(pair, state, emit)
                    except RetryableError as exc:
                        state.failures += 1
                        self._stream_lost(pair, state, exc)
                        deadline = loop.time() + self._delay(state.failures)
                    except ConfigError as exc:
                        # No stream for this pair (a market type ccxt.pro does not cover):
                        # REST can still price it; if the symbol is wrong, polling says so.
                        state.stream = False
                        self._stream_lost(pair, state, exc)
                state.mode = "poll"
                await self._poll(pair, state, emit, deadline)
        except ConfigError as exc:
            self._stop(pair, state, exc)
        except Exception as exc:  # a bug (ours or ccxt's) stops this pair, not its siblings
            log.exception("price feed failed for a pair", feed=self.name, pair=pair)
            self._stop(pair, state, TradewireError(f"internal error: {type(exc).__name__}: {exc}"))

    async def _stream(self, pair: str, state: PairState, emit: Emit) -> None:
        watch = (
            self._exchange.watch_trades
            if self._channel == "trades"
            else self._exchange.watch_ticker
        )
        while True:
            update = await self._call(watch, state.symbol)
            state.failures = 0
            if self._channel == "ticker":
                self._emit(pair, state, emit, update.get("last"), update.get("timestamp"))
                continue
            for trade in update:
                self._emit(pair, state, emit, trade.get("price"), trade.get("timestamp"))

    async def _poll(self, pair: str, state: PairState, emit: Emit, deadline: float | None) -> None:
        """Poll the ticker until ``deadline`` (loop time; None: for good)."""
        loop = asyncio.get_running_loop()
        while deadline is None or loop.time() < deadline:
            try:
                ticker = await self._call(self._exchange.fetch_ticker, state.symbol)
            except RetryableError as exc:
                self._failed(pair, state, exc)
            else:
                self._emit(pair, state, emit, ticker.get("last"), ticker.get("timestamp"))
            wait = self._poll_interval_s
            if deadline is not None:
                wait = max(0.0, min(wait, deadline - loop.time()))
            await asyncio.sleep(wait)

    def _emit(self, pair: str, state: PairState, emit: Emit, price: object, stamp: object) -> None:
        if (
            isinstance(price, bool)
            or not isinstance(price, int | float)
            or not math.isfinite(price)
            or price <= 0
        ):
            return  # a ticker before the first trade, a market that has none, or nonsense
        now = self._clock.now_ns()
        ts_event = now  # an exchange that does not say when: as read
        if isinstance(stamp, int | float) and math.isfinite(stamp) and stamp > 0:
            ts_event = int(stamp) * MS
        kept = emit(
            PriceTick(
                symbol=pair,
                price=decimal_price(price),
                source=self.name,
                ts_event=ts_event,
                ts_init=now,
            )
        )
        state.ticks += 1
        state.published += kept is not None
        if state.failing:
            state.failing = False
            log.info("price feed recovered", feed=self.name, pair=pair, mode=state.mode)

    # --- errors and retries ------------------------------------------------------------------

    async def _call(self, method: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        try:
            return await method(*args)
        except ccxt.BaseError as exc:
            raise translate(exc, self._exchange.id) from exc

    async def _retry_forever(self, method: Callable[[], Awaitable[Any]]) -> Any:
        """Call ``method`` until it answers; every pair's status shows each failure."""
        failures = 0
        while True:
            try:
                result = await self._call(method)
            except RetryableError as exc:
                failures += 1
                delay = self._delay(failures)
                for state in self.pairs.values():
                    state.errors += 1
                    state.last_error = exc.message
                    state.failing = True
                log.warning(
                    "exchange not reachable", feed=self.name, error=exc.message, retry_in_s=delay
                )
                await asyncio.sleep(delay)
            else:
                for state in self.pairs.values():
                    state.failing = False
                return result

    def _delay(self, failures: int) -> float:
        first, most = self._reconnect
        return min(most, first * 2 ** max(failures - 1, 0))

    def _stream_lost(self, pair: str, state: PairState, exc: TradewireError) -> None:
        # Not "failing": polling goes on pricing the pair, and says so if it fails too.
        state.errors += 1
        state.last_error = exc.message
        if state.failures <= 1:  # the first failure in a row; the retries are in the status
            log.warning(
                "price stream lost; polling until it reconnects",
                feed=self.name,
                pair=pair,
                error=exc.message,
                retry_in_s=self._delay(state.failures) if state.stream else None,
            )

    def _failed(self, pair: str, state: PairState, exc: TradewireError) -> None:
        state.errors += 1
        state.last_error = exc.message
        if not state.failing:
            state.failing = True
            log.warning(
                "price feed failing", feed=self.name, pair=pair, mode=state.mode, error=exc.message
            )

    def _stop(self, pair: str, state: PairState, exc: TradewireError) -> None:
        state.mode = "stopped"
        state.last_error = exc.message
        log.error("price feed stopped for a pair", feed=self.name, pair=pair, error=exc.message)
