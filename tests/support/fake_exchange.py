"""A local fake of Binance's public market data, REST and WebSocket, on 127.0.0.1, for ccxt.

One aiohttp server answers every Binance host ccxt knows: :meth:`FakeBinance.ccxt_urls` rewrites
each URL of ccxt's ``urls["api"]`` to ``http|ws://127.0.0.1:PORT/<real host>/<real path>``, so
the paths after the host are Binance's own and nothing ccxt does can leave the machine.

REST (Binance's response shapes; errors as ``{"code": -1121, "msg": "Invalid symbol."}``):
``GET /api/v3/exchangeInfo``, ``/fapi/v1/exchangeInfo``, ``/dapi/v1/exchangeInfo`` (no
coin-margined markets), ``/api/v3|fapi/v1 ticker/24hr?symbol=``, ``…/aggTrades``, ``…/trades``,
``/api/v3/time``, ``/api/v3/ping``, ``/fapi/v1/time``. Spot and USDⓈ-M perpetual markets share
ids (``BTCUSDT``) but not prices, as on the exchange.

WebSocket (raw streams: spot on the ``stream.binance.com`` host, ``/ws/<n>``; USDⓈ-M futures on
the ``fstream.binance.com`` host, ``/public/ws/<n>`` and ``/market/ws/<n>``, as ccxt asks for
them): ``{"method": "SUBSCRIBE", "params": ["btcusdt@trade"], "id": 1}`` is answered
``{"result": null, "id": 1}``; ``<id>@trade``, ``<id>@aggTrade``, ``<id>@ticker`` and
``<id>@miniTicker`` streams then carry ``trade``, ``aggTrade``, ``24hrTicker`` and
``24hrMiniTicker`` events for every :meth:`FakeBinance.trade`.

Faults: ``delisted`` markets stay in ``exchangeInfo`` but their REST answers are Binance's
``Invalid symbol.`` (a market withdrawn after ccxt loaded the list); ``hang_s`` delays every REST
answer (past ccxt's timeout it is a timeout; WebSocket
handshakes are not delayed), ``websocket = False`` answers WebSocket handshakes 503,
:meth:`FakeBinance.drop_connections` cuts every open WebSocket. Private endpoints (the
live-execution venue) are added to :attr:`FakeBinance.routes` with the same
``(method, path) -> handler`` shape.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

Kind = Literal["spot", "linear"]
Handler = Callable[[web.Request, "FakeBinance"], Awaitable[web.StreamResponse]]
#: The REST path prefix of each market kind (after the host).
PREFIX: dict[str, Kind] = {"api/v3": "spot", "fapi/v1": "linear"}
#: The WebSocket host of each market kind (its streams are served on the host, not the path).
WS_HOSTS: dict[str, Kind] = {"stream.binance.com": "spot", "fstream.binance.com": "linear"}
#: Seconds the server waits for answers still in progress (a hanging one) when it stops.
SHUTDOWN_S = 1.0


@dataclass(frozen=True)
class FakeMarket:
    """One listed market: ``id`` as Binance names it, its assets, tick and step sizes."""

    id: str
    base: str
    quote: str
    kind: Kind
    tick: str = "0.01"
    step: str = "0.00001"


MARKETS: tuple[FakeMarket, ...] = (
    FakeMarket("BTCUSDT", "BTC", "USDT", "spot"),
    FakeMarket("ETHUSDT", "ETH", "USDT", "spot", step="0.0001"),
    FakeMarket("BTCUSDT", "BTC", "USDT", "linear", tick="0.10", step="0.001"),
    FakeMarket("ETHUSDT", "ETH", "USDT", "linear", step="0.001"),
)


@dataclass(frozen=True)
class Listener:
    """An open WebSocket: its market kind, the streams it subscribed to, its request."""

    kind: Kind
    streams: set[str]
    request: web.Request


@dataclass
class Tape:
    """One market's trades and 24-hour statistics."""

    market: FakeMarket
    trades: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=500))
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    volume: Decimal = Decimal(0)
    quote_volume: Decimal = Decimal(0)
    next_id: int = 1_000_000

    def add(self, price: Decimal, qty: Decimal, ts_ms: int, buyer_maker: bool) -> dict[str, Any]:
        self.open = self.open or price
        self.high = max(self.high or price, price)
        self.low = min(self.low or price, price)
        self.volume += qty
        self.quote_volume += price * qty
        self.next_id += 1
        trade = {
            "id": self.next_id,
            "price": price,
            "qty": qty,
            "time": ts_ms,
            "maker": buyer_maker,
        }
        self.trades.append(trade)
        return trade

    @property
    def last(self) -> dict[str, Any] | None:
        return self.trades[-1] if self.trades else None


def _kind(path: str) -> Kind | None:
    """The market kind a REST path addresses (``api/v3/…`` spot, ``fapi/v1/…`` USDⓈ-M)."""
    return PREFIX.get("/".join(path.split("/")[:2]))


def _ms() -> int:
    return time.time_ns() // 1_000_000


def _error(status: int, code: int, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status)


class FakeBinance:
    """Binance's public market data on one loopback port; start with ``async with``."""

    def __init__(self, markets: tuple[FakeMarket, ...] = MARKETS) -> None:
        self.tapes: dict[tuple[Kind, str], Tape] = {(m.kind, m.id): Tape(m) for m in markets}
        self.routes: dict[tuple[str, str], Handler] = {
            ("GET", "api/v3/exchangeInfo"): _exchange_info,
            ("GET", "fapi/v1/exchangeInfo"): _exchange_info,
            ("GET", "dapi/v1/exchangeInfo"): _exchange_info,
            ("GET", "api/v3/ticker/24hr"): _ticker_24hr,
            ("GET", "fapi/v1/ticker/24hr"): _ticker_24hr,
            ("GET", "api/v3/aggTrades"): _agg_trades,
            ("GET", "fapi/v1/aggTrades"): _agg_trades,
            ("GET", "api/v3/trades"): _recent_trades,
            ("GET", "fapi/v1/trades"): _recent_trades,
            ("GET", "api/v3/time"): _server_time,
            ("GET", "fapi/v1/time"): _server_time,
            ("GET", "api/v3/ping"): _ping,
        }
        #: Every request as ``(method, path after the host)``, WebSocket handshakes included.
        self.requests: list[tuple[str, str]] = []
        #: WebSocket connections accepted so far.
        self.connections = 0
        self.hang_s = 0.0
        #: Markets ``(kind, id)`` listed but refused as unknown by every other REST endpoint.
        self.delisted: set[tuple[Kind, str]] = set()
        self.websocket = True
        self._listeners: dict[web.WebSocketResponse, Listener] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeBinance:
        app = web.Application()
        app.router.add_route("*", "/{host}/{path:.*}", self._dispatch)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=SHUTDOWN_S)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.drop_connections()
        assert self._runner is not None
        await self._runner.cleanup()

    def ccxt_urls(self, api: Mapping[str, Any]) -> dict[str, Any]:
        """``api`` (an exchange's ``urls["api"]``) with every URL pointing at this server."""

        def rewrite(value: Any) -> Any:
            if isinstance(value, Mapping):
                return {k: rewrite(v) for k, v in value.items()}
            parts = urlsplit(value)
            scheme = "ws" if parts.scheme in ("ws", "wss") else "http"
            return f"{scheme}://127.0.0.1:{self.port}/{parts.hostname}{parts.path}"

        return rewrite(api)

    # --- the market --------------------------------------------------------------------------

    async def trade(
        self,
        market_id: str,
        price: str,
        qty: str = "0.010",
        *,
        kind: Kind = "spot",
        ts_ms: int | None = None,
        buyer_maker: bool = False,
    ) -> None:
        """Print a trade and push it to every subscriber of its trade and ticker streams."""
        tape = self.tapes[(kind, market_id)]
        trade = tape.add(Decimal(price), Decimal(qty), ts_ms or _ms(), buyer_maker)
        stream = market_id.lower()
        events = {
            f"{stream}@trade": _trade_event(tape, trade, kind),
            f"{stream}@aggTrade": _agg_trade_event(tape, trade, kind),
            f"{stream}@ticker": _ticker_event(tape, kind),
            f"{stream}@miniTicker": _mini_ticker_event(tape),
        }
        for ws, listener in list(self._listeners.items()):
            for name in listener.streams & events.keys() if listener.kind == kind else ():
                with contextlib.suppress(ConnectionError):
                    await ws.send_json(events[name])

    def subscribed(self, stream: str, kind: Kind = "spot") -> bool:
        """Whether an open connection of ``kind`` listens to ``stream`` (``btcusdt@trade``)."""
        return any(x.kind == kind and stream in x.streams for x in self._listeners.values())

    async def drop_connections(self) -> None:
        """Cut every open WebSocket without a closing handshake, as a network failure would."""
        for ws in list(self._listeners):
            transport = self._listeners.pop(ws).request.transport
            if transport is not None:
                transport.abort()

    # --- HTTP --------------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        self.requests.append((request.method, path))
        if request.headers.get("upgrade", "").lower() == "websocket":
            return await self._websocket(request)
        if self.hang_s:
            await asyncio.sleep(self.hang_s)
        handler = self.routes.get((request.method, path))
        if handler is None:
            return web.Response(status=404, text="Not Found")
        return await handler(request, self)

    def tape_for(self, request: web.Request) -> Tape | None:
        """The tape of the request's market kind and ``symbol`` parameter, if listed."""
        key = (_kind(request.match_info["path"]), request.query.get("symbol", ""))
        return None if key in self.delisted else self.tapes.get(key)  # type: ignore[arg-type]

    # --- WebSocket ---------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        kind = WS_HOSTS.get(request.match_info["host"])
        if kind is None:
            return web.Response(status=404, text="Not Found")
        if not self.websocket:
            return web.Response(status=503, text="Service Unavailable")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        streams: set[str] = set()
        self._listeners[ws] = Listener(kind, streams, request)
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                await ws.send_json(_subscription(message.json(), streams))
        finally:
            self._listeners.pop(ws, None)
        return ws


def _subscription(request: dict[str, Any], streams: set[str]) -> dict[str, Any]:
    """Apply a SUBSCRIBE, UNSUBSCRIBE or LIST_SUBSCRIPTIONS request; return Binance's answer."""
    method, params = request.get("method"), request.get("params") or []
    if method == "SUBSCRIBE":
        streams.update(params)
        return {"result": None, "id": request.get("id")}
    if method == "UNSUBSCRIBE":
        streams.difference_update(params)
        return {"result": None, "id": request.get("id")}
    if method == "LIST_SUBSCRIPTIONS":
        return {"result": sorted(streams), "id": request.get("id")}
    return {"code": 2, "msg": f"Invalid request: unknown method {method!r}", "id": None}


# --- REST handlers -----------------------------------------------------------------------------


def _filters(market: FakeMarket) -> list[dict[str, Any]]:
    return [
        {
            "filterType": "PRICE_FILTER",
            "minPrice": market.tick,
            "maxPrice": "1000000.00",
            "tickSize": market.tick,
        },
        {
            "filterType": "LOT_SIZE",
            "minQty": market.step,
            "maxQty": "9000.00000",
            "stepSize": market.step,
        },
        {
            "filterType": "MARKET_LOT_SIZE",
            "minQty": "0.00000",
            "maxQty": "100.00000",
            "stepSize": "0.00000",
        },
        {"filterType": "MIN_NOTIONAL", "notional": "5.00000000"},
        {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
    ]


def _symbol_info(market: FakeMarket) -> dict[str, Any]:
    common = {
        "symbol": market.id,
        "status": "TRADING",
        "baseAsset": market.base,
        "quoteAsset": market.quote,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "filters": _filters(market),
    }
    if market.kind == "spot":
        return {
            **common,
            "quoteAssetPrecision": 8,
            "baseCommissionPrecision": 8,
            "quoteCommissionPrecision": 8,
            "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT"],
            "icebergAllowed": True,
            "ocoAllowed": True,
            "quoteOrderQtyMarketAllowed": True,
            "allowTrailingStop": True,
            "cancelReplaceAllowed": True,
            "isSpotTradingAllowed": True,
            "isMarginTradingAllowed": True,
            "permissions": [],
            "permissionSets": [["SPOT", "MARGIN"]],
            "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
        }
    return {
        **common,
        "pair": market.id,
        "contractType": "PERPETUAL",
        "deliveryDate": 4133404800000,
        "onboardDate": 1569398400000,
        "maintMarginPercent": "2.5000",
        "requiredMarginPercent": "5.0000",
        "marginAsset": market.quote,
        "pricePrecision": 2,
        "quantityPrecision": 3,
        "underlyingType": "COIN",
        "underlyingSubType": ["PoW"],
        "triggerProtect": "0.0500",
        "liquidationFee": "0.012500",
        "marketTakeBound": "0.05",
        "orderTypes": ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT"],
        "timeInForce": ["GTC", "IOC", "FOK", "GTX", "GTD"],
    }


async def _exchange_info(request: web.Request, fake: FakeBinance) -> web.Response:
    kind = _kind(request.match_info["path"])
    markets = [t.market for (k, _), t in fake.tapes.items() if k == kind]
    body: dict[str, Any] = {
        "timezone": "UTC",
        "serverTime": _ms(),
        "rateLimits": [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": 6000,
            },
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
        ],
        "exchangeFilters": [],
        "symbols": [_symbol_info(m) for m in markets],
    }
    if kind != "spot":
        body["futuresType"] = "U_MARGINED" if kind == "linear" else "COIN_MARGINED"
        body["assets"] = [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "0"}]
    return web.json_response(body)


def _ticker_fields(tape: Tape) -> dict[str, str | int]:
    """The 24-hour statistics every ticker answer and event shares, Binance's names."""
    last = tape.last
    price = last["price"] if last else Decimal(0)
    opened = tape.open or price
    change = price - opened
    return {
        "priceChange": str(change),
        "priceChangePercent": str(round(change / opened * 100, 3) if opened else 0),
        "weightedAvgPrice": str(
            round(tape.quote_volume / tape.volume, 8) if tape.volume else price
        ),
        "lastPrice": str(price),
        "lastQty": str(last["qty"] if last else 0),
        "openPrice": str(opened),
        "highPrice": str(tape.high or price),
        "lowPrice": str(tape.low or price),
        "volume": str(tape.volume),
        "quoteVolume": str(tape.quote_volume),
        "openTime": (last["time"] if last else _ms()) - 86_400_000,
        "closeTime": last["time"] if last else _ms(),
        "firstId": tape.trades[0]["id"] if tape.trades else -1,
        "lastId": last["id"] if last else -1,
        "count": len(tape.trades),
    }


async def _ticker_24hr(request: web.Request, fake: FakeBinance) -> web.Response:
    tape = fake.tape_for(request)
    if tape is None:
        return _error(400, -1121, "Invalid symbol.")
    body: dict[str, Any] = {"symbol": tape.market.id, **_ticker_fields(tape)}
    if tape.market.kind == "spot":
        price = body["lastPrice"]
        body.update(
            prevClosePrice=body["openPrice"],
            bidPrice=price,
            bidQty="1.00000000",
            askPrice=price,
            askQty="1.00000000",
        )
    return web.json_response(body)


def _limited(request: web.Request, tape: Tape) -> list[dict[str, Any]]:
    limit = min(int(request.query.get("limit", "500")), 1000)
    return list(tape.trades)[-limit:]


async def _agg_trades(request: web.Request, fake: FakeBinance) -> web.Response:
    tape = fake.tape_for(request)
    if tape is None:
        return _error(400, -1121, "Invalid symbol.")
    rows = [
        {
            "a": t["id"],
            "p": str(t["price"]),
            "q": str(t["qty"]),
            "f": t["id"],
            "l": t["id"],
            "T": t["time"],
            "m": t["maker"],
            **({"M": True} if tape.market.kind == "spot" else {}),
        }
        for t in _limited(request, tape)
    ]
    return web.json_response(rows)


async def _recent_trades(request: web.Request, fake: FakeBinance) -> web.Response:
    tape = fake.tape_for(request)
    if tape is None:
        return _error(400, -1121, "Invalid symbol.")
    rows = [
        {
            "id": t["id"],
            "price": str(t["price"]),
            "qty": str(t["qty"]),
            "quoteQty": str(t["price"] * t["qty"]),
            "time": t["time"],
            "isBuyerMaker": t["maker"],
            **({"isBestMatch": True} if tape.market.kind == "spot" else {}),
        }
        for t in _limited(request, tape)
    ]
    return web.json_response(rows)


async def _server_time(_request: web.Request, _fake: FakeBinance) -> web.Response:
    return web.json_response({"serverTime": _ms()})


async def _ping(_request: web.Request, _fake: FakeBinance) -> web.Response:
    return web.json_response({})


# --- WebSocket events --------------------------------------------------------------------------


def _trade_event(tape: Tape, trade: dict[str, Any], kind: Kind) -> dict[str, Any]:
    event = {
        "e": "trade",
        "E": _ms(),
        "s": tape.market.id,
        "t": trade["id"],
        "p": str(trade["price"]),
        "q": str(trade["qty"]),
        "T": trade["time"],
        "m": trade["maker"],
    }
    if kind == "spot":
        event["M"] = True
    else:
        event["X"] = "MARKET"
    return event


def _agg_trade_event(tape: Tape, trade: dict[str, Any], kind: Kind) -> dict[str, Any]:
    event = {
        "e": "aggTrade",
        "E": _ms(),
        "s": tape.market.id,
        "a": trade["id"],
        "p": str(trade["price"]),
        "q": str(trade["qty"]),
        "f": trade["id"],
        "l": trade["id"],
        "T": trade["time"],
        "m": trade["maker"],
    }
    if kind == "spot":
        event["M"] = True
    return event


def _mini_ticker_event(tape: Tape) -> dict[str, Any]:
    fields = _ticker_fields(tape)
    return {
        "e": "24hrMiniTicker",
        "E": _ms(),
        "s": tape.market.id,
        "c": fields["lastPrice"],
        "o": fields["openPrice"],
        "h": fields["highPrice"],
        "l": fields["lowPrice"],
        "v": fields["volume"],
        "q": fields["quoteVolume"],
    }


def _ticker_event(tape: Tape, kind: Kind) -> dict[str, Any]:
    fields = _ticker_fields(tape)
    event: dict[str, Any] = {
        "e": "24hrTicker",
        "E": _ms(),
        "s": tape.market.id,
        "p": fields["priceChange"],
        "P": fields["priceChangePercent"],
        "w": fields["weightedAvgPrice"],
        "c": fields["lastPrice"],
        "Q": fields["lastQty"],
        "o": fields["openPrice"],
        "h": fields["highPrice"],
        "l": fields["lowPrice"],
        "v": fields["volume"],
        "q": fields["quoteVolume"],
        "O": fields["openTime"],
        "C": fields["closeTime"],
        "F": fields["firstId"],
        "L": fields["lastId"],
        "n": fields["count"],
    }
    if kind == "spot":
        price = fields["lastPrice"]
        event.update(x=fields["openPrice"], b=price, B="1.00000000", a=price, A="1.00000000")
    return event
