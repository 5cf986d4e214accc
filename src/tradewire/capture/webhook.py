"""Webhook intake rules: who may send (shared secret, source allowlist) and body limits.

Framework-free so the same checks serve any HTTP front end.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Sequence

from tradewire.alerts import decode_json
from tradewire.alerts.json_alert import passphrase_of
from tradewire.core.errors import AuthenticationError, ForbiddenError, ValidationError


class WebhookGuard:
    """Check a webhook request's origin and secret."""

    def __init__(
        self,
        secret: str | None,
        *,
        allowlist: Sequence[str] | None = None,
        trust_proxy: bool = False,
    ) -> None:
        self._secret = secret.encode() if secret else None
        self._allowed = (
            frozenset(ipaddress.ip_address(ip) for ip in allowlist) if allowlist else None
        )
        self._trust_proxy = trust_proxy

    @property
    def requires_secret(self) -> bool:
        return self._secret is not None

    def client_address(self, peer: str | None, forwarded_for: str | None) -> str | None:
        """The sender's address: the peer, or the proxy's last X-Forwarded-For hop if trusted."""
        if self._trust_proxy and forwarded_for:
            hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
            if hops:
                return hops[-1]
        return peer

    def check_origin(self, address: str | None) -> None:
        """Raise ForbiddenError if an allowlist is on and ``address`` is not on it."""
        if self._allowed is None:
            return
        try:
            allowed = address is not None and ipaddress.ip_address(address) in self._allowed
        except ValueError:
            allowed = False
        if not allowed:
            raise ForbiddenError(f"source address {address} is not allowed to send alerts")

    def authenticate(self, path_secret: str | None, body: str) -> object | None:
        """Check the secret (path or JSON ``passphrase``); return the decoded JSON, if any.

        Decoding errors are deferred when the path secret already authenticates, so that the
        caller can store and reject the malformed alert with its reason.
        """
        if self._secret is None:
            return _try_decode(body)
        if path_secret is not None:
            if not hmac.compare_digest(path_secret.encode(), self._secret):
                raise AuthenticationError("invalid webhook secret")
            return _try_decode(body)
        try:
            document = decode_json(body)
        except ValidationError as exc:
            raise AuthenticationError("missing webhook secret (put it in the URL path)") from exc
        given = passphrase_of(document) if isinstance(document, dict) else None
        if given is None:
            raise AuthenticationError(
                "missing webhook secret: add it to the URL path or a 'passphrase' field"
            )
        if not hmac.compare_digest(given.encode(), self._secret):
            raise AuthenticationError("invalid webhook secret")
        return document


def _try_decode(body: str) -> object | None:
    try:
        return decode_json(body)
    except ValidationError:
        return None
