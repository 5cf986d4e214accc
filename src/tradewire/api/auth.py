"""JWT tokens for API and WebSocket clients, and the secret they are signed with.

The signing secret comes from ``TRADEWIRE_JWT_SECRET`` or, failing that, from a file generated
on first run under the data folder with mode 0600.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import jwt

from tradewire.core.errors import AuthenticationError, ConfigError, ForbiddenError
from tradewire.core.ids import new_id

Role = Literal["admin", "subscriber"]
ROLES: tuple[str, ...] = ("admin", "subscriber")
_ALGORITHM = "HS256"
_ISSUER = "tradewire"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a valid token speaks for."""

    user: str
    role: str
    token_id: str

    def require_admin(self) -> None:
        if self.role != "admin":
            raise ForbiddenError("this needs an admin token")


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


class TokenService:
    """Issue and verify HS256 JWTs."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def issue(self, user: str, role: str = "subscriber", ttl_days: float = 30) -> str:
        """Return a signed token for ``user`` with ``role``, valid for ``ttl_days``."""
        if role not in ROLES:
            raise AuthenticationError(f"unknown role {role!r}: use admin or subscriber")
        if not user or len(user) > 100:
            raise AuthenticationError("user name must be 1-100 characters")
        now = int(time.time())
        claims = {
            "sub": user,
            "role": role,
            "iat": now,
            "exp": now + int(ttl_days * 86400),
            "iss": _ISSUER,
            "jti": new_id(),
        }
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

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
        return Principal(user=str(claims["sub"]), role=role, token_id=str(claims.get("jti", "")))


def bearer_token(authorization: str | None, query_token: str | None) -> str | None:
    """Pick the token from ``Authorization: Bearer …`` or a ``token`` query parameter."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return query_token or None
