"""For paper trading tests on a real server: traders with their settings, prices and alerts
posted as a feed and TradingView would, and the caller's paper account read back."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx

from tests.support.server import ServerProcess
from tests.support.users import add_user, bearer, sign_in
from tests.support.waiting import wait_until

SECRET = "paper-webhook-secret"
#: No fees or slippage unless a test says otherwise: the arithmetic is then the trade's own.
NO_COSTS = {
    "TRADEWIRE_WEBHOOK_SECRET": SECRET,
    "TRADEWIRE_TRADING__PAPER__FEES": '{"maker_bps": "0", "taker_bps": "0"}',
    "TRADEWIRE_TRADING__PAPER__SLIPPAGE": '{"amount": "0"}',
}
D = Decimal


def trader(server: ServerProcess, name: str, **settings: object) -> dict[str, str]:
    """Add a user, sign it in, save ``settings`` (API names); return its bearer headers."""
    add_user(server, name)
    headers = bearer(sign_in(server, name).json()["token"])
    if settings:
        saved = httpx.put(
            f"{server.base_url}/api/me/settings", json=settings, headers=headers, timeout=10
        )
        assert saved.status_code == 200, saved.text
    return headers


def prices(server: ServerProcess, *points: tuple[str, str]) -> None:
    """Post ``(symbol, price)`` points, one request each, in order (as a feed would)."""
    headers = bearer(server.token("feed", "ingest"))
    for symbol, price in points:
        posted = httpx.post(
            f"{server.base_url}/api/prices",
            json={"symbol": symbol, "price": price},
            headers=headers,
            timeout=10,
        )
        assert posted.status_code == 200 and posted.json()["accepted"], posted.text


def alert(server: ServerProcess, body: str | dict) -> None:
    """Post an alert to the webhook, text or JSON; it must be accepted."""
    if isinstance(body, dict):
        sent = httpx.post(
            f"{server.base_url}/webhook/tradingview",
            content=json.dumps({**body, "passphrase": SECRET}),
            headers={"content-type": "application/json"},
            timeout=10,
        )
    else:
        sent = httpx.post(f"{server.base_url}/webhook/tradingview/{SECRET}", content=body)
    assert sent.status_code == 200, sent.text


def paper(server: ServerProcess, headers: dict[str, str], path: str, **params: str) -> dict:
    """GET ``/api/paper/<path>`` as the trader; it must answer 200."""
    got = httpx.get(
        f"{server.base_url}/api/paper/{path}", params=params, headers=headers, timeout=10
    )
    assert got.status_code == 200, got.text
    return got.json()


def positions(server: ServerProcess, headers: dict[str, str], status: str = "open") -> list:
    return paper(server, headers, "positions", status=status)["positions"]


def handled(server: ServerProcess, headers: dict[str, str]) -> list[dict]:
    return paper(server, headers, "signals")["signals"]


def wait_handled(server: ServerProcess, headers: dict[str, str], count: int) -> list[dict]:
    """Wait until the trader's account has handled ``count`` signals; return them."""
    return wait_until(lambda: len(found := handled(server, headers)) >= count and found)


def cash(server: ServerProcess, headers: dict[str, str], currency: str = "USDT") -> Decimal:
    balances = paper(server, headers, "account")["balances"]
    return D(next(b["cash"] for b in balances if b["currency"] == currency))
