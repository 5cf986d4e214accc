"""Structured logging (structlog): human-readable on a terminal, JSON lines when asked."""

from __future__ import annotations

import logging
import re
import sys

import structlog

_SECRET_IN_URL = re.compile(r"((?:token|passphrase|secret)=)[^&\s\"']+", re.IGNORECASE)
_WEBHOOK_PATH_SECRET = re.compile(r"(/webhook/tradingview/)[^\s\"'?]+")


class RedactSecrets(logging.Filter):
    """Blank tokens and webhook secrets that library loggers put in URLs (uvicorn logs every
    WebSocket path with its query string)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _WEBHOOK_PATH_SECRET.sub(r"\1***", _SECRET_IN_URL.sub(r"\1***", message))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure(level: str = "INFO", json: bool = False) -> None:
    """Route structlog and the standard library's logging through one formatter."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
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
    handler.addFilter(RedactSecrets())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info if json else (lambda _l, _m, e: e),
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs full URLs, and a webhook URL can carry its secret.
    for noisy in ("uvicorn.access", "alembic.runtime.migration", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
