"""The user: a name, a role (what its tokens may do) and whether it may sign in at all."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from tradewire.core.errors import ValidationError
from tradewire.core.events import Event
from tradewire.users.settings import UserSettings


class Role(StrEnum):
    """What a user's tokens may do: read, also store tape for its own account, or anything."""

    ADMIN = "admin"
    SUBSCRIBER = "subscriber"
    INGEST = "ingest"


#: Every role's name, as tokens carry it.
ROLES: tuple[str, ...] = tuple(role.value for role in Role)

#: Letters, digits and ``. _ @ -``: a name is a token's subject, shown in tables and logs.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


def is_user_name(name: str) -> bool:
    """Whether ``name`` could be a stored user's name (anything else never is)."""
    return _NAME.fullmatch(name) is not None


def user_name(raw: str) -> str:
    """Return ``raw`` stripped, or raise ValidationError unless it is a valid user name."""
    name = raw.strip()
    if not is_user_name(name):
        raise ValidationError(
            f"invalid user name {raw[:120]!r}: use 1-100 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return name


def role_of(raw: str) -> Role:
    """Return the role named ``raw``, or raise ValidationError naming the valid ones."""
    try:
        return Role(raw)
    except ValueError:
        raise ValidationError(f"unknown role {raw[:40]!r}: use {', '.join(ROLES)}") from None


@dataclass(frozen=True, slots=True)
class User:
    """A stored user (never its password hash: see :class:`Credentials`)."""

    name: str
    role: Role
    disabled: bool
    created_ns: int
    has_password: bool


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user and its password hash (None: it signs in with issued tokens only)."""

    user: User
    password_hash: str | None = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class UserDisabled(Event):
    """A user was disabled: its tokens no longer work and its open connections are closed."""

    user: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserSettingsChanged(Event):
    """A user's settings were saved: whoever keeps a copy (the paper desk) takes these."""

    user: str
    settings: UserSettings
