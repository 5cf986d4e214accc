"""Finding a browser's DevTools websocket: what a wrong URL or a missing port file does."""

from __future__ import annotations

import pytest

from tradewire.capture.browser.devtools import (
    ACTIVE_PORT_FILE,
    DevTools,
    DevToolsError,
    endpoint_from_http,
    endpoint_from_profile,
)
from tradewire.demo.pages import PageServer


async def test_a_websocket_url_is_the_endpoint_itself():
    url = "ws://127.0.0.1:9222/devtools/browser/abc"
    assert await endpoint_from_http(url) == url


async def test_an_http_server_that_is_not_a_browser_is_a_clear_error():
    with PageServer() as pages, pytest.raises(DevToolsError, match="no DevTools endpoint at"):
        await endpoint_from_http(pages.base_url)


async def test_the_port_file_names_the_endpoint(tmp_path):
    (tmp_path / ACTIVE_PORT_FILE).write_text("40123\n/devtools/browser/abc-def\n")
    assert await endpoint_from_profile(tmp_path) == "ws://127.0.0.1:40123/devtools/browser/abc-def"


async def test_no_port_file_is_a_clear_error(tmp_path):
    with pytest.raises(DevToolsError, match=ACTIVE_PORT_FILE):
        await endpoint_from_profile(tmp_path, timeout=0.1)


async def test_nobody_listening_is_a_clear_error():
    with pytest.raises(DevToolsError, match="cannot open the DevTools websocket"):
        await DevTools.connect("ws://127.0.0.1:9/devtools/browser/none")
