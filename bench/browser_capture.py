"""Browser capture latency and completeness: tradewire's event-driven scripts vs the seed design.

DOM insertion (the page's own clock) → receipt in Python, p50/p99, in real headless Chromium:
- pop-ups, fired by the page's own timers: tradewire (MutationObserver → CDP binding) vs the seed
  (a MutationObserver keeping the latest alert in a window variable, Python polling
  ``page.evaluate`` every 10 ms);
- a burst of 10 alerts within 50 ms: how many each captured (the seed keeps only the last);
- the tape: prints inserted at ``--rate`` per second for ``--seconds``, lost and duplicated, for
  tradewire and for the same 10 ms polling applied to the grid's visible rows; tradewire's tape
  latency split into its stages: in the page (insertion → the script sends), the transport
  (send → the receiver has the message in Python) and the receiver (→ handed to the tape sink).

tradewire runs as a real capture session (launch mode: Playwright for the browser, the session's
direct DevTools websocket for the messages) twice: in its default configuration, and tuned as a
deployment may opt in (every ``TRADEWIRE_TUNING__`` knob on, docs/deployment.md: the launched
browser's message threads and this process's event loop thread real-time, the interpreter tuned;
all given back after that turn). The seed runs in a browser of its own, untuned. The three take
turns, ``--rounds`` times, each alone: one system's browser is closed before the next one's is
launched. A slow spell of the machine (this one is a virtual machine) then falls on all, and
each system's figures pool its rounds. ``--cpu-load`` keeps one core busy in another process for
the whole run.

Run: ``.venv/bin/python bench/browser_capture.py [--seconds 60] [--rate 2000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson
from playwright.async_api import Page, Playwright, async_playwright
from rich.console import Console
from rich.table import Table

from tradewire.capture.browser.receiver import PageReceiver, Screenshot
from tradewire.capture.browser.scripts import ScriptBundle
from tradewire.capture.browser.session import CaptureSession
from tradewire.capture.browser.wakeups import WakeupPolicy
from tradewire.capture.config import CaptureSessionSettings, CaptureSettings
from tradewire.core.events import Alert, AlertProcessed, AlertStatus
from tradewire.demo.pages import PageServer
from tradewire.settings import TuningSettings
from tradewire.tuning import tuned

RESULTS = Path(__file__).resolve().parent / "results" / "browser_capture.json"
#: Pop-ups come this far apart and leave after TOAST_MS, so a handful are on screen at once.
ALERT_PACE_MS = 60
TOAST_MS = 1500
#: Every tuning knob on (docs/deployment.md); the default configuration sets none.
TUNED = TuningSettings(
    realtime_priority=10,
    wakeup_slice_us=100,
    yield_after_broadcast=True,
    switch_interval_ms=0.5,
    gc_freeze=True,
    gc_thresholds=(100_000, 50, 100),
)
#: tradewire's configurations, and the seed, as the results name them.
CONFIGURATIONS = {"default": TuningSettings(), "tuned": TUNED}
SYSTEMS = (*CONFIGURATIONS, "seed")

# The seed's watcher: the observer keeps only the latest alert; Python polls for it.
SEED_ALERT_WATCHER = """
new MutationObserver(() => {
  for (const d of document.querySelectorAll('[class*="description"]')) {
    const text = d.textContent.trim();
    if (text && (!window.__latestAlert || window.__latestAlert.message !== text)) {
      window.__latestAlert = { message: text };
    }
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""
# The seed's tape path, polled: read the visible rows of the grid.
SEED_TAPE_SCRAPE = """() => [...document.querySelectorAll('[role=grid] [role=row]')]
  .filter(r => !r.querySelector('[role=columnheader]')
    && r.parentElement.style.visibility !== 'hidden'
    && r.closest('.lm_item_container').style.display !== 'none')
  .map(r => [...r.querySelectorAll('[role=gridcell]')].map(c => c.textContent.trim()))"""


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class Arrivals(dict):
    """When each alert text first reached Python, and a way to wait for one."""

    def __init__(self) -> None:
        super().__init__()
        self._events: dict[str, asyncio.Event] = {}

    def note(self, text: str, now: int) -> None:
        self.setdefault(text, now)
        self._events.setdefault(text, asyncio.Event()).set()

    async def wait(self, text: str, timeout: float) -> None:
        event = self._events.setdefault(text, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


def print_key(symbol: str, trade: dict) -> str:
    """The simulated page's key for a print."""
    price = int(trade["price"]) if float(trade["price"]).is_integer() else trade["price"]
    return f"{symbol}|{trade['timestamp']}|{price}|{trade['size']}|{trade['accumulatedVolume']}"


class Recorder:
    """Fake ports that note when each thing reached Python."""

    def __init__(self) -> None:
        self.alerts = Arrivals()
        self.prints: list[tuple[str, int]] = []
        #: Each page message as the receiver got it, with the time it got it (parsed later).
        self.messages: list[tuple[str, int]] = []

    async def submit(self, alert: Alert) -> AlertProcessed:
        self.alerts.note(alert.body, time.time_ns())
        return AlertProcessed(alert=alert, status=AlertStatus.ACCEPTED, ts_event=0, ts_init=0)

    async def __call__(self, payload, *, account, source, received_ns) -> None:
        now = time.time_ns()
        symbol = payload["contractInfo"]["symbol"]
        for t in payload["trades"]:
            self.prints.append((print_key(symbol, t), now))


class TimedReceiver(PageReceiver):
    """The session's receiver, noting when each message reached it."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__("bench", tape_sink=recorder, alerts=recorder)
        self._recorder = recorder

    async def on_message(self, raw: str, screenshot: Screenshot) -> str:
        self._recorder.messages.append((raw, time.time_ns()))
        return await super().on_message(raw, screenshot)


def capture_session(
    pages: PageServer, receiver: PageReceiver, profiles: Path, tuning: TuningSettings
) -> CaptureSession:
    """A tradewire capture session (launch mode) for the simulated pages, its wake-ups as
    ``tuning`` asks (bootstrap's wiring)."""
    settings = CaptureSettings(
        headless=True,
        tradovate_urls=[pages.base_url + "/tradovate.html*"],
        tradingview_urls=[pages.base_url + "/tradingview.html*"],
    )
    spec = CaptureSessionSettings(
        account="bench", mode="launch", url=pages.url("tradingview.html", dismiss=TOAST_MS)
    )
    return CaptureSession(
        spec,
        receiver=receiver,
        bundle=ScriptBundle(),
        settings=settings,
        profiles_dir=profiles,
        wakeups=WakeupPolicy(tuning.realtime_priority, tuning.wakeup_slice_us),
    )


async def poll(page: Page, expression: str, seen, stop: asyncio.Event) -> None:
    """The seed's loop: evaluate every 10 ms and note what is new."""
    while not stop.is_set():
        value = await page.evaluate(expression)
        seen(value, time.time_ns())
        await asyncio.sleep(0.010)


async def alert_latency(page: Page, received: Arrivals, tag: str, count: int) -> list[float]:
    """Fire ``count`` pop-ups from the page's own timers, ``ALERT_PACE_MS`` apart, as TradingView
    shows them (nothing from Python coincides with an alert); return each one's latency (ms)."""
    messages = [f"BTC/USDT LONG @ {40000 + i} TP: 46000 SL: 30000 {tag}" for i in range(count)]
    await page.evaluate(f"__tv.burst('toast', {json.dumps(messages)}, {count * ALERT_PACE_MS})")
    await asyncio.sleep(count * ALERT_PACE_MS / 1000)
    await received.wait(messages[-1], timeout=2)
    inserted: dict[str, float] = await page.evaluate("__tv.insertedAt")
    return [received[m] / 1e6 - inserted[m] for m in messages if m in received and m in inserted]


async def burst(page: Page, received: Arrivals, tag: str) -> int:
    messages = [f"ETH/USDT LONG @ {3000 + i} TP: 4000 SL: 2000 {tag}" for i in range(10)]
    await page.evaluate(f"__tv.burst('toast', {json.dumps(messages)}, 50)")
    await asyncio.sleep(1.0)
    return sum(m in received for m in messages)


async def main(
    seconds: float, rate: int, baseline_seconds: float, alerts: int, rounds: int
) -> dict:
    """The systems take turns, ``rounds`` times, each alone (one browser is closed before the
    next is launched); a slow spell of the machine then falls on all, and each one's figures
    pool its rounds."""
    runs: dict[str, list[dict]] = {system: [] for system in SYSTEMS}
    with PageServer() as pages, tempfile.TemporaryDirectory() as profiles:
        async with async_playwright() as pw:
            for turn in range(rounds):
                for name, tuning in CONFIGURATIONS.items():
                    profile = Path(profiles) / f"{name}-{turn}"
                    # The process-wide knobs and this loop's thread hold for this turn only.
                    with tuned(tuning):
                        run = await run_tradewire(
                            pw, pages, profile, tuning, seconds / rounds, rate, alerts // rounds
                        )
                    runs[name].append(run)
                runs["seed"].append(
                    await run_seed(pw, pages, baseline_seconds / rounds, rate, alerts // rounds)
                )
    return {
        "popup": summary({system: pooled(runs[system], "alerts") for system in SYSTEMS}),
        "burst": {"sent": 10 * rounds, **{s: sum(r["burst"] for r in runs[s]) for s in SYSTEMS}},
        "tape": {**{s: tape_summary(runs[s]) for s in SYSTEMS}, "rate": rate},
        "rounds": rounds,
        "tuned": TUNED.model_dump(),
    }


def pooled(runs: list[dict], key: str) -> list[float]:
    return [value for run in runs for value in run[key]]


async def run_tradewire(
    pw: Playwright,
    pages: PageServer,
    profiles: Path,
    tuning: TuningSettings,
    seconds: float,
    rate: int,
    alerts: int,
) -> dict:
    """Pop-ups, the burst and the tape through a real tradewire capture session."""
    recorder = Recorder()
    session = capture_session(pages, TimedReceiver(recorder), profiles, tuning)
    session.start(pw)
    await session.wait_connected()
    try:
        page = session.pages[0]
        await page.wait_for_function("window.__tv && window.__tradewire")
        latencies = await alert_latency(page, recorder.alerts, "ours", alerts)
        captured = await burst(page, recorder.alerts, "ours")
        tape = await session.open(pages.url("tradovate.html", symbols="NQZ5"))
        await tape.wait_for_function("window.TradovateScraperControl")
        await tape.evaluate(f"__sim.start({rate})")
        await asyncio.sleep(seconds)
        await tape.evaluate("__sim.stop()")
        await asyncio.sleep(1.0)
        result = await tape_result(tape, recorder.prints)
        result["stages"] = await stages(tape, recorder)
        status = session.status()
    finally:
        await session.stop()
    result["wakeups"] = {"prompt": status.prompt_wakeups, "realtime": status.realtime_threads}
    return {"alerts": latencies, "burst": captured, "tape": result}


async def run_seed(
    pw: Playwright, pages: PageServer, seconds: float, rate: int, alerts: int
) -> dict:
    """The same measurements for the seed design: a watcher in the page, Python polling it."""
    browser = await pw.chromium.launch(executable_path="/usr/bin/chromium")
    try:
        context = await browser.new_context()
        await context.add_init_script(SEED_ALERT_WATCHER)
        page = await context.new_page()
        await page.goto(pages.url("tradingview.html", dismiss=TOAST_MS))
        seen = Arrivals()
        stop = asyncio.Event()

        def note_alert(value, now):
            if value:
                seen.note(value["message"], now)

        poller = asyncio.create_task(poll(page, "window.__latestAlert", note_alert, stop))
        latencies = await alert_latency(page, seen, "seed", alerts)
        captured = await burst(page, seen, "seed")
        stop.set()
        await poller
        await page.close()

        # The tape, with the same 10 ms polling applied to the grid's visible rows.
        tape = await context.new_page()
        await tape.goto(pages.url("tradovate.html", symbols="NQZ5"))
        rows: list[tuple[str, int]] = []
        known: set[str] = set()

        def note_rows(value, now):
            for ts, price, size, acc in value:
                p = float(price.replace(",", ""))
                key = f"NQZ5|{ts}|{int(p) if p.is_integer() else p}|{size}|{acc.replace(',', '')}"
                if key not in known:
                    known.add(key)
                    rows.append((key, now))

        stop = asyncio.Event()
        poller = asyncio.create_task(poll(tape, SEED_TAPE_SCRAPE, note_rows, stop))
        await tape.evaluate(f"__sim.start({rate})")
        await asyncio.sleep(seconds)
        await tape.evaluate("__sim.stop()")
        await asyncio.sleep(1.0)
        stop.set()
        await poller
        result = await tape_result(tape, rows)
    finally:
        await browser.close()
    return {"alerts": latencies, "burst": captured, "tape": result}


async def stages(page: Page, recorder: Recorder) -> dict[str, list[float]]:
    """Each print's latency (ms) split at the page's send and at the receiver."""
    inserted_at: dict[str, float] = await page.evaluate("__sim.insertedAt")
    handed = {}
    for key, at in recorder.prints:
        handed.setdefault(key, at)
    split: dict[str, list[float]] = {"page": [], "transport": [], "receiver": []}
    for raw, received in recorder.messages:
        message = orjson.loads(raw)
        if message.get("kind") != "tape":
            continue
        sent = message["detectedAt"]
        symbol = message["data"]["contractInfo"]["symbol"]
        for trade in message["data"]["trades"]:
            key = print_key(symbol, trade)
            if key in inserted_at and key in handed:
                split["page"].append(sent - inserted_at[key])
                split["transport"].append(received / 1e6 - sent)
                split["receiver"].append((handed[key] - received) / 1e6)
    return split


def summary(latencies: dict[str, list[float]]) -> dict:
    """Each system's n, p50, p99 and mean (ms), and tradewire's p50 and p99 against the seed's."""
    out: dict[str, dict] = {}
    for name, values in latencies.items():
        out[name] = {
            "n": len(values),
            "p50_ms": round(pct(values, 50), 3),
            "p99_ms": round(pct(values, 99), 3),
            "mean_ms": round(statistics.fmean(values), 3) if values else None,
        }
    for name in CONFIGURATIONS:
        out[name]["p50_ratio"] = ratio(out[name]["p50_ms"], out["seed"]["p50_ms"])
        out[name]["p99_ratio"] = ratio(out[name]["p99_ms"], out["seed"]["p99_ms"])
    return out


def ratio(ours: float, seed: float) -> float | None:
    return round(ours / seed, 3) if seed else None


async def tape_result(page: Page, received: list[tuple[str, int]]) -> dict:
    """What one tape run inserted and received: counts, and each received print's latency (ms)."""
    inserted_at: dict[str, float] = await page.evaluate("__sim.insertedAt")
    counts = Counter(key for key, _ in received)
    first = {}
    for key, at in received:
        first.setdefault(key, at)
    return {
        "inserted": len(inserted_at),
        "lost": sum(1 for k in inserted_at if k not in first),
        "duplicated": sum(n - 1 for n in counts.values()),
        "latencies": [first[k] / 1e6 - t for k, t in inserted_at.items() if k in first],
    }


def tape_summary(runs: list[dict]) -> dict:
    """The rounds' tape runs together: counts, p50/p99 and, where measured, the stages."""
    tapes = [run["tape"] for run in runs]
    latencies = [v for tape in tapes for v in tape["latencies"]]
    inserted = sum(tape["inserted"] for tape in tapes)
    lost = sum(tape["lost"] for tape in tapes)
    # A lost print never arrives: counted that way, p99 is unbounded once over 1% are lost.
    unbounded = lost > 0.01 * max(1, inserted)
    out = {
        "inserted": inserted,
        "received": inserted - lost,
        "lost": lost,
        "duplicated": sum(tape["duplicated"] for tape in tapes),
        "p50_ms": round(pct(latencies, 50), 3),
        "p99_ms": round(pct(latencies, 99), 3),
        "p99_counting_lost_ms": None if unbounded else round(pct(latencies, 99), 3),
    }
    if all("wakeups" in tape for tape in tapes):
        out["wakeups"] = [tape["wakeups"] for tape in tapes]
    if all("stages" in tape for tape in tapes):
        out["stages"] = {
            name: {
                "p50_ms": round(pct(values, 50), 3),
                "p99_ms": round(pct(values, 99), 3),
            }
            for name in tapes[0]["stages"]
            for values in [[v for tape in tapes for v in tape["stages"][name]]]
        }
    return out


def report(results: dict, seconds: float, baseline_seconds: float) -> None:
    """Print tradewire's default and tuned figures side by side with the seed's, with ratios."""
    table = Table(title="Browser capture: DOM insertion → receipt in Python")
    for col in ("measure", "tradewire default", "tradewire tuned", "seed design", "× seed"):
        table.add_column(col)

    def row(measure: str, figures: dict, key: str, target: str = "") -> None:
        ratios = [figures[name].get(key.replace("_ms", "_ratio")) for name in CONFIGURATIONS]
        shown = " / ".join(str(r) for r in ratios) if all(r is not None for r in ratios) else ""
        table.add_row(measure, *(str(figures[s][key]) for s in SYSTEMS), shown + target)

    popup = results["popup"]
    row("pop-up p50 (ms)", popup, "p50_ms")
    row("pop-up p99 (ms)", popup, "p99_ms", " (≤ 0.25)")
    burst = results["burst"]
    table.add_row(
        f"burst: 10 alerts in 50 ms ×{results['rounds']}, captured of {burst['sent']}",
        *(str(burst[s]) for s in SYSTEMS),
        "",
    )
    tape = results["tape"]
    for name in CONFIGURATIONS:
        for stat in ("p50", "p99"):
            tape[name][f"{stat}_ratio"] = ratio(
                tape[name][f"{stat}_ms"], tape["seed"][f"{stat}_ms"]
            )
    table.add_row(
        f"tape {tape['rate']}/s: inserted ({seconds:g} s / {baseline_seconds:g} s)",
        *(str(tape[s]["inserted"]) for s in SYSTEMS),
        "",
    )
    table.add_row("tape lost", *(str(tape[s]["lost"]) for s in SYSTEMS), "target 0")
    table.add_row("tape duplicated", *(str(tape[s]["duplicated"]) for s in SYSTEMS), "target 0")
    row("tape p50 (ms)", tape, "p50_ms")
    row("tape p99 of received (ms)", tape, "p99_ms")
    table.add_row(
        "tape p99, lost = never (ms)",
        *(str(tape[s]["p99_counting_lost_ms"] or "∞") for s in SYSTEMS),
        "",
    )
    for stage in tape["default"]["stages"]:
        table.add_row(
            f"  tape stage: {stage}, p50 / p99 (ms)",
            *(
                f"{tape[name]['stages'][stage]['p50_ms']} / {tape[name]['stages'][stage]['p99_ms']}"
                for name in CONFIGURATIONS
            ),
            "",
            "",
        )
    Console(width=150).print(table)


def busy_core(seconds: float) -> subprocess.Popen:
    """Another process keeping one core busy for ``seconds`` (bounded, killed at the end)."""
    loop = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
    return subprocess.Popen([sys.executable, "-c", loop])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="tradewire tape run")
    parser.add_argument("--baseline-seconds", type=float, default=15.0, help="seed tape run")
    parser.add_argument("--rate", type=int, default=2000, help="prints per second")
    parser.add_argument("--alerts", type=int, default=900, help="pop-ups per system")
    parser.add_argument("--rounds", type=int, default=3, help="turns each system takes")
    parser.add_argument("--cpu-load", action="store_true", help="keep one core busy meanwhile")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args()
    load = busy_core(args.seconds + args.baseline_seconds + 300) if args.cpu_load else None
    try:
        results = asyncio.run(
            main(args.seconds, args.rate, args.baseline_seconds, args.alerts, args.rounds)
        )
    finally:
        if load is not None:
            load.kill()
            load.wait()
    report(results, args.seconds, args.baseline_seconds)
    results["params"] = {**vars(args), "output": str(args.output)}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
