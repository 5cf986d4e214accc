"""Users on a real server: signing in, ``/api/me`` and its settings on SQLite and PostgreSQL,
refusals that do not tell which names exist, a throttled address, and tokens from ``tradewire
token create`` that keep working."""

from __future__ import annotations

import httpx

from tests.support.users import (
    PASSWORD,
    add_user,
    bearer,
    sign_in,
    user_command,
)
from tradewire.users.service import SIGN_IN_FAILURES_PER_MIN


def test_signing_in_and_settings_kept_across_a_restart(server_factory, db_url):
    env = {"TRADEWIRE_DATABASE_URL": db_url}
    server = server_factory(env)
    add_user(server, "alice", "ingest")
    signed_in = sign_in(server, "alice")
    assert signed_in.status_code == 200, signed_in.text
    body = signed_in.json()
    assert set(body) == {"token", "expires_at"} and body["expires_at"].endswith("Z")
    token = body["token"]
    assert sign_in(server, "al\x00ice").status_code == 401  # no database sees such a name
    with httpx.Client(base_url=server.base_url, headers=bearer(token), timeout=10) as api:
        me = api.get("/api/me").json()
        assert {k: me[k] for k in ("user", "role", "account", "registered")} == {
            "user": "alice",
            "role": "ingest",
            "account": "alice",
            "registered": True,
        }
        assert api.get("/api/me/settings").json() == {
            "paperTradeEnabled": False,
            "realTradeEnabled": False,
            "subscriptions": {"strategies": [], "symbols": []},
            "riskPercent": "2",
            "maxNotionalPercent": "10",
            "defaultStopPercent": None,
            "oppositeSignal": "close",
            "takeProfitWeights": [],
            "breakEvenAfterFirstTakeProfit": False,
            "trailingStop": None,
            "reducePercent": "50",
        }
        changed = api.put(
            "/api/me/settings",
            json={
                "paperTradeEnabled": True,
                "riskPercent": 0.1,
                "maxNotionalPercent": "12.50",
                "defaultStopPercent": "1.5",
                "subscriptions": {"strategies": ["Trend Rider"], "symbols": ["BINANCE:ETHUSDT.P"]},
            },
        )
        assert changed.status_code == 200, changed.text
        partial = api.put("/api/me/settings", json={"oppositeSignal": "reverse"}).json()
    expected = {
        "paperTradeEnabled": True,
        "realTradeEnabled": False,
        "subscriptions": {"strategies": ["Trend Rider"], "symbols": ["ETH/USDT"]},
        "riskPercent": "0.1",
        "maxNotionalPercent": "12.50",
        "defaultStopPercent": "1.5",
        "oppositeSignal": "reverse",
        "takeProfitWeights": [],
        "breakEvenAfterFirstTakeProfit": False,
        "trailingStop": None,
        "reducePercent": "50",
    }
    assert partial == expected
    server.stop()
    again = server_factory(env)
    restarted = httpx.get(f"{again.base_url}/api/me/settings", headers=bearer(token), timeout=10)
    assert restarted.json() == expected


#: Settings changes refused, each with (a part of) its reason.
BAD_SETTINGS = [
    ({"riskPercent": 0}, "riskPercent must be more than 0 and at most 100"),
    ({"riskPercent": "101"}, "riskPercent must be more than 0 and at most 100"),
    ({"riskPercent": None}, "riskPercent must be a decimal number"),
    ({"riskPercent": "NaN"}, "riskPercent"),
    ({"maxNotionalPercent": 1000.5}, "maxNotionalPercent must be more than 0"),
    ({"defaultStopPercent": 100}, "defaultStopPercent must be more than 0 and less than 100"),
    ({"paperTradeEnabled": "yes"}, "paperTradeEnabled"),
    ({"oppositeSignal": "flip"}, "oppositeSignal"),
    ({"subscriptions": {"symbols": ["BTC USDT"]}}, "subscriptions.symbols: invalid symbol"),
    ({"subscriptions": {"exchanges": []}}, "exchanges"),
    ({"leverage": 100}, "leverage"),
    ({"takeProfitWeights": [50, 0]}, "takeProfitWeights[1] must be more than 0"),
    ({"takeProfitWeights": [1] * 11}, "takeProfitWeights has at most 10 weights"),
    ({"takeProfitWeights": ["abc"]}, "takeProfitWeights"),
    ({"takeProfitWeights": "50,50"}, "takeProfitWeights"),
    ({"takeProfitWeights": None}, "takeProfitWeights must be a list"),
    ({"breakEvenAfterFirstTakeProfit": "true"}, "breakEvenAfterFirstTakeProfit"),
    ({"breakEvenAfterFirstTakeProfit": None}, "breakEvenAfterFirstTakeProfit must be true"),
    ({"trailingStop": {"distance": 100, "unit": "percent"}}, "trailingStop.distance must be"),
    ({"trailingStop": {"distance": 0, "unit": "ticks"}}, "trailingStop.distance must be more"),
    ({"trailingStop": {"distance": "x", "unit": "ticks"}}, "trailingStop.distance"),
    ({"trailingStop": {"distance": 1, "unit": "pips"}}, "trailingStop.unit"),
    ({"trailingStop": {"distance": 1}}, "trailingStop.unit"),
    ({"trailingStop": {"distance": 1, "unit": "ticks", "step": 2}}, "trailingStop.step"),
    ({"trailingStop": 1.5}, "trailingStop"),
    ({"reducePercent": 0}, "reducePercent must be more than 0 and at most 100"),
    ({"reducePercent": "100.01"}, "reducePercent must be more than 0 and at most 100"),
    ({"reducePercent": None}, "reducePercent must be a decimal number"),
]


def test_bad_settings_are_refused_with_the_reason_and_change_nothing(server_factory):
    server = server_factory()
    add_user(server, "alice")
    headers = bearer(sign_in(server, "alice").json()["token"])
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as api:
        for body, reason in BAD_SETTINGS:
            refused = api.put("/api/me/settings", json=body)
            assert refused.status_code == 422, body
            assert reason in refused.json()["error"], body
        assert api.get("/api/me/settings").json()["riskPercent"] == "2"


def test_exit_settings_round_trip_exactly(server_factory):
    server = server_factory()
    add_user(server, "alice")
    headers = bearer(sign_in(server, "alice").json()["token"])
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as api:
        put = api.put(
            "/api/me/settings",
            json={
                "takeProfitWeights": [50, "30.5", 19.5],
                "breakEvenAfterFirstTakeProfit": True,
                "trailingStop": {"distance": "1.50", "unit": "percent"},
                "reducePercent": 25,
            },
        )
        assert put.status_code == 200, put.text
        exits = {
            "takeProfitWeights": ["50", "30.5", "19.5"],
            "breakEvenAfterFirstTakeProfit": True,
            "trailingStop": {"distance": "1.50", "unit": "percent"},
            "reducePercent": "25",
        }
        got = api.get("/api/me/settings").json()
        assert {k: got[k] for k in exits} == exits and got["riskPercent"] == "2"
        # A trailing stop in ticks; then cleared, with the weights, and the rest kept.
        ticks = api.put("/api/me/settings", json={"trailingStop": {"distance": 8, "unit": "ticks"}})
        assert ticks.json()["trailingStop"] == {"distance": "8", "unit": "ticks"}
        cleared = api.put("/api/me/settings", json={"trailingStop": None, "takeProfitWeights": []})
        assert cleared.status_code == 200, cleared.text
        got = api.get("/api/me/settings").json()
    assert {k: got[k] for k in exits} == {
        **exits,
        "takeProfitWeights": [],
        "trailingStop": None,
    }


def test_every_wrong_sign_in_is_answered_alike_then_the_address_waits(server_factory):
    server = server_factory()
    add_user(server, "alice")
    add_user(server, "gone")
    user_command(server, "add", "tokens-only", "--no-password")
    user_command(server, "disable", "gone", "--server", server.base_url)
    refusals = [
        sign_in(server, "alice", "not the password"),
        sign_in(server, "nobody"),
        sign_in(server, "tokens-only", "any password at all"),
        sign_in(server, "gone"),  # the right password of a disabled user
    ]
    assert [r.status_code for r in refusals] == [401] * 4
    assert {r.text for r in refusals} == {'{"success":false,"error":"wrong user name or password"}'}
    for _ in range(SIGN_IN_FAILURES_PER_MIN - len(refusals)):
        assert sign_in(server, "alice", "another guess").status_code == 401
    throttled = sign_in(server, "alice", PASSWORD)
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["retry-after"]) <= 65


def test_malformed_sign_ins_are_refused_with_422(server_factory):
    server = server_factory()
    for body in [
        {},
        {"username": "alice"},
        {"username": "", "password": "x"},
        {"username": "a" * 101, "password": "x"},
        {"username": "alice", "password": "x", "remember": True},
    ]:
        assert httpx.post(f"{server.base_url}/api/auth/login", json=body).status_code == 422


def test_token_create_tokens_keep_working(server_factory):
    server = server_factory()
    add_user(server, "alice", "admin")
    stranger = bearer(server.token("never-added"))
    assert httpx.get(f"{server.base_url}/api/signals", headers=stranger).status_code == 200
    me = httpx.get(f"{server.base_url}/api/me", headers=stranger).json()
    assert (me["user"], me["registered"], me["created_at"]) == ("never-added", False, None)
    no_settings = httpx.get(f"{server.base_url}/api/me/settings", headers=stranger)
    assert no_settings.status_code == 404 and "tradewire user add" in no_settings.json()["error"]
    # a token made by the command for a stored user works like one from signing in
    created = bearer(server.token("alice", "admin"))
    assert httpx.get(f"{server.base_url}/api/me/settings", headers=created).status_code == 200


def test_only_admins_disable_and_enable_users(server_factory):
    server = server_factory()
    add_user(server, "alice")
    subscriber = bearer(server.token("bob"))
    admin = bearer(server.token("ops", "admin"))
    url = f"{server.base_url}/api/users"
    assert httpx.post(f"{url}/alice/disable", headers=subscriber).status_code == 403
    assert httpx.post(f"{url}/ghost/disable", headers=admin).status_code == 404
    disabled = httpx.post(f"{url}/alice/disable", headers=admin).json()
    assert (disabled["name"], disabled["disabled"], disabled["has_password"]) == (
        "alice",
        True,
        True,
    )
    assert "password_hash" not in disabled
    assert sign_in(server, "alice").status_code == 401
    assert httpx.post(f"{url}/alice/enable", headers=admin).json()["disabled"] is False
    assert sign_in(server, "alice").status_code == 200
