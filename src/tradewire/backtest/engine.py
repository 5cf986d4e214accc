"""Replay bars through a simulated clock and trade a strategy on the paper venue.

The account, the venue and the trade manager are the ones live paper trading uses: orders go
through the execution port, fills and brackets are the venue's and the manager's own, so a
strategy behaves the same in a backtest as on paper. What the replay adds is time and prices:

1. **Time** is a :class:`~.clock.SimulatedClock` set to each bar's time; symbols' bars are
   merged into one timeline, so a portfolio of symbols shares one account.
2. **A bar's prices**, in the order a trader would assume: the open first (a gap from the last
   close fires what it jumps over *at the open*), then the low and the high — low first when
   the bar closed up, high first when it closed down — then the close. Between those points
   the price moves through every trigger level on the way, so a stop or take-profit fills at
   its own level, not at the bar's extreme.
3. **Decisions** are taken after a bar closes, from the bars up to it (:class:`~.strategy.View`
   slices them: the future is not there to read), and executed at the *next* bar's open.

Before ``start`` bars are only history for the strategy (indicator warm-up); nothing trades.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from tradewire.backtest.bars import Bars
from tradewire.backtest.clock import SimulatedClock
from tradewire.backtest.config import BacktestConfig
from tradewire.backtest.model import BacktestResult, RunSettings, TradeRecord
from tradewire.backtest.report import compute_metrics, periods_per_year
from tradewire.backtest.strategy import EquityFraction, Hold, Intent, Strategy, View
from tradewire.backtest.trades import round_trips
from tradewire.core.errors import RejectError, ValidationError
from tradewire.core.events import AlertSource, Direction, Side, Signal
from tradewire.core.events import Intent as SignalIntent
from tradewire.core.ids import new_id, stable_id
from tradewire.core.prices import PriceTick
from tradewire.trading.config import PaperSettings
from tradewire.trading.events import (
    AccountUpdated,
    PositionChanged,
    PositionClosed,
    PositionOpened,
    TradingEvent,
)
from tradewire.trading.fees import FeeModel
from tradewire.trading.instruments import InstrumentBook
from tradewire.trading.journal import MemoryTradeJournal
from tradewire.trading.manager import TradeManager
from tradewire.trading.model import OrderRequest, Position
from tradewire.trading.money import BPS, floor_div, to_decimal
from tradewire.trading.ports import OrderRefused
from tradewire.trading.triggers import TriggerIndex
from tradewire.trading.venues.paper import PaperVenue

ACCOUNT = "backtest"
#: Distinct notes kept in a result (refused orders, unaffordable entries); the rest are counted.
MAX_NOTES = 20
Progress = Callable[[int, int], None]


async def run_backtest(
    bars: Sequence[Bars],
    strategy: Strategy,
    config: BacktestConfig,
    *,
    progress: Progress | None = None,
) -> BacktestResult:
    """Replay ``bars`` (one series per symbol), trade ``strategy``'s intents and return the
    result. Raise :class:`ValidationError` when there is nothing to replay."""
    return await _Replay(bars, strategy, config, progress).run()


@dataclass(slots=True)
class _Symbol:
    bars: Bars
    #: The first bar inside the trading window.
    first: int
    #: The strategy's decision after each bar, when it decides a whole series at once.
    decisions: Sequence[Intent | None] | None = None
    next: int = 0
    pending: Intent | None = None
    #: The last bar replayed, and the last bar the venue was marked to.
    last: int = -1
    marked: int = -1

    #: The closes as exact decimals (each float's shortest repr), converted once.
    closes: list[Decimal] = field(default_factory=list)

    #: The bars' times as Python ints (compared once per bar).
    times: list[int] = field(default_factory=list)

    def close_of(self, i: int) -> Decimal:
        return self.closes[i]

    def busy(self, index: TriggerIndex) -> bool:
        """Whether the next bar has anything to do besides moving the mark: an intent to
        execute, or a trigger on the symbol to walk its prices past."""
        return self.next >= self.first and (
            self.pending is not None or index.watches(self.bars.symbol)
        )

    def skip(self) -> bool:
        """Take a bar that only moves the mark (taken lazily: the equity reads the close,
        the venue is marked before the next order); return whether it was traded."""
        i = self.next
        self.next += 1
        if i >= self.first:
            self.last = i
            return True
        return False

    def prices_of(self, i: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """Return bar ``i``'s open, high, low and close as exact decimals."""
        bars = self.bars
        return (
            to_decimal(float(bars.open[i])),
            to_decimal(float(bars.high[i])),
            to_decimal(float(bars.low[i])),
            self.closes[i],
        )


class _Replay:
    def __init__(
        self,
        bars: Sequence[Bars],
        strategy: Strategy,
        config: BacktestConfig,
        progress: Progress | None,
    ) -> None:
        self._strategy = strategy
        self._config = config
        self._progress = progress
        self._run_id = new_id()
        self._clock = SimulatedClock()
        self._instruments = InstrumentBook(config.instruments)
        self._others = {series.symbol: series.window(None, config.end_ns) for series in bars}
        self._symbols = self._load(bars)
        fees = FeeModel(maker_bps=config.fee_bps, taker_bps=config.fee_bps)
        paper = PaperSettings(
            balances={config.currency: config.cash}, fees=fees, slippage=config.slippage
        )
        journal = MemoryTradeJournal()
        # Ids numbered in order: a replay's ids are the same each time it runs.
        numbers = itertools.count(1)
        self._venue = PaperVenue(
            paper,
            self._instruments,
            journal,
            self._on_event,
            self._clock,
            ids=lambda: f"{next(numbers):010d}",
        )
        self._manager = TradeManager(self._venue, self._instruments, journal, _discard, self._clock)
        self._index = self._manager.brackets.index
        #: The score and targets of each entry, by its client order id.
        self._entries: dict[str, Intent] = {}
        self._notes: list[str] = []
        self._cash = config.cash
        self._held: dict[str, Position] = {}
        #: Each held symbol with its position's value per unit of price and its cost, scaled.
        self._valued: dict[str, tuple[_Symbol, Decimal, Decimal]] = {}

    def _load(self, bars: Sequence[Bars]) -> dict[str, _Symbol]:
        config = self._config
        symbols: dict[str, _Symbol] = {}
        for series in bars:
            if series.symbol in symbols:
                raise ValidationError(f"{series.symbol} is loaded twice")
            kept = series.window(None, config.end_ns)
            start = 0
            if config.start_ns is not None:
                start = int(np.searchsorted(kept.ts, config.start_ns, side="left"))
            if start >= len(kept):
                continue
            try:
                currency = self._instruments.get(series.symbol).quote_currency
            except RejectError as exc:
                raise ValidationError(exc.message) from exc
            if currency != config.currency:
                raise ValidationError(
                    f"{series.symbol} is quoted in {currency}, the account in {config.currency}"
                )
            if not np.isfinite(kept.close).all():
                raise ValidationError(f"{series.symbol} has a close that is not a number")
            # The closes as the marks' exact decimals (shortest reprs), converted once.
            closes = [Decimal(text) for text in map(repr, kept.close.tolist())]
            symbols[series.symbol] = _Symbol(
                bars=kept, first=start, closes=closes, times=kept.ts.tolist()
            )
        if not symbols:
            raise ValidationError("no bars in the requested period")
        return symbols

    # --- the replay -------------------------------------------------------------------------

    async def run(self) -> BacktestResult:
        started = time.perf_counter()
        await self._decide_ahead()
        timeline = np.unique(np.concatenate([s.bars.ts for s in self._symbols.values()]))
        start_ns = int(min(s.bars.ts[s.first] for s in self._symbols.values()))
        equity_ts: list[int] = []
        equity: list[Decimal] = []
        exposed = 0
        total = len(timeline)
        step = max(total // 200, 1)
        symbols = list(self._symbols.values())
        for n, ts in enumerate(timeline.tolist()):
            self._clock.set(ts)
            traded = False
            for symbol in symbols:
                if symbol.next < len(symbol.times) and symbol.times[symbol.next] == ts:
                    if symbol.busy(self._index):
                        traded |= await self._bar(symbol)
                    else:
                        traded |= symbol.skip()
                        self._decide(symbol, symbol.next - 1)
            if traded or ts >= start_ns:
                value, holding = self._equity()
                equity_ts.append(ts)
                equity.append(value)
                exposed += holding
            if self._progress is not None and (n % step == 0 or n == total - 1):
                self._progress(n + 1, total)
        await self._mark_held()
        trades = await self._trades()
        config = self._config
        metrics = compute_metrics(
            trades=trades,
            equity_ts=equity_ts,
            equity=equity,
            start_equity=config.cash,
            exposed_bars=exposed,
            total_bars=len(equity),
            periods_per_year=periods_per_year(timeline),
            buy_and_hold_pct=self._buy_and_hold(),
        )
        settings = RunSettings(
            strategy=self._strategy.name,
            params=dict(getattr(self._strategy, "params", {}) or {}),
            symbols=tuple(self._symbols),
            start_ns=start_ns,
            end_ns=int(timeline[-1]),
            cash=config.cash,
            currency=config.currency,
            fee_bps=config.fee_bps,
            slippage=f"{config.slippage.amount} {config.slippage.unit}",
            source=config.source,
        )
        return BacktestResult(
            id=self._run_id,
            created_ns=time.time_ns(),
            settings=settings,
            metrics=metrics,
            trades=tuple(trades),
            equity_ts=tuple(equity_ts),
            equity=tuple(equity),
            bars=sum(len(s.bars) - s.first for s in self._symbols.values()),
            elapsed_s=time.perf_counter() - started,
            notes=self._summary_notes(),
        )

    async def _decide_ahead(self) -> None:
        """Let a strategy that can decide a whole series at once (``decide_all``) do so, one
        symbol per worker process: each symbol's decisions depend only on its own bars and
        the symbols the strategy names in ``context``, so they can be computed apart."""
        decide_all = getattr(self._strategy, "decide_all", None)
        if decide_all is None:
            return
        wanted = set(getattr(self._strategy, "context", ()))
        others = {name: bars for name, bars in self._others.items() if name in wanted}
        symbols = list(self._symbols.values())
        workers = min(self._config.workers, len(symbols))
        if workers <= 1:
            for symbol in symbols:
                symbol.decisions = decide_all(symbol.bars, others)
            return
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            answers = await asyncio.gather(
                *(loop.run_in_executor(pool, decide_all, s.bars, others) for s in symbols)
            )
        for symbol, decisions in zip(symbols, answers, strict=True):
            symbol.decisions = decisions

    async def _bar(self, symbol: _Symbol) -> bool:
        """Replay one bar of ``symbol`` that has something to execute or a trigger to watch;
        return whether it was inside the trading window."""
        i = symbol.next
        symbol.next += 1
        trading = i >= symbol.first
        if trading:
            symbol.last = i
            await self._prices(symbol, i)
        self._decide(symbol, i)
        return trading

    def _decide(self, symbol: _Symbol, i: int) -> None:
        if i + 1 < symbol.first:
            return
        if symbol.decisions is not None:
            symbol.pending = symbol.decisions[i]
        else:
            symbol.pending = self._strategy.decide(View(symbol.bars.upto(i + 1), self._others))

    async def _prices(self, symbol: _Symbol, i: int) -> None:
        """Walk bar ``i``: the open (and the pending intent), the extremes, the close; the
        extremes only while a trigger is set on the symbol (the walk exists for triggers)."""
        name = symbol.bars.symbol
        open_, high, low, close = symbol.prices_of(i)
        await self._move(name, open_)
        symbol.marked = i  # at its open now: the held symbols' marks below must not move it
        if symbol.pending is not None:
            intent, symbol.pending = symbol.pending, None
            await self._mark_held()
            await self._execute(name, i, intent, open_)
        if not self._index.watches(name):
            await self._move(name, close)  # nothing can fire inside the bar: mark the close
            return
        start = open_
        path = (low, high) if close >= open_ else (high, low)
        for point in (*path, close):
            await self._walk(name, start, point)
            start = point

    async def _mark_held(self) -> None:
        """Mark the venue to the last close of every held symbol it has not seen yet."""
        for name in self._held:
            symbol = self._symbols[name]
            if symbol.marked != symbol.last:
                await self._venue.on_price(self._tick(name, symbol.close_of(symbol.last)))
                symbol.marked = symbol.last

    async def _move(self, name: str, price: Decimal) -> None:
        await self._manager.on_price(self._tick(name, price))

    async def _walk(self, name: str, start: Decimal, end: Decimal) -> None:
        """Move the price from ``start`` to ``end`` stopping at every trigger level between, so
        each fires at its own price."""
        while (level := self._index.next_level(name, start, end)) is not None and level != end:
            await self._move(name, level)
            start = level
        await self._move(name, end)

    def _tick(self, name: str, price: Decimal) -> PriceTick:
        now = self._clock.now_ns()
        return PriceTick(symbol=name, price=price, source="backtest", ts_event=now, ts_init=now)

    async def _on_event(self, event: TradingEvent) -> None:
        """Follow the venue's events: the manager's brackets, and the cash and positions the
        equity curve is marked from."""
        if isinstance(event, AccountUpdated) and event.balance.currency == self._config.currency:
            self._cash = event.balance.cash
        elif isinstance(event, PositionOpened | PositionChanged):
            position = event.position
            self._held[position.symbol] = position
            # Unrealised PnL is linear in the price: sign·(price·qty − cost)·multiplier.
            scale = position.sign * position.multiplier
            symbol = self._symbols[position.symbol]
            self._valued[position.symbol] = (symbol, scale * position.qty, scale * position.cost)
        elif isinstance(event, PositionClosed):
            self._held.pop(event.position.symbol, None)
            self._valued.pop(event.position.symbol, None)
        await self._manager.on_event(event)

    # --- executing intents ------------------------------------------------------------------

    async def _execute(self, name: str, bar: int, intent: Intent, price: Decimal) -> None:
        if isinstance(intent.size, EquityFraction):
            await self._rebalance(name, bar, intent, intent.size, price)
            return
        signal = self._signal(name, bar, intent)
        if intent.hold is not Hold.FLAT:
            self._entries[stable_id(ACCOUNT, signal.id, "entry")] = intent
        handled = await self._manager.on_signal(ACCOUNT, self._config.account, signal)
        if handled.action == "rejected":
            self._notes.append(f"{name}: {handled.reason}")

    def _signal(self, name: str, bar: int, intent: Intent) -> Signal:
        now = self._clock.now_ns()
        signal_id = stable_id(self._run_id, name, bar)
        if intent.hold is Hold.FLAT:
            direction, side, kind = Direction.CLOSE, None, SignalIntent.CLOSE
        else:
            side = Side.LONG if intent.hold is Hold.LONG else Side.SHORT
            direction = Direction.LONG if side is Side.LONG else Direction.SHORT
            kind = SignalIntent.REVERSE
        return Signal(
            id=signal_id,
            alert_id=signal_id,
            pair=name,
            direction=direction,
            raw_text=intent.reason,
            format="backtest",
            source=AlertSource.BACKTEST,
            dedupe_key=signal_id,
            stop_loss=intent.stop,
            take_profit=intent.targets,
            strategy=self._strategy.name,
            intent=kind,
            side=side,
            ts_event=now,
            ts_init=now,
        )

    async def _rebalance(
        self, name: str, bar: int, intent: Intent, size: EquityFraction, price: Decimal
    ) -> None:
        """Hold ``intent.hold`` sized to a fraction of the available equity: close the other
        side first, then open with what the equity buys after the fee."""
        position = self._held.get(name)
        want = None if intent.hold is Hold.FLAT else _side(intent.hold)
        if position is not None and position.side is not want:
            await self._place(name, bar, "exit", position.side.opposite, position.qty, True)
            position = None
        if want is None or position is not None:
            return
        qty = await self._affordable(name, want, size.fraction, price)
        if qty is None:
            self._notes.append(f"{name}: not enough equity for one unit at bar {bar}")
            return
        client_id = await self._place(name, bar, "entry", want, qty, False)
        if client_id is not None:
            self._entries[client_id] = intent

    async def _affordable(
        self, name: str, side: Side, fraction: float, price: Decimal
    ) -> Decimal | None:
        """Return the whole steps ``fraction`` of the available equity buys at ``price`` after
        slippage and the fee (as backtesting.py sizes a fractional order), or None."""
        instrument = self._instruments.get(name)
        taken = self._config.slippage.apply(price, side, instrument)
        per_unit = taken * instrument.multiplier * (1 + self._config.fee_bps / BPS)
        balances = await self._venue.balances(ACCOUNT)
        available = next(b.available for b in balances if b.currency == self._config.currency)
        qty = instrument.round_qty(floor_div(available * to_decimal(fraction), per_unit))
        return qty if qty > 0 and qty >= instrument.min_qty else None

    async def _place(
        self, name: str, bar: int, step: str, side: Side, qty: Decimal, reduce_only: bool
    ) -> str | None:
        client_id = f"{name}:{bar}:{step}"  # one intent per symbol and bar: unique in the run
        request = OrderRequest(
            client_order_id=client_id,
            symbol=name,
            side=side,
            qty=qty,
            reduce_only=reduce_only,
            reason=f"{self._strategy.name}: {'close' if reduce_only else 'open'} a {side}",
        )
        try:
            await self._venue.place(ACCOUNT, request)
        except OrderRefused as exc:
            self._notes.append(f"{name}: {exc.message}")
            return None
        return client_id

    # --- results ----------------------------------------------------------------------------

    def _equity(self) -> tuple[Decimal, bool]:
        """Return the equity marked to each held symbol's last close, and whether anything is
        held (the venue's own formula: cash plus each position's unrealised PnL)."""
        value = self._cash
        for symbol, per_price, cost in self._valued.values():
            value += per_price * symbol.closes[symbol.last] - cost
        return value, bool(self._valued)

    async def _trades(self) -> list[TradeRecord]:
        venue = self._venue
        return round_trips(
            await venue.closed_positions(ACCOUNT),
            await venue.fills(ACCOUNT),
            await venue.orders(ACCOUNT),
            {name: symbol.bars for name, symbol in self._symbols.items()},
            self._entries,
        )

    def _summary_notes(self) -> tuple[str, ...]:
        distinct = list(dict.fromkeys(self._notes))
        if len(distinct) <= MAX_NOTES:
            return tuple(distinct)
        more = len(distinct) - MAX_NOTES
        return (*distinct[:MAX_NOTES], f"… and {more} more like these")

    def _buy_and_hold(self) -> float | None:
        returns = [
            float(s.bars.close[-1] / s.bars.open[s.first] - 1) * 100 for s in self._symbols.values()
        ]
        return sum(returns) / len(returns) if returns else None


def _side(hold: Hold) -> Side:
    return Side.LONG if hold is Hold.LONG else Side.SHORT


async def _discard(_event: TradingEvent) -> None:
    """The manager's own events have no reader in a backtest (the journal keeps them)."""
