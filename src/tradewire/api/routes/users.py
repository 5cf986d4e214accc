"""``POST /api/users/{name}/disable|enable`` (admin): what ``tradewire user disable|enable`` asks
of a running server, so that the process owning the user store applies the change, refuses the
user's tokens from that moment and closes its open WebSocket connections."""

from __future__ import annotations

from fastapi import APIRouter

from tradewire.api.deps import AdminDep, ServicesDep
from tradewire.core.clock import iso_utc
from tradewire.users.model import User

router = APIRouter(tags=["users"])


def user_wire(user: User) -> dict[str, object]:
    """A user as the API shows it (never its password hash)."""
    return {
        "name": user.name,
        "role": user.role.value,
        "disabled": user.disabled,
        "has_password": user.has_password,
        "created_at": iso_utc(user.created_ns),
    }


@router.post("/api/users/{name}/disable", summary="Disable a user: its tokens stop working now")
async def disable(name: str, api: ServicesDep, _admin: AdminDep) -> dict[str, object]:
    return user_wire(await api.users.set_disabled(name, True))


@router.post("/api/users/{name}/enable", summary="Enable a disabled user again")
async def enable(name: str, api: ServicesDep, _admin: AdminDep) -> dict[str, object]:
    return user_wire(await api.users.set_disabled(name, False))
