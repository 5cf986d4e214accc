"""Settings as an operator writes them reach the running server."""

import httpx


def test_a_single_page_pattern_reaches_the_userscript(server_factory):
    server = server_factory(
        {
            "TRADEWIRE_CAPTURE__TRADOVATE_URLS": "https://trader.example.com/*",
            "TRADEWIRE_CAPTURE__TRADINGVIEW_URLS": '["https://a.example.com/*", "https://b.example.com/*"]',
        }
    )
    tradovate = httpx.get(f"{server.base_url}/userscripts/tradovate.user.js").text
    assert "// @match        https://trader.example.com/*" in tradovate
    tradingview = httpx.get(f"{server.base_url}/userscripts/tradingview.user.js").text
    assert "// @match        https://a.example.com/*" in tradingview
    assert "// @match        https://b.example.com/*" in tradingview
