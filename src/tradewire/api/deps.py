"""FastAPI dependencies: the container and the caller's identity.

They are ``async`` on purpose: FastAPI runs plain functions in a worker thread, a hand-off that
costs far more than these trivial lookups.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from tradewire.api.auth import Principal, bearer_token
from tradewire.bootstrap import Container


async def container(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(container)]


async def principal(
    request: Request,
    token: Annotated[str | None, Query(description="JWT, if not sent as a Bearer header")] = None,
) -> Principal:
    """The caller's identity from a Bearer header or ``?token=``; 401 if missing or invalid."""
    raw = bearer_token(request.headers.get("authorization"), token)
    return request.app.state.container.tokens.verify(raw)


async def admin(user: Annotated[Principal, Depends(principal)]) -> Principal:
    """Like :func:`principal` but the token must have the admin role (403 otherwise)."""
    user.require_admin()
    return user


PrincipalDep = Annotated[Principal, Depends(principal)]
AdminDep = Annotated[Principal, Depends(admin)]
