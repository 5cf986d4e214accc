"""``tradewire capture attach`` hands its session to the running server: the pop-ups it captures
reach the server's WebSocket subscribers and store, the session shows in the server's status,
and Ctrl-C takes it away again."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx
import orjson
import pytest
from playwright.async_api import async_playwright
from websockets.asyncio.client import connect

from tests.integration.capture.test_alerts import alert, fire
from tests.support.capture import running_chrome
from tests.support.services import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.browser


def said(text: str) -> str:
    """What the command printed, with the console's line wrapping undone."""
    return " ".join(text.split())


def capture_cli(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tradewire", "capture", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def next_signal(ws) -> dict:
    while True:
        message = orjson.loads(await ws.recv())
        if message["type"] == "SIGNAL":
            return message["data"]


async def test_attached_sessions_deliver_into_the_running_server(server_factory, pages, tmp_path):
    server = server_factory(
        {
            "TRADEWIRE_CAPTURE__TRADINGVIEW_URLS": json.dumps([pages.base_url + "/tradingview*"]),
        }
    )
    base = server.base_url
    reader = {"Authorization": f"Bearer {server.token()}"}

    def sessions() -> list[dict]:
        return httpx.get(f"{base}/api/capture/status", headers=reader).json()["sessions"]

    with running_chrome(tmp_path / "chrome") as cdp:
        attach = ["attach", "--account", "desk1", "--cdp", cdp, "--server", base]
        cli = capture_cli(*attach, env=server.env)
        try:
            await eventually(
                lambda: (
                    [s["state"] for s in sessions() if s["account"] == "desk1"] == ["connected"]
                ),
                timeout=60,
                interval=0.2,
            )
            # The same account once more: the server already captures it.
            second = capture_cli(*attach, env=server.env)
            _out, err = second.communicate(timeout=60)
            assert second.returncode == 1 and "already has a capture session" in said(err)

            async with (
                connect(f"{server.ws_url}/ws?token={server.token()}") as ws,
                async_playwright() as playwright,
            ):
                browser = await playwright.chromium.connect_over_cdp(cdp)
                page = await browser.contexts[0].new_page()
                await page.goto(pages.url("tradingview.html"))
                await page.wait_for_function("window.__tv")
                message = alert("BTC/USDT", 45123)
                await fire(page, "single-dialog", message)
                signal_data = await eventually(lambda: next_signal(ws), timeout=30)
                await browser.close()
            assert signal_data["rawText"] == message and signal_data["source"] == "popup"
            assert signal_data["account"] == "desk1"
            stored = httpx.get(f"{base}/api/signals", headers=reader).json()["signals"]
            assert [s["rawText"] for s in stored] == [message]
            (status,) = [s for s in sessions() if s["account"] == "desk1"]
            assert status["stats"]["signals"] == 1
        finally:
            cli.send_signal(signal.SIGINT)
            _out, err = cli.communicate(timeout=60)
        assert cli.returncode == 0, err
        assert "stopped capturing 'desk1'" in said(err)
        assert sessions() == []


def test_attach_without_a_server_says_where_it_looked_and_exits_1(tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"
    env = {"TRADEWIRE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    cli = capture_cli("attach", "--account", "desk1", "--server", nowhere, env=env)
    _out, err = cli.communicate(timeout=60)
    assert cli.returncode == 1
    assert f"no tradewire server answers at {nowhere}" in said(err) and "--standalone" in err


def test_the_server_refuses_a_session_it_cannot_start_with_a_reason(server_factory):
    server = server_factory()
    admin = {"Authorization": f"Bearer {server.token('boss', 'admin')}"}
    url = f"{server.base_url}/api/capture/sessions"
    attach = {"account": "x", "cdp_url": "http://127.0.0.1:9"}
    assert httpx.post(url, json=attach).status_code == 401
    subscriber = {"Authorization": f"Bearer {server.token()}"}
    assert httpx.post(url, json={"account": "x"}, headers=subscriber).status_code == 403
    for body in (
        {"account": "x", "mode": "attach"},  # no cdp_url
        {"account": "bad name!", "cdp_url": "http://127.0.0.1:9"},
        {"account": "x", "cdp_url": "http://127.0.0.1:9", "headless": True},  # unknown field
        {"account": "x", "mode": "launch"},  # neither site nor url
    ):
        reply = httpx.post(url, json=body, headers=admin)
        assert reply.status_code == 422, body
        assert reply.json()["error"]
    missing = httpx.delete(f"{url}/nobody", headers=admin)
    assert missing.status_code == 404 and "nobody" in missing.json()["error"]
    assert httpx.delete(f"{url}/bad%20name!", headers=admin).status_code == 422
