"""One error hierarchy, organised by what the caller should do about it.

* :class:`RejectError` — the input is wrong; tell the sender why and do not retry.
* :class:`RetryableError` — something outside us failed for now; retry later.
* :class:`FatalError` — configuration or environment is broken; stop and tell the operator.

Library errors are translated into these at the adapter boundary with ``raise ... from exc``.
"""

from __future__ import annotations


class TradewireError(Exception):
    """Base of every error tradewire raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RejectError(TradewireError):
    """The input is invalid; reject it with this message."""


class ValidationError(RejectError):
    """A value failed a sanity or format check."""


class AuthenticationError(RejectError):
    """Credentials are missing or wrong."""


class ForbiddenError(RejectError):
    """The caller is known but not allowed to do this."""


class NotFoundError(RejectError):
    """The thing asked for does not exist."""


class ConflictError(RejectError):
    """The request clashes with what exists already (e.g. a second session for one account)."""


class PayloadTooLargeError(RejectError):
    """The input is larger than allowed."""


class RetryableError(TradewireError):
    """A transient failure outside tradewire; retrying later may succeed."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ThrottledError(RetryableError):
    """The sender has made too many failed attempts lately; it may retry after ``retry_after``."""


class FatalError(TradewireError):
    """Configuration or environment is broken; stop and tell the operator."""


class ConfigError(FatalError):
    """A setting is missing or invalid."""
