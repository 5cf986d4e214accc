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
    engine = engine or create_db_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(url: str, revision: str, engine: Engine | None = None) -> None:
    """Take the database at ``url`` down to ``revision``."""
    engine = engine or create_db_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
