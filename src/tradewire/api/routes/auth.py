"""``POST /api/auth/login``: a user name and password for a token.

A wrong name, a wrong password, a user without a password and a disabled user all get the same
401 after the same work, so the answer does not tell which names exist; an address that failed
too often lately gets 429 with ``Retry-After`` and its guesses are not checked.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from tradewire.api.deps import ServicesDep
from tradewire.core.clock import iso_utc
from tradewire.users.passwords import MAX_CHARS

router = APIRouter(tags=["users"])

#: How long a token from a sign-in is valid; ``tradewire token create`` makes longer ones.
TOKEN_TTL_DAYS = 0.5


class LoginBody(BaseModel):
    """``{"username": "alice", "password": "…"}``"""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=MAX_CHARS)


@router.post(
    "/api/auth/login",
    summary="Sign in: a token for the user's role, valid for 12 hours",
    responses={401: {"description": "wrong user name or password"}, 429: {}},
)
async def login(body: LoginBody, request: Request, api: ServicesDep) -> dict[str, str]:
    address = api.webhook_guard.client_address(
        request.client.host if request.client else None, request.headers.get("x-forwarded-for")
    )
    user = await api.users.sign_in(body.username, body.password, address)
    issued = api.tokens.issued(user.name, user.role.value, ttl_days=TOKEN_TTL_DAYS)
    return {"token": issued.token, "expires_at": iso_utc(issued.expires_s * 1_000_000_000)}
