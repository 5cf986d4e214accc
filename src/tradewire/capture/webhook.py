"""Webhook intake rules: who may send (shared secret, source allowlist, trusted proxies) and how
often a source may get the secret wrong.

Framework-free so the same checks serve any HTTP front end.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Callable, Sequence

import structlog

from tradewire.alerts import decode_json
from tradewire.alerts.json_alert import passphrase_of
from tradewire.core.auth_failures import AuthFailures
from tradewire.core.errors import (
    AuthenticationError,
    ForbiddenError,
    ThrottledError,
    ValidationError,
)

log = structlog.get_logger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookGuard:
    """Check a webhook request's origin and secret."""

    def __init__(
        self,
        secret: str | None,
        *,
        allowlist: Sequence[str] | None = None,
        trust_proxy: bool = False,
        trusted_proxies: Sequence[str] = ("127.0.0.1", "::1"),
        auth_failures_per_min: int = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secret = secret.encode() if secret else None
        self._allowed = (
            frozenset(ipaddress.ip_address(ip) for ip in allowlist) if allowlist else None
        )
        self._trust_proxy = trust_proxy
        self._proxies = tuple(ipaddress.ip_network(net, strict=False) for net in trusted_proxies)
        self._failures = AuthFailures(auth_failures_per_min, clock=clock)

    @property
    def requires_secret(self) -> bool:
        return self._secret is not None

    @property
    def auth_failures(self) -> int:
        """Requests refused for a wrong or missing secret since start (throttled ones too)."""
        return self._failures.total

    @property
    def auth_throttled(self) -> int:
        """Of those, the ones answered as throttled."""
        return self._failures.throttled

    def client_address(self, peer: str | None, forwarded_for: str | None) -> str | None:
        """The sender's address: the peer or, if the peer is a trusted proxy, the nearest
        X-Forwarded-For hop that is not one (anyone can send the header; only a proxy of ours
        is believed)."""
        if not (self._trust_proxy and forwarded_for and self._is_proxy(peer)):
            return peer
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self._is_proxy(hop):
                return hop
        return hops[0] if hops else peer

    def check_origin(self, address: str | None) -> None:
        """Raise ForbiddenError if an allowlist is on and ``address`` is not on it."""
        if self._allowed is None:
            return
        if _parse_ip(address) not in self._allowed:
            raise ForbiddenError(f"source address {address} is not allowed to send alerts")

    def authenticate(
        self, path_secret: str | None, body: str, address: str | None = None
    ) -> object | None:
        """Check the secret (path or JSON ``passphrase``); return the decoded JSON, if any.

        A wrong or missing secret raises AuthenticationError, or ThrottledError once
        ``address`` is past its budget of failures; the right secret always passes. Decoding
        errors are deferred when the path secret already authenticates, so that the caller
        can store and reject the malformed alert with its reason.
        """
        try:
            return self._check_secret(path_secret, body)
        except AuthenticationError as exc:
            verdict = self._failures.record(address)
            if verdict.to_log:
                log.warning(
                    "webhook secret refused",
                    address=address,
                    failures=verdict.to_log,
                    throttled=verdict.throttled,
                )
            if verdict.throttled:
                raise ThrottledError(
                    "too many wrong webhook secrets from this address: retry later",
                    retry_after=verdict.retry_after,
                ) from exc
            raise

    def _check_secret(self, path_secret: str | None, body: str) -> object | None:
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

    def _is_proxy(self, address: str | None) -> bool:
        ip = _parse_ip(address)
        return ip is not None and any(ip in network for network in self._proxies)


def _parse_ip(address: str | None) -> IPAddress | None:
    """``address`` as an IP address (IPv4-mapped IPv6 as IPv4), or None if it is not one."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _try_decode(body: str) -> object | None:
    try:
        return decode_json(body)
    except ValidationError:
        return None
