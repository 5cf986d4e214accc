"""SQL storage: SQLAlchemy models, repositories, a group-commit writer and Alembic migrations."""
