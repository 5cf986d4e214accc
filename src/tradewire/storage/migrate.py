"""Run Alembic migrations programmatically; ``tradewire db upgrade`` and start-up call this."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from tradewire.storage.db import create_db_engine


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
    finally:
        if own_engine:
            engine.dispose()
