"""Roles on a real server: the watchlist needs admin, tape ingest an ingest or admin token bound
to its account, and the status endpoints can be closed to callers without a token."""

import time

import httpx

from tests.support.tape import message, row
from tests.support.waiting import wait_until
from tradewire.api.auth import TokenService

REPLAY = {"TRADEWIRE_QUOTE_PROVIDERS": '["replay"]', "TRADEWIRE_CANDLE_PROVIDERS": '["replay"]'}
S = 1_000_000_000


def bearer(server, user: str, role: str = "subscriber", account: str | None = None) -> dict:
    token = TokenService(server.env["TRADEWIRE_JWT_SECRET"]).issue(user, role, account=account)
    return {"authorization": f"Bearer {token}"}


def test_only_admins_change_the_shared_watchlist(server_factory):
    server = server_factory(REPLAY)
    with httpx.Client(base_url=server.base_url, timeout=10) as api:
        for role in ("subscriber", "ingest"):
            for path in ("/api/collector/ticker/add", "/api/collector/ticker/remove"):
                refused = api.post(path, json={"ticker": "NVDA"}, headers=bearer(server, "t", role))
                assert refused.status_code == 403 and "admin" in refused.json()["error"]
        admin = bearer(server, "ops", "admin")
        added = api.post("/api/collector/ticker/add", json={"ticker": "NVDA"}, headers=admin)
        assert added.json()["watchlist"] == ["SPY", "QQQ", "NVDA"]
        removed = api.post("/api/collector/ticker/remove", json={"ticker": "NVDA"}, headers=admin)
        assert removed.json()["watchlist"] == ["SPY", "QQQ"]


def test_tape_ingest_is_bound_to_the_tokens_account(server_factory):
    server = server_factory()
    t = time.time_ns() - 60 * S
    rows = [row(t + i * S, i + 1) for i in range(3)]
    with httpx.Client(base_url=server.base_url, timeout=10) as api:

        def ingest(body: dict, headers: dict) -> httpx.Response:
            return api.post("/api/scraper/ingest", json=body, headers=headers)

        subscriber = ingest(message(rows, account="desk1"), bearer(server, "desk1"))
        assert subscriber.status_code == 403 and "ingest" in subscriber.json()["error"]

        desk1 = bearer(server, "feeder", "ingest", account="desk1")
        other = ingest(message(rows, account="desk2"), desk1)
        assert other.status_code == 403
        assert "'desk1'" in other.json()["error"] and "'desk2'" in other.json()["error"]
        smuggled = [rows[0], {**rows[1], "account": "desk2"}]
        assert ingest(message(smuggled, account="desk1"), desk1).status_code == 403

        anonymous = {k: v for k, v in message(rows).items() if k != "account"}
        assert ingest(anonymous, desk1).json()["accepted"] == 3
        assert ingest(message(rows, account="desk1"), desk1).json()["duplicates"] == 3
        by_default = bearer(server, "desk3", "ingest")  # the user name is the account
        assert ingest(message(rows, account="desk3"), by_default).json()["accepted"] == 3
        admin = bearer(server, "ops", "admin")
        assert ingest(message(rows, account="desk2"), admin).json()["accepted"] == 3

        status = api.get("/api/scraper/status", headers=desk1).json()
        assert status["accounts"] == ["desk1", "desk2", "desk3"]


def test_status_endpoints_open_by_default_and_closed_on_request(server_factory):
    open_server = server_factory(REPLAY)
    closed = server_factory({**REPLAY, "TRADEWIRE_OPEN_STATUS_ENDPOINTS": "false"})
    paths = ("/metrics", "/api/collector/status", "/api/collector/status/json")
    for path in paths:
        assert httpx.get(f"{open_server.base_url}{path}").status_code == 200, path
        assert httpx.get(f"{closed.base_url}{path}").status_code == 401, path
        bad = {"authorization": "Bearer nonsense"}
        assert httpx.get(f"{closed.base_url}{path}", headers=bad).status_code == 401, path
        reader = bearer(closed, "watcher")
        assert httpx.get(f"{closed.base_url}{path}", headers=reader).status_code == 200, path
    for path in ("/health", "/api/latency"):
        assert httpx.get(f"{closed.base_url}{path}").status_code == 200, path


def test_the_demo_tape_source_still_ingests(server_factory):
    server = server_factory({}, command="demo")
    reader = bearer(server, "watcher")

    def stored() -> bool:
        status = httpx.get(f"{server.base_url}/api/scraper/status", headers=reader, timeout=5)
        return "demo" in status.json()["accounts"]  # the simulator's pages post as "demo"

    wait_until(stored, timeout=60)
