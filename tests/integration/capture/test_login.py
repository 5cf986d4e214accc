"""Opt-in auto-login in real Chromium against the simulated sites' login pages."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
import structlog

from tests.support.capture import running_chrome
from tests.support.services import free_port
from tests.support.waiting import eventually, wait_until
from tradewire.api.app import create_app
from tradewire.capture.config import CaptureSessionSettings

pytestmark = pytest.mark.browser

PASSWORD = "s3cret-Pa55w0rd!"
WRONG = "not-the-Pa55w0rd?"


def login_settings(pages, account: str, site: str, username: str, password: str) -> dict:
    """Capture settings that log ``account`` in to the simulated ``site``, quickly."""
    return {
        "tradovate_urls": [pages.base_url + "/tradovate*"],
        "tradingview_urls": [pages.base_url + "/tradingview*"],
        "login": {account: {site: {"username": username, "password": password}}},
        "login_backoff_s": 0.05,
        "login_timeout_s": 10,
    }


async def api_status(desk) -> str:
    """``GET /api/capture/status`` as the raw JSON text a client gets."""
    token = desk.container.tokens.issue("tester")
    transport = httpx.ASGITransport(app=create_app(desk.container.api_services()))
    async with httpx.AsyncClient(transport=transport, base_url="http://tradewire") as client:
        reply = await client.get(
            "/api/capture/status", headers={"Authorization": f"Bearer {token}"}
        )
    assert reply.status_code == 200
    return reply.text


async def test_logs_in_to_tradovate_then_captures_the_tape(desk, pages):
    pages.accept_login("tradovate", "ann@desk.example", PASSWORD)
    desk = await desk(
        "ann.desk", **login_settings(pages, "ann.desk", "tradovate", "ann@desk.example", PASSWORD)
    )
    session = desk.session("ann.desk")
    assert session.status().login == {
        "tradovate": "ready (no login form seen)",
        "tradingview": "not configured",
    }
    page = await desk.open("ann.desk", pages.url("tradovate_login.html"))
    await eventually(lambda: session.status().login["tradovate"] == "logged in")
    assert page.url.endswith("/tradovate.html")
    assert pages.login_attempts("tradovate", "ann@desk.example") == 1

    await eventually(lambda: page.evaluate("typeof __sim === 'object'"))
    assert await page.evaluate("'__tradewireLoginWatch' in window")
    other = await desk.open("ann.desk", pages.url("tradingview.html"))
    # Only the sites the account logs in to are watched.
    assert await other.evaluate("'__tradewireLoginWatch' in window") is False
    await page.evaluate("__sim.insert('NQZ5', 5)")
    await eventually(lambda: len(desk.prints("ann.desk")) == 5)
    body = json.loads(await api_status(desk))
    (status,) = body["sessions"]
    assert status["login"] == {"tradovate": "logged in", "tradingview": "not configured"}


async def test_picks_the_email_method_then_signs_in_to_tradingview(desk, pages):
    pages.accept_login("tradingview", "bo", PASSWORD)
    desk = await desk("bo", **login_settings(pages, "bo", "tradingview", "bo", PASSWORD))
    session = desk.session("bo")
    page = await desk.open("bo", pages.url("tradingview_signin.html"))
    await eventually(lambda: session.status().login["tradingview"] == "logged in")
    assert page.url.endswith("/tradingview.html")
    assert pages.login_attempts("tradingview", "bo") == 1
    assert session.status().login["tradovate"] == "not configured"


async def test_a_wrong_password_stops_after_bounded_attempts_and_is_never_shown(
    desk, pages, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    pages.accept_login("tradovate", "cy", PASSWORD)
    settings = login_settings(pages, "cy", "tradovate", "cy", WRONG)
    with structlog.testing.capture_logs() as events:
        desk = await desk("cy", login_max_failures=2, **settings)
        session = desk.session("cy")
        page = await desk.open("cy", pages.url("tradovate_login.html"))
        await eventually(lambda: "stopped" in session.status().login["tradovate"], timeout=30)
        status = session.status().login["tradovate"]
        assert status == (
            'failed: the site said "Incorrect username or password."; stopped after 2 attempts'
        )
        assert pages.login_attempts("tradovate", "cy") == 2
        assert await page.evaluate("document.querySelector('#error').textContent") != ""
        text = await api_status(desk)
    assert "stopped after 2 attempts" in text
    (stopped,) = [e for e in events if e["event"].startswith("auto-login stopped")]
    assert stopped["log_level"] == "warning"
    assert stopped["variables"] == "TRADEWIRE_CAPTURE__LOGIN__CY__TRADOVATE__*"
    out, err = capfd.readouterr()
    for shown in (text, repr(events), caplog.text, out, err, repr(session.status())):
        assert WRONG not in shown and PASSWORD not in shown


async def test_without_credentials_a_login_form_is_left_alone(desk, pages):
    desk = await desk("dee", tradovate_urls=[pages.base_url + "/tradovate*"])
    session = desk.session("dee")
    page = await desk.open("dee", pages.url("tradovate_login.html"))
    await eventually(lambda: page.evaluate("document.readyState === 'complete'"))
    # Nothing is installed that could type: no binding, no watcher.
    assert await page.evaluate("typeof window.__tradewireLoginForm") == "undefined"
    assert await page.evaluate("'__tradewireLoginWatch' in window") is False
    assert await page.evaluate("document.querySelector('#name-input').value") == ""
    assert session.status().login == {
        "tradovate": "not configured",
        "tradingview": "not configured",
    }


async def logged_in(desk, pages, user):
    """A session for ``user`` with Tradovate credentials, logged in on the simulated page."""
    pages.accept_login("tradovate", user, PASSWORD)
    desk = await desk(user, **login_settings(pages, user, "tradovate", user, PASSWORD))
    session = desk.session(user)
    page = await desk.open(user, pages.url("tradovate_login.html"))
    await eventually(lambda: session.status().login["tradovate"] == "logged in")
    await eventually(lambda: page.url.endswith("/tradovate.html"))
    return session, page


async def test_logs_in_again_when_the_session_expires(desk, pages):
    session, page = await logged_in(desk, pages, "eve")
    # The site sends the trader back to its login screen, with a notice that is not an error.
    await page.goto(pages.url("tradovate_login.html", expired=1))
    await eventually(lambda: pages.login_attempts("tradovate", "eve") == 2)
    await eventually(lambda: page.url.endswith("/tradovate.html"))
    await eventually(lambda: session.status().login["tradovate"] == "logged in")


async def test_a_form_shown_later_in_the_same_page_is_logged_in_to(desk, pages):
    _session, page = await logged_in(desk, pages, "fay")
    # A single-page app swaps its login screen in without loading a new document.
    await page.evaluate(
        """async () => {
        const html = await (await fetch('tradovate_login.html')).text();
        document.body.innerHTML = new DOMParser().parseFromString(html, 'text/html').body.innerHTML;
        const script = document.createElement('script');
        script.src = 'login_sim.js';
        document.body.dataset.site = 'tradovate';
        document.body.append(script);
    }"""
    )
    await eventually(lambda: pages.login_attempts("tradovate", "fay") == 2)
    await eventually(lambda: page.url.endswith("/tradovate.html"))


async def test_logs_in_after_the_browser_restarts(desk, pages, tmp_path):
    pages.accept_login("tradovate", "gus", PASSWORD)
    port = free_port()
    settings = login_settings(pages, "gus", "tradovate", "gus", PASSWORD)
    with running_chrome(tmp_path / "first", port) as cdp_url:
        spec = CaptureSessionSettings(account="gus", cdp_url=cdp_url)
        desk = await desk(sessions=[spec], **settings)
        session = desk.session("gus")
        await desk.open("gus", pages.url("tradovate_login.html"))
        await eventually(lambda: session.status().login["tradovate"] == "logged in")
    await eventually(lambda: session.state == "reconnecting", timeout=20)
    # A new browser, a new profile: the site asks for the login again.
    with running_chrome(tmp_path / "second", port):
        await session.wait_connected(timeout=60)
        page = await desk.open("gus", pages.url("tradovate_login.html"))
        await eventually(lambda: pages.login_attempts("tradovate", "gus") == 2)
        await eventually(lambda: page.url.endswith("/tradovate.html"))
        await eventually(lambda: session.status().login["tradovate"] == "logged in")
        await page.close()


def test_the_server_logs_in_with_credentials_from_its_environment(server_factory, pages):
    pages.accept_login("tradovate", "hal@firm.example", PASSWORD)
    trader = "tradovate.html%3Frate%3D20%26autostart%3D1"
    session = {
        "account": "hal@firm.example",
        "mode": "launch",
        "url": pages.url("tradovate_login.html", next=trader),
    }
    server = server_factory(
        {
            "TRADEWIRE_CAPTURE__SESSIONS": json.dumps([session]),
            "TRADEWIRE_CAPTURE__HEADLESS": "true",
            "TRADEWIRE_CAPTURE__TRADOVATE_URLS": json.dumps([pages.base_url + "/tradovate*"]),
            "TRADEWIRE_CAPTURE__LOGIN__HAL_FIRM_EXAMPLE__TRADOVATE__USERNAME": "hal@firm.example",
            "TRADEWIRE_CAPTURE__LOGIN__HAL_FIRM_EXAMPLE__TRADOVATE__PASSWORD": PASSWORD,
            "TRADEWIRE_LOG_LEVEL": "DEBUG",
        }
    )
    headers = {"Authorization": f"Bearer {server.token()}"}

    def capturing() -> str | None:
        text = httpx.get(f"{server.base_url}/api/capture/status", headers=headers).text
        (status,) = json.loads(text)["sessions"]
        logged_in = status["login"] == {"tradovate": "logged in", "tradingview": "not configured"}
        return text if logged_in and status["stats"]["prints"] >= 20 else None

    text = wait_until(capturing, timeout=60, interval=0.25)
    assert pages.login_attempts("tradovate", "hal@firm.example") == 1
    server.stop()
    assert PASSWORD not in text and PASSWORD not in server.log_path.read_text()
