"""Webhook secret and source checks."""

import pytest

from tradewire.capture.webhook import WebhookGuard
from tradewire.core.errors import AuthenticationError, ForbiddenError
from tradewire.settings import TRADINGVIEW_WEBHOOK_IPS


def test_path_secret_and_passphrase():
    guard = WebhookGuard("right")
    assert guard.authenticate("right", "BTC/USDT BUY") is None
    assert guard.authenticate(None, '{"passphrase": "right", "ticker": "X"}')["ticker"] == "X"
    for path, body in [
        ("wrong", "BTC BUY"),
        (None, "BTC BUY"),
        (None, '{"ticker": "X"}'),
        (None, '{"passphrase": "wrong"}'),
        (None, '{"passphrase": 5}'),
        (None, "{broken"),
    ]:
        with pytest.raises(AuthenticationError):
            guard.authenticate(path, body)


def test_path_secret_defers_json_errors_to_the_pipeline():
    assert WebhookGuard("right").authenticate("right", "{broken") is None


def test_allowlist_and_forwarded_for():
    direct = WebhookGuard(None, allowlist=TRADINGVIEW_WEBHOOK_IPS)
    direct.check_origin("52.89.214.238")
    with pytest.raises(ForbiddenError):
        direct.check_origin("127.0.0.1")
    with pytest.raises(ForbiddenError):
        direct.check_origin("not-an-ip")
    # without trusting a proxy, X-Forwarded-For is ignored (it is trivially forged)
    assert direct.client_address("10.0.0.1", "52.89.214.238") == "10.0.0.1"
    proxied = WebhookGuard(None, allowlist=TRADINGVIEW_WEBHOOK_IPS, trust_proxy=True)
    assert proxied.client_address("127.0.0.1", "1.2.3.4, 52.89.214.238") == "52.89.214.238"
