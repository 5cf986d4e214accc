"""JWT tokens for API and WebSocket clients, and the secret they are signed with.

Roles: ``subscriber`` reads (signals, the WebSocket, tape, market data, status); ``ingest`` also
stores tape, for its own account only; ``admin`` may do anything, for any account. A token may
carry an account (claim ``acct``); an ingest token always does, by default its user's name.
Tokens issued before accounts existed carry none and stay valid.

A token names its user; when that user is in the user store and disabled, the token is refused
(the check is an in-memory set lookup). A token for a name the store does not hold works as
before.

The signing secret comes from ``TRADEWIRE_JWT_SECRET`` or, failing that, from a file generated
on first run under the data folder with mode 0600.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import jwt

from tradewire.core.errors import AuthenticationError, ConfigError, ForbiddenError
from tradewire.core.ids import new_id
from tradewire.users.model import ROLES

_ALGORITHM = "HS256"
_ISSUER = "tradewire"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a valid token speaks for."""

    user: str
    role: str
    token_id: str
    account: str | None = None

    def require_admin(self) -> None:
        if self.role != "admin":
            raise ForbiddenError("this needs an admin token")

    def require_ingest(self) -> None:
        if self.role not in ("admin", "ingest"):
            raise ForbiddenError("storing tape needs an ingest or admin token")

    @property
    def ingest_account(self) -> str:
        """The account tape is stored under when the message names none."""
        return self.account or self.user

    def may_ingest_into(self, accounts: Iterable[str]) -> None:
        """Raise ForbiddenError unless this token may store tape for every one of ``accounts``."""
        self.require_ingest()
        if self.role == "admin":
            return
        others = sorted(set(accounts) - {self.ingest_account})
        if others:
            raise ForbiddenError(
                f"this token stores tape for account {self.ingest_account!r} only, "
                f"not {', '.join(map(repr, others))}"
            )


def load_or_create_secret(configured: str | None, path: Path) -> str:
    """Return the configured secret, or the one in ``path``, creating it (0600) if missing."""
    if configured:
        if len(configured) < 32:
            raise ConfigError("TRADEWIRE_JWT_SECRET must be at least 32 characters")
        return configured
    try:
        secret = path.read_text().strip()
        if secret:
            return secret
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    os.chmod(path, 0o600)
    return secret


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A signed token and when it expires (epoch seconds)."""

    token: str
    expires_s: int


class TokenService:
    """Issue and verify HS256 JWTs."""

    def __init__(self, secret: str, disabled: Callable[[str], bool] | None = None) -> None:
        """``disabled`` says whether a user name is a disabled user (None: nobody is)."""
        self._secret = secret
        self._disabled = disabled

    def issue(
        self,
        user: str,
        role: str = "subscriber",
        ttl_days: float = 30,
        account: str | None = None,
    ) -> str:
        """Return a signed token for ``user`` with ``role``, valid for ``ttl_days``.

        An ingest token is bound to ``account``, by default the user's name.
        """
        return self.issued(user, role, ttl_days, account).token

    def issued(
        self,
        user: str,
        role: str = "subscriber",
        ttl_days: float = 30,
        account: str | None = None,
    ) -> IssuedToken:
        """Like :meth:`issue`, and say when the token expires."""
        if role not in ROLES:
            raise AuthenticationError(f"unknown role {role!r}: use {', '.join(ROLES)}")
        if not user or len(user) > 100:
            raise AuthenticationError("user name must be 1-100 characters")
        if account is None and role == "ingest":
            account = user
        if account is not None and not 0 < len(account) <= 100:
            raise AuthenticationError("account name must be 1-100 characters")
        now = int(time.time())
        claims = {
            "sub": user,
            "role": role,
            "iat": now,
            "exp": now + int(ttl_days * 86400),
            "iss": _ISSUER,
            "jti": new_id(),
        }
        if account is not None:
            claims["acct"] = account
        return IssuedToken(jwt.encode(claims, self._secret, algorithm=_ALGORITHM), claims["exp"])

    def verify(self, token: str | None) -> Principal:
        """Return the token's principal, or raise AuthenticationError saying why not."""
        if not token:
            raise AuthenticationError("missing token")
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                issuer=_ISSUER,
                options={"require": ["sub", "exp", "iat", "role"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("token expired") from exc
        except jwt.InvalidTokenError as exc:
            raise AuthenticationError("invalid token") from exc
        role = claims.get("role")
        if role not in ROLES:
            raise AuthenticationError("invalid token role")
        account = claims.get("acct")
        if account is not None and (not isinstance(account, str) or not account):
            raise AuthenticationError("invalid token account")
        user = str(claims["sub"])
        if self._disabled is not None and self._disabled(user):
            raise AuthenticationError("user disabled")
        return Principal(
            user=user,
            role=role,
            token_id=str(claims.get("jti", "")),
            account=account,
        )


def bearer_token(authorization: str | None, query_token: str | None) -> str | None:
    """Pick the token from ``Authorization: Bearer …`` or a ``token`` query parameter."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return query_token or None
