"""Capture started and watched from a running ``tradewire serve``."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser


def test_server_captures_configured_sessions_and_serves_userscripts(server_factory, pages):
    session = {
        "account": "served",
        "mode": "launch",
        "url": pages.url("tradovate.html", rate=20, autostart=1),
    }
    server = server_factory(
        {
            "TRADEWIRE_CAPTURE__SESSIONS": json.dumps([session]),
            "TRADEWIRE_CAPTURE__HEADLESS": "true",
            "TRADEWIRE_CAPTURE__TRADOVATE_URLS": json.dumps([pages.base_url + "/tradovate.html*"]),
        }
    )
    base = server.base_url
    headers = {"Authorization": f"Bearer {server.token()}"}
    assert httpx.get(f"{base}/api/capture/status").status_code == 401

    def captured() -> dict | None:
        body = httpx.get(f"{base}/api/capture/status", headers=headers).json()
        (status,) = body["sessions"]
        return status if status["stats"]["prints"] >= 20 else None

    status = wait_until(captured, timeout=60, interval=0.25)
    assert status["account"] == "served" and status["state"] == "connected"

    def stored() -> list:
        reply = httpx.get(f"{base}/api/scraper/data", params={"account": "served"}, headers=headers)
        return reply.json()["trades"]

    trades = wait_until(stored, timeout=30, interval=0.25)
    assert {t["account"] for t in trades} == {"served"}
    assert "NQZ5" in {t["symbol"] for t in trades} <= {"NQZ5", "ESZ5"}

    script = httpx.get(f"{base}/userscripts/tradovate.user.js")
    assert script.status_code == 200 and "// ==UserScript==" in script.text
    assert base in script.text
    assert httpx.get(f"{base}/userscripts/other.user.js").status_code == 422

    admin = {"Authorization": f"Bearer {server.token('boss', 'admin')}"}
    assert httpx.post(f"{base}/api/capture/reload", headers=headers).status_code == 403
    before = httpx.get(f"{base}/api/capture/status", headers=headers).json()
    reloaded = httpx.post(f"{base}/api/capture/reload", headers=admin).json()
    assert reloaded["scripts_version"] > before["scripts_version"]

    # `tradewire capture reload` signals the server through its run file.
    run_dir = server.data_dir / "capture" / "run"
    assert [p.name for p in run_dir.iterdir()] == [str(server.proc.pid)]
    command = [sys.executable, "-m", "tradewire", "capture", "reload"]
    done = subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr

    def reloaded_again() -> bool:
        body = httpx.get(f"{base}/api/capture/status", headers=headers).json()
        return body["scripts_version"] > reloaded["scripts_version"]

    wait_until(reloaded_again, timeout=20)
