"""Benchmark: what one price event costs the trade manager with its trigger index, against
scanning every open position on every check as the seed did (every 100 ms), in the same run.

Setup: 10,000 open positions over 100 symbols (100 accounts, one position in each symbol), each
opened by a signal through the real trade manager and paper venue (memory journal), with a stop
2–10 % away and 1–3 take-profits 2–15 % away. Then, for ``--events`` quiet price events (a
random symbol within ±0.5 % of its base, so nothing is crossed), the two approaches take turns
on the same event:

* ours: ``TradeManager.on_price`` — the move's bisection in the trigger index, trailing stops,
  and the paper venue's marking and resting orders;
* scan: every open position, its symbol's last price compared with its stop and each target.

The scan is timed over Decimal levels (as trading holds them) and over floats (as the seed's
JavaScript compared them), and over only the event's symbol's positions (a filter the seed did
not have). Last, moves that cross k take-profits at once (k fresh positions on one of the 100
symbols, opened again before each repetition) show what firing costs: placing k exits, filling
them, journaling and publishing every event. Prints a table of p50/p99 µs per event and writes
bench/results/trigger_index.json.

Run: .venv/bin/python bench/trigger_index.py [--events 5000] [--seed 15]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tradewire.core.clock import TestClock
from tradewire.core.events import AlertSource, Direction, Side, Signal
from tradewire.core.prices import PriceTick
from tradewire.trading.account import AccountSettings
from tradewire.trading.config import PaperSettings
from tradewire.trading.events import TradingEvent
from tradewire.trading.instruments import Instrument, InstrumentBook, InstrumentKind
from tradewire.trading.journal import MemoryTradeJournal
from tradewire.trading.manager import TradeManager
from tradewire.trading.venues.paper import PaperVenue

RESULTS = Path(__file__).resolve().parent / "results"
SYMBOLS = [f"S{n:03}/USDT" for n in range(100)]
ACCOUNTS = [f"acct-{n:03}" for n in range(100)]
TICK = Decimal("0.01")
SETTINGS = AccountSettings(risk_percent=Decimal("0.5"), max_notional_percent=Decimal(5))
BURSTS = {1: 40, 10: 30, 100: 10}  # k positions crossed: repetitions


@dataclass(frozen=True, slots=True)
class Watched:
    """A position as the seed's monitor held it: the pair, the side, the stop, the targets."""

    symbol: str
    long: bool
    stop: Decimal | float
    targets: tuple[Decimal | float, ...]


def scan(positions: list[Watched], prices: dict[str, Decimal | float]) -> list[tuple[Watched, int]]:
    """The seed's check: every position against its symbol's price; -1 is the stop."""
    hits = []
    for position in positions:
        price = prices[position.symbol]
        if position.long:
            if price <= position.stop:
                hits.append((position, -1))
                continue
            hits += [(position, n) for n, t in enumerate(position.targets) if price >= t]
        else:
            if price >= position.stop:
                hits.append((position, -1))
                continue
            hits += [(position, n) for n, t in enumerate(position.targets) if price <= t]
    return hits


class Rig:
    """A paper venue and a trade manager over a memory journal, as the service wires them."""

    def __init__(self) -> None:
        self.clock = TestClock()
        instruments = InstrumentBook(
            tuple(
                Instrument(
                    symbol=symbol,
                    kind=InstrumentKind.CRYPTO_PERP,
                    quote_currency="USDT",
                    tick_size=TICK,
                    step_size=Decimal("0.001"),
                    min_qty=Decimal("0.001"),
                )
                for symbol in SYMBOLS
            )
        )
        journal = MemoryTradeJournal()
        paper = PaperSettings(balances={"USDT": Decimal(1_000_000)})
        self.venue = PaperVenue(paper, instruments, journal, self._publish, self.clock)
        self.manager = TradeManager(self.venue, instruments, journal, self._publish, self.clock)
        self.published = 0
        self.signals = 0

    async def _publish(self, event: TradingEvent) -> None:
        self.published += 1
        await self.manager.on_event(event)

    def tick(self, symbol: str, price: Decimal) -> PriceTick:
        self.clock.advance(0.001)
        now = self.clock.now_ns()
        return PriceTick(ts_event=now, ts_init=now, symbol=symbol, price=price, source="bench")

    async def open(self, account: str, symbol: str, long: bool, stop: float, targets) -> None:
        """Open a position by a signal at market, as a follower's account would."""
        self.signals += 1
        signal_id = f"sig-{self.signals}"
        signal = Signal(
            ts_event=1,
            ts_init=1,
            id=signal_id,
            alert_id=signal_id,
            pair=symbol,
            direction=Direction.BUY if long else Direction.SELL,
            raw_text="",
            format="bench",
            source=AlertSource.WEBHOOK,
            dedupe_key=signal_id,
            stop_loss=stop,
            take_profit=tuple(targets),
            side=Side.LONG if long else Side.SHORT,
        )
        handled = await self.manager.on_signal(account, SETTINGS, signal)
        assert handled.action.value == "opened", handled.reason


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000

    return {"p50_us": at(0.50), "p99_us": at(0.99), "n": len(ordered)}


async def run(events: int, seed: int) -> dict:
    rng = random.Random(seed)
    rig = Rig()
    base = {symbol: Decimal(100 + n) for n, symbol in enumerate(SYMBOLS)}
    started = time.perf_counter()
    for symbol, price in base.items():
        await rig.manager.on_price(rig.tick(symbol, price))
    for account in ACCOUNTS:
        for symbol in SYMBOLS:
            price, long = float(base[symbol]), rng.random() < 0.5
            sign = 1 if long else -1
            stop = round(price * (1 - sign * rng.uniform(0.02, 0.10)), 2)
            targets = [
                round(price * (1 + sign * rng.uniform(0.02, 0.15)), 2)
                for _ in range(rng.randint(1, 3))
            ]
            await rig.open(account, symbol, long, stop, targets)
    setup_s = time.perf_counter() - started
    book = rig.manager.brackets
    watched = [
        Watched(b.plan.symbol, b.plan.side is Side.LONG, b.stop, b.plan.take_profits)
        for b in book.brackets.values()
        if b.stop is not None
    ]
    triggers = len(book.index)
    assert len(watched) == len(ACCOUNTS) * len(SYMBOLS)
    prices: dict[str, Decimal | float] = dict(base)
    # The seed compared JavaScript numbers: the same scan over floats, to be fair to it.
    floats = [
        Watched(w.symbol, w.long, float(w.stop), tuple(map(float, w.targets))) for w in watched
    ]
    float_prices: dict[str, Decimal | float] = {s: float(p) for s, p in base.items()}

    # Quiet events: each approach takes the same event, in turn.
    ours, full, full_floats, by_symbol = [], [], [], []
    by_symbol_positions = {s: [w for w in watched if w.symbol == s] for s in SYMBOLS}
    fired_before = rig.published
    gc.collect()
    for _ in range(events):
        symbol = rng.choice(SYMBOLS)
        move = Decimal(rng.randint(-50, 50)) / 10_000  # within ±0.5 %
        price = (base[symbol] * (1 + move)).quantize(TICK)
        tick = rig.tick(symbol, price)
        t0 = time.perf_counter_ns()
        await rig.manager.on_price(tick)
        t1 = time.perf_counter_ns()
        prices[symbol] = price
        hits = scan(watched, prices)
        t2 = time.perf_counter_ns()
        scan(by_symbol_positions[symbol], prices)
        t3 = time.perf_counter_ns()
        float_prices[symbol] = float(price)
        t4 = time.perf_counter_ns()
        float_hits = scan(floats, float_prices)
        t5 = time.perf_counter_ns()
        assert not hits and not float_hits
        ours.append(t1 - t0)
        full.append(t2 - t1)
        by_symbol.append(t3 - t2)
        full_floats.append(t5 - t4)
    quiet_fired = rig.published - fired_before

    # Bursts: k fresh longs on one symbol, each with one take-profit at +1 %; one move to it.
    bursts = []
    symbol = SYMBOLS[0]
    level = float(base[symbol]) * 1.01
    for k, repetitions in BURSTS.items():
        samples, scans = [], []
        for rep in range(repetitions):
            await rig.manager.on_price(rig.tick(symbol, base[symbol]))
            prices[symbol] = base[symbol]
            names = [f"burst-{k}-{rep}-{n}" for n in range(k)]
            for account in names:
                await rig.open(account, symbol, True, float(base[symbol]) * 0.95, [level])
            burst = [Watched(symbol, True, base[symbol] * Decimal("0.95"), (Decimal(str(level)),))]
            everyone = watched + burst * k
            tick = rig.tick(symbol, Decimal(str(level)))
            gc.collect()
            t0 = time.perf_counter_ns()
            await rig.manager.on_price(tick)
            t1 = time.perf_counter_ns()
            prices[symbol] = tick.price
            hits = scan(everyone, prices)
            t2 = time.perf_counter_ns()
            assert len(hits) == k
            for account in names:
                assert await rig.venue.positions(account) == []
            samples.append(t1 - t0)
            scans.append(t2 - t1)
        ours_k = percentiles(samples)
        bursts.append(
            {
                "k": k,
                "ours": ours_k,
                "ours_per_position_p50_us": ours_k["p50_us"] / k,
                "scan_detect_only": percentiles(scans),
            }
        )
    return {
        "positions": len(watched),
        "symbols": len(SYMBOLS),
        "triggers_indexed": triggers,
        "setup_s": round(setup_s, 1),
        "quiet_events": events,
        "quiet_events_fired": quiet_fired,
        "ours": percentiles(ours),
        "scan_all": percentiles(full),
        "scan_all_floats": percentiles(full_floats),
        "scan_symbol": percentiles(by_symbol),
        "bursts": bursts,
    }


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--events", type=int, default=5000)
    args.add_argument("--seed", type=int, default=15)
    opts = args.parse_args()
    result = asyncio.run(run(opts.events, opts.seed))
    ours = result["ours"]
    for name in ("scan_all", "scan_all_floats", "scan_symbol"):
        other = result[name]
        other["ratio_p50"] = other["p50_us"] / ours["p50_us"]
        other["ratio_p99"] = other["p99_us"] / ours["p99_us"]

    console = Console()
    table = Table(
        title=f"µs per quiet price event, {result['positions']:,} positions over "
        f"{result['symbols']} symbols ({result['triggers_indexed']:,} triggers), "
        f"{result['quiet_events']:,} events"
    )
    for column in ("approach", "p50 µs", "p99 µs", "p50 × ours", "p99 × ours"):
        table.add_column(column, justify="left" if column == "approach" else "right")
    table.add_row("ours: TradeManager.on_price", f"{ours['p50_us']:.1f}", f"{ours['p99_us']:.1f}")
    for name, label in (
        ("scan_all", "scan every position (seed)"),
        ("scan_all_floats", "scan every position, floats"),
        ("scan_symbol", "scan the symbol's positions"),
    ):
        row = result[name]
        table.add_row(
            label,
            f"{row['p50_us']:.1f}",
            f"{row['p99_us']:.1f}",
            f"{row['ratio_p50']:.0f}×",
            f"{row['ratio_p99']:.0f}×",
        )
    console.print(table)
    bursts = Table(title="µs per event that crosses k take-profits (ours: exits placed and filled)")
    for column in ("k", "reps", "ours p50", "ours p99", "per position p50", "scan p50 (detect)"):
        bursts.add_column(column, justify="right")
    for burst in result["bursts"]:
        bursts.add_row(
            str(burst["k"]),
            str(burst["ours"]["n"]),
            f"{burst['ours']['p50_us']:.0f}",
            f"{burst['ours']['p99_us']:.0f}",
            f"{burst['ours_per_position_p50_us']:.0f}",
            f"{burst['scan_detect_only']['p50_us']:.0f}",
        )
    console.print(bursts)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "trigger_index.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
