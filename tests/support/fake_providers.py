"""Local fake Finnhub and Yahoo Finance servers: real HTTP on 127.0.0.1, the providers' real JSON
shapes, and fault injection.

Finnhub: ``/quote`` → ``{c,d,dp,h,l,o,pc,t}`` (all zeros for an unknown symbol),
``/stock/candle`` → ``{c,h,l,o,s,t,v}`` or ``{"s": "no_data"}``, the key in ``X-Finnhub-Token``.
Yahoo: ``/v8/finance/chart/{symbol}`` → ``chart.result[0]`` with ``meta``, ``timestamp`` and
``indicators.quote[0]``; errors in ``chart.error``.

Asked for a date range (Yahoo's ``period1``/``period2``; Finnhub's ``from``/``to`` once
``dated_history`` is set, since the existing suites expect its fixed recent bars), both serve
:func:`daily_history`: a weekday bar per day for any span of years.

Faults are queued per server and consumed by the next matching requests: ``429`` (with
``Retry-After``), ``403``, ``500``, ``timeout`` (answers after ``hang_s``), ``malformed``
(broken JSON) and ``empty`` (the provider's "no data" answer). ``strict_limit`` makes the
server answer 429 whenever a request would be the (limit+1)-th in any ``window_s`` seconds.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.services import free_port
from tests.support.waiting import wait_until

BASE_TS = 1_700_000_000  # 2023-11-14, a Tuesday
UNKNOWN = "ZZZZ"


Bar = tuple[int, float, float, float, float, float]


def price_path(symbol: str, n: int, step_s: int) -> list[Bar]:
    """A deterministic wavy up-trend per symbol: (t, o, h, l, c, v) bars."""
    base = 50 + sum(map(ord, symbol)) % 200
    bars = []
    for i in range(n):
        mid = base * (1 + 0.001 * i) + 3 * math.sin(i / 5)
        o, c = mid - 0.3, mid + 0.3
        bars.append((BASE_TS + i * step_s, o, c + 0.5, o - 0.5, c, 1_000_000 + 1000 * (i % 7)))
    return bars


#: When the fake's daily bars open: 14:30 UTC, the New York open in winter.
OPEN_S = 52_200
DAY_S = 86_400


def daily_history(
    symbol: str, start_s: int, end_s: int, *, end_included: bool = False
) -> list[Bar]:
    """Deterministic daily bars per symbol for any dates: one per weekday opening at ``OPEN_S``
    in ``[start_s, end_s)`` (or ``[start_s, end_s]``), prices positive over centuries."""
    base = 50 + sum(map(ord, symbol)) % 200
    anchor = BASE_TS // DAY_S
    bars = []
    for day in range(-(-(start_s - OPEN_S) // DAY_S), (end_s - OPEN_S) // DAY_S + 1):
        t = day * DAY_S + OPEN_S
        if (day + 3) % 7 >= 5 or (t == end_s and not end_included):
            continue  # a weekend (1970-01-01 was a Thursday), or the range's open end
        mid = base * math.exp(0.0002 * (day - anchor)) * (1 + 0.02 * math.sin(day / 7))
        swing = 0.003 * math.sin(day / 3)
        o, c = mid * (1 - swing), mid * (1 + swing)
        bars.append((t, o, max(o, c) * 1.004, min(o, c) * 0.996, c, 1e6 + 1000 * (day % 7)))
    return bars


@dataclass
class Fault:
    """One injected fault for the next request whose path starts with ``path``."""

    kind: str
    path: str = "/"
    retry_after: float = 1.0


@dataclass
class FakeState:
    faults: list[Fault] = field(default_factory=list)
    arrivals: list[tuple[float, str]] = field(default_factory=list)
    strict_limit: int | None = None
    window_s: float = 60.0
    hang_s: float = 2.0
    forbidden: set[str] = field(default_factory=set)  # path prefixes the "plan" does not cover
    dated_history: bool = False  # Finnhub: daily candles from daily_history within from/to
    rejected_429: int = 0
    accepted: list[float] = field(default_factory=list)  # arrivals the strict limiter let in
    _window: deque = field(default_factory=deque)

    def take_fault(self, path: str) -> Fault | None:
        for i, fault in enumerate(self.faults):
            if path.startswith(fault.path):
                return self.faults.pop(i)
        return None

    def over_limit(self, now: float) -> bool:
        if self.strict_limit is None:
            return False
        while self._window and self._window[0] <= now - self.window_s:
            self._window.popleft()
        if len(self._window) >= self.strict_limit:
            return True
        self._window.append(now)
        self.accepted.append(now)
        return False


class FakeProvider:
    """A provider fake running in a background thread."""

    def __init__(self, routes: list[Route]) -> None:
        self.state = FakeState()
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        app = Starlette(routes=routes)
        app.state.fake = self.state
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", ws="none"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> FakeProvider:
        self._thread.start()
        wait_until(lambda: self._server.started, timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)

    def calls(self, path: str = "/") -> int:
        return sum(1 for _, p in self.state.arrivals if p.startswith(path))


async def _gate(request: Request, empty: Response) -> Response | None:
    """Record the arrival; apply the strict limiter and any queued fault."""
    state: FakeState = request.app.state.fake
    now = time.monotonic()
    state.arrivals.append((now, request.url.path))
    if state.over_limit(now):
        state.rejected_429 += 1
        return JSONResponse({"error": "API limit reached"}, 429, {"Retry-After": "1"})
    if any(request.url.path.startswith(p) for p in state.forbidden):
        return JSONResponse({"error": "You don't have access to this resource."}, 403)
    fault = state.take_fault(request.url.path)
    if fault is None:
        return None
    if fault.kind == "429":
        headers = {"Retry-After": f"{fault.retry_after:g}"}
        return JSONResponse({"error": "API limit reached"}, 429, headers)
    if fault.kind == "403":
        return JSONResponse({"error": "You don't have access to this resource."}, 403)
    if fault.kind == "500":
        return Response("internal error", 500)
    if fault.kind == "timeout":
        await asyncio.sleep(state.hang_s)
        return Response("{}", 200, media_type="application/json")
    if fault.kind == "malformed":
        return Response('{"c": 12.5, "d": ', 200, media_type="application/json")
    if fault.kind == "empty":
        return empty
    raise ValueError(f"unknown fault {fault.kind}")


# --- Finnhub ---------------------------------------------------------------------------------

FINNHUB_KEY = "test-finnhub-key"


def _finnhub_auth(request: Request) -> Response | None:
    if request.headers.get("x-finnhub-token") != FINNHUB_KEY:
        return JSONResponse({"error": "Invalid API key"}, 401)
    return None


async def finnhub_quote(request: Request) -> Response:
    zero = {"c": 0, "d": None, "dp": None, "h": 0, "l": 0, "o": 0, "pc": 0, "t": 0}
    early = await _gate(request, JSONResponse(zero)) or _finnhub_auth(request)
    if early:
        return early
    symbol = request.query_params.get("symbol", "")
    if symbol == UNKNOWN:
        return JSONResponse(zero)
    bars = price_path(symbol, 300, 86_400)
    last, prev = bars[-1], bars[-2]
    change = round(last[4] - prev[4], 4)
    return JSONResponse({
        "c": last[4], "d": change, "dp": round(change / prev[4] * 100, 4),
        "h": last[2], "l": last[3], "o": last[1], "pc": prev[4], "t": last[0],
    })  # fmt: skip


async def finnhub_candle(request: Request) -> Response:
    early = await _gate(request, JSONResponse({"s": "no_data"})) or _finnhub_auth(request)
    if early:
        return early
    q = request.query_params
    if not {"symbol", "resolution", "from", "to"} <= set(q):
        return JSONResponse({"error": "Wrong parameters"}, 422)
    if q["symbol"] == UNKNOWN:
        return JSONResponse({"s": "no_data"})
    step = 86_400 if q["resolution"] == "D" else 3600
    bars = price_path(q["symbol"], 300, step)
    if q["resolution"] == "D" and request.app.state.fake.dated_history:
        bars = daily_history(q["symbol"], int(q["from"]), int(q["to"]), end_included=True)
        if not bars:
            return JSONResponse({"s": "no_data"})
    return JSONResponse({
        "c": [b[4] for b in bars], "h": [b[2] for b in bars], "l": [b[3] for b in bars],
        "o": [b[1] for b in bars], "s": "ok", "t": [b[0] for b in bars], "v": [b[5] for b in bars],
    })  # fmt: skip


def fake_finnhub() -> FakeProvider:
    return FakeProvider([Route("/quote", finnhub_quote), Route("/stock/candle", finnhub_candle)])


# --- Yahoo Finance ----------------------------------------------------------------------------

NOT_FOUND = {"code": "Not Found", "description": "No data found, symbol may be delisted"}


async def yahoo_chart(request: Request) -> Response:
    empty = JSONResponse({"chart": {"result": [], "error": None}})
    early = await _gate(request, empty)
    if early:
        return early
    symbol = request.path_params["symbol"]
    if symbol == UNKNOWN:
        return JSONResponse({"chart": {"result": None, "error": NOT_FOUND}}, 404)
    q = request.query_params
    interval = q.get("interval", "1d")
    if "period1" in q and "period2" in q:
        bars = daily_history(symbol, int(q["period1"]), int(q["period2"]))
        if not bars:  # Yahoo answers a span without trading days with a bare meta
            bare = {"meta": _yahoo_meta(symbol, price_path(symbol, 1, DAY_S), interval, None),
                    "indicators": {"quote": [{}]}}  # fmt: skip
            return JSONResponse({"chart": {"result": [bare], "error": None}})
        nulled = [b[4] for b in bars]
    else:
        step = 86_400 if interval == "1d" else 3600
        count = 5 if q.get("range") == "5d" else 300
        bars = price_path(symbol, count, step)
        # Yahoo pads halted bars with nulls: the adapter must drop them.
        nulled = [None if i == 3 else x for i, x in enumerate(b[4] for b in bars)]
    result = {
        "meta": _yahoo_meta(symbol, bars, interval, q.get("range")),
        "timestamp": [b[0] for b in bars],
        "indicators": {"quote": [{
            "open": [b[1] for b in bars], "high": [b[2] for b in bars],
            "low": [b[3] for b in bars], "close": nulled, "volume": [b[5] for b in bars],
        }]},
    }  # fmt: skip
    return JSONResponse({"chart": {"result": [result], "error": None}})


def _yahoo_meta(symbol: str, bars: list[Bar], interval: str, span: str | None) -> dict:
    return {
        "currency": "USD", "symbol": symbol, "exchangeName": "NMS",
        # chartPreviousClose is the close before the chart's range, not yesterday's close.
        "regularMarketPrice": bars[-1][4], "chartPreviousClose": round(bars[0][1] * 0.97, 4),
        "gmtoffset": -18000,
        "regularMarketTime": bars[-1][0], "regularMarketDayHigh": bars[-1][2],
        "regularMarketDayLow": bars[-1][3], "regularMarketVolume": bars[-1][5],
        "dataGranularity": interval, "range": span,
    }  # fmt: skip


def fake_yahoo() -> FakeProvider:
    return FakeProvider([Route("/v8/finance/chart/{symbol}", yahoo_chart)])
