"""Run Alembic migrations programmatically; ``tradewire db upgrade`` and start-up call this."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from tradewire.core.errors import FatalError
from tradewire.storage.db import create_db_engine, safe_url


def alembic_config(url: str) -> Config:
    """Return an Alembic config pointing at the packaged migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", "tradewire.storage:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", engine: Engine | None = None) -> None:
    """Bring the database at ``url`` up to ``revision``."""
    _run(command.upgrade, url, revision, engine)


def downgrade(url: str, revision: str, engine: Engine | None = None) -> None:
    """Take the database at ``url`` down to ``revision``."""
    _run(command.downgrade, url, revision, engine)


def _run(step, url: str, revision: str, engine: Engine | None) -> None:
    own_engine = engine is None
    engine = engine or create_db_engine(url)
    config = alembic_config(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
    except DBAPIError as exc:
        # Unreachable, refused, read-only or full: the first line of the driver's reason says which.
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig)
        raise FatalError(
            f"the database {safe_url(url)} cannot be used: {reason}; check "
            "TRADEWIRE_DATABASE_URL, that the database is running, and that it can write"
        ) from exc
    finally:
        if own_engine:
            engine.dispose()
