"""The database library's errors, translated at the storage boundary.

A database that cannot be reached, was dropped, cut the connection, is full or read-only fails
for now, not for good: that becomes :class:`RetryableError` (503 with ``Retry-After``). Any other
error (a constraint, a bug in a statement) is left as it is.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

import psycopg
import structlog
from sqlalchemy import exc as sa

from tradewire.core.errors import RetryableError

log = structlog.get_logger(__name__)

#: Seconds a client is told to wait before asking again.
RETRY_AFTER_S = 5.0

#: The storage could not do it now. The raw drivers' own errors are here too: COPY and exports
#: use the driver's cursor, below SQLAlchemy's wrapping.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    sa.OperationalError,  # unreachable, terminated, dropped, disk full, read-only, locked
    sa.InterfaceError,  # the connection was lost under the driver
    sa.TimeoutError,  # no pooled connection came free in time
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
)

P = ParamSpec("P")
R = TypeVar("R")


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be used now (rather than a bad statement)."""
    if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, _UNAVAILABLE)


def reason(exc: BaseException) -> str:
    """The first line of the driver's message: what the operator needs, for the log."""
    cause = exc.orig if isinstance(exc, sa.DBAPIError) else exc
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__


def retryable_error() -> RetryableError:
    """The error to raise for a database that :func:`unavailable` said cannot be used now.

    The client is told what to do; where the database is and why it failed is for the log.
    """
    return RetryableError("the database is unavailable; retry later", retry_after=RETRY_AFTER_S)


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Raise RetryableError (from the original) for what :func:`unavailable` accepts."""
    try:
        yield
    except Exception as exc:
        if unavailable(exc):
            log.warning("database unavailable", error=reason(exc))
            raise retryable_error() from exc
        raise


def retryable(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a storage function, or generator function, to translate as :func:`translated`."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: P.args, **kwargs: P.kwargs):  # type: ignore[no-untyped-def]
            with translated():
                return (yield from fn(*args, **kwargs))

        return generator  # type: ignore[return-value]

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        with translated():
            return fn(*args, **kwargs)

    return call
