"""Webhook secret and source checks."""

import pytest

from tradewire.api.errors import status_for
from tradewire.capture.webhook import WebhookGuard
from tradewire.core.errors import AuthenticationError, ForbiddenError, ThrottledError
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


RIGHT = "right-secret-of-16+"


class SteppedClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    guard = WebhookGuard(
        None, allowlist=TRADINGVIEW_WEBHOOK_IPS, trust_proxy=True, trusted_proxies=["10.0.0.0/8"]
    )
    # anyone can send the header: from an untrusted peer it is ignored
    assert guard.client_address("127.0.0.1", "34.212.75.30") == "127.0.0.1"
    assert guard.client_address("10.1.2.3", "34.212.75.30") == "34.212.75.30"
    # a chain of trusted proxies is walked back to the first address none of them vouches for
    assert guard.client_address("10.1.2.3", "9.9.9.9, 34.212.75.30, 10.0.0.7") == "34.212.75.30"
    assert guard.client_address("::ffff:10.1.2.3", "34.212.75.30") == "34.212.75.30"
    assert guard.client_address(None, "34.212.75.30") is None
    assert guard.client_address("10.1.2.3", " , ") == "10.1.2.3"


def test_wrong_secrets_past_the_budget_are_throttled_but_the_right_one_never_is():
    clock = SteppedClock()
    guard = WebhookGuard(RIGHT, auth_failures_per_min=3, clock=clock)
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            guard.authenticate("guess", "BTC BUY", address="6.6.6.6")
    with pytest.raises(ThrottledError) as throttled:
        guard.authenticate(None, '{"passphrase": "guess"}', address="6.6.6.6")
    assert status_for(throttled.value) == 429 and throttled.value.retry_after >= 1
    # the right secret from the throttled address is neither refused nor delayed
    assert guard.authenticate(RIGHT, "BTC BUY", address="6.6.6.6") is None
    assert guard.authenticate(None, f'{{"passphrase": "{RIGHT}"}}', address="6.6.6.6")
    # other addresses keep their own budget
    with pytest.raises(AuthenticationError) as other:
        guard.authenticate(None, "BTC BUY", address="7.7.7.7")
    assert not isinstance(other.value, ThrottledError)
    assert (guard.auth_failures, guard.auth_throttled) == (5, 1)
    # after the Retry-After it was given, a wrong secret is answered 401 again
    clock.now += throttled.value.retry_after
    with pytest.raises(AuthenticationError) as later:
        guard.authenticate("guess", "BTC BUY", address="6.6.6.6")
    assert not isinstance(later.value, ThrottledError)
