"""Webhook faults and hostile input against a real server: every raw alert is kept with its
outcome, secrets are masked wherever alerts go, guessing is throttled, forged origins ignored."""

import asyncio
import json
import os
import subprocess
import sys

import httpx
import pytest
from sqlalchemy import create_engine, text
from websockets.asyncio.client import connect

from tests.support.services import free_port

SECRET = "faults-webhook-secret"
LEAK = "hunter2hunter2xx"


def post(server, body, *, path_secret=SECRET, headers=None):
    url = f"{server.base_url}/webhook/tradingview"
    if path_secret is not None:
        url += f"/{path_secret}"
    data = body.encode() if isinstance(body, str) else body
    return httpx.post(url, content=data, headers={"content-type": "text/plain", **(headers or {})})


def stored(db_url: str, sql: str, **params) -> list[dict]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(row) for row in conn.execute(text(sql), params).mappings()]
    finally:
        engine.dispose()


@pytest.mark.parametrize("value", ["", "short-secret"])
def test_serve_refuses_an_empty_or_short_webhook_secret_with_one_line(tmp_path, value):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIRE_")}
    env |= {"TRADEWIRE_DATA_DIR": str(tmp_path), "TRADEWIRE_WEBHOOK_SECRET": value}
    done = subprocess.run(
        [sys.executable, "-m", "tradewire", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "TRADEWIRE_WEBHOOK_SECRET" in lines[0], done.stderr
    if value:
        assert value not in done.stdout + done.stderr


REFUSED_BODIES = [
    # (body as sent, part of the reason, the body as stored)
    (b"\xff\xfe BTC/USDT BUY", "not valid UTF-8", "\\xff\\xfe BTC/USDT BUY"),
    (b"BTC/USDT BUY\x00", "NUL", "BTC/USDT BUY\\x00"),
    (b"BTC\xc3 BUY\x00 token=" + LEAK.encode(), "UTF-8", "BTC\\xc3 BUY\\x00 token=***"),
    (b"[" * 300 + b"]" * 300, "nested", "[" * 300 + "]" * 300),
    (b'{"a":' * 300 + b"1" + b"}" * 300, "nested", '{"a":' * 300 + "1" + "}" * 300),
    (b"[" * 5000 + b"]" * 5000, "JSON", "[" * 5000 + "]" * 5000),
]


def test_refused_bodies_are_422_and_stored_with_their_reason(server_factory, db_url):
    server = server_factory({"TRADEWIRE_WEBHOOK_SECRET": SECRET, "TRADEWIRE_DATABASE_URL": db_url})
    for body, reason, kept in REFUSED_BODIES:
        resp = post(server, body)
        assert resp.status_code == 422, (body[:20], resp.text)
        answer = resp.json()
        assert answer["status"] == "rejected" and reason in answer["reason"], answer
        (row,) = stored(
            db_url, "SELECT status, reason, body FROM alerts WHERE id = :id", id=answer["alert_id"]
        )
        assert row == {"status": "rejected", "reason": answer["reason"], "body": kept}


async def test_secrets_are_masked_in_storage_broadcast_answers_and_logs(server_factory):
    server = server_factory({"TRADEWIRE_WEBHOOK_SECRET": SECRET, "TRADEWIRE_LOG_LEVEL": "INFO"})
    db_url = f"sqlite:///{server.data_dir / 'tradewire.db'}"
    accepted = json.dumps(
        {"ticker": "BTCUSDT", "action": "buy", "exchange": {"apiKey": LEAK, "api_secret": LEAK}}
    )
    rejected = [
        "{'ticker':'BTCUSDT','action':'buy','passphrase':'" + LEAK + "'}",
        f"ETH/USDT BUY passphrase: {LEAK}",
        f"ETH/USDT BUY passphrase={LEAK}",
    ]
    headers = {"Authorization": f"Bearer {server.token()}"}
    async with connect(f"{server.ws_url}/ws", additional_headers=headers) as ws:
        answers = [post(server, body) for body in [accepted, *rejected]]
        async with asyncio.timeout(10):
            while (message := json.loads(await ws.recv()))["type"] != "SIGNAL":
                pass
    assert [a.status_code for a in answers] == [200, 422, 422, 422]
    assert "***" in message["data"]["rawText"]
    bodies = stored(db_url, "SELECT body, reason FROM alerts")
    raw_texts = stored(db_url, "SELECT raw_text FROM signals")
    assert len(bodies) == 4 and len(raw_texts) == 1
    server.stop()
    everything = [
        json.dumps(message),
        *(a.text for a in answers),
        json.dumps(bodies),
        json.dumps(raw_texts),
        server.log_path.read_text(),
    ]
    assert not [place for place in everything if LEAK in place]
    assert "alert rejected" in everything[-1]


def test_wrong_secrets_are_throttled_per_address_counted_and_the_right_one_passes(
    server_factory,
):
    server = server_factory(
        {"TRADEWIRE_WEBHOOK_SECRET": SECRET, "TRADEWIRE_WEBHOOK_AUTH_FAILURES_PER_MIN": "5"}
    )
    answers = [post(server, "BTC/USDT BUY", path_secret=f"guess-{n}") for n in range(20)]
    assert [a.status_code for a in answers] == [401] * 5 + [429] * 15
    assert int(answers[-1].headers["retry-after"]) >= 1 and answers[-1].json()["error"]
    right = post(server, "BTC/USDT BUY")
    assert right.status_code == 200, right.text
    metrics = httpx.get(f"{server.base_url}/metrics").text
    assert "tradewire_webhook_auth_failures_total 20.0" in metrics
    assert "tradewire_webhook_auth_throttled_total 15.0" in metrics
    server.stop()
    log = server.log_path.read_text()
    # one line for the address in this interval, not one per guess
    assert log.count("webhook secret refused") == 1
    assert SECRET not in log and "guess-" not in log


def test_forwarded_for_from_an_untrusted_peer_is_ignored(server_factory):
    server = server_factory(
        {
            "TRADEWIRE_WEBHOOK_SECRET": SECRET,
            "TRADEWIRE_WEBHOOK_IP_ALLOWLIST": "true",
            "TRADEWIRE_TRUST_PROXY": "true",
            "TRADEWIRE_TRUSTED_PROXIES": '["10.0.0.0/8"]',
        }
    )
    spoofed = post(server, "BTC/USDT BUY", headers={"x-forwarded-for": "34.212.75.30"})
    assert spoofed.status_code == 403, spoofed.text
    assert "127.0.0.1" in spoofed.json()["error"]
