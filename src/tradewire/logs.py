"""Structured logging (structlog): human-readable on a terminal, JSON lines when asked."""

from __future__ import annotations

import logging
import sys
from typing import Any, cast

import structlog

from tradewire.alerts.redaction import redact, redact_text


def _redact_event(_logger: object, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Mask secrets in an event: values under secret keys, and secrets in text at any depth
    (library records too: uvicorn logs every WebSocket path with its query string)."""
    return cast(dict[str, Any], redact(event_dict))


def _redact_rendered(_logger: object, _method: str, line: str) -> str:
    # Tracebacks are rendered last, and an exception's text can hold a URL with its token.
    return redact_text(line)


def configure(level: str = "INFO", json: bool = False) -> None:
    """Route structlog and the standard library's logging through one formatter."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_event,
    ]
    renderer = (
        structlog.processors.JSONRenderer()
        if json
        # Plain tracebacks: rich ones print local variables, which can hold secrets.
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        # Drop events below the level before any processor formats a timestamp for them.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info if json else (lambda _l, _m, e: e),
                renderer,
                _redact_rendered,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs full URLs, and a webhook URL can carry its secret.
    for noisy in ("uvicorn.access", "alembic.runtime.migration", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
