"""Real PostgreSQL and Redis for integration tests.

Each test session gets its own PostgreSQL database (dropped afterwards), so parallel runs never
see each other's rows. Outside CI an unreachable service skips the test; in CI (``CI=true``) it
fails, because a skipped integration test there would hide a broken environment.
"""

from __future__ import annotations

import os
import socket
import uuid

import pytest

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
NATS_HOST, NATS_PORT = "127.0.0.1", 4222


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(host: str, port: int, what: str) -> None:
    """Skip (locally) or fail (in CI) when a service is not reachable."""
    if not reachable(host, port):
        message = f"{what} not reachable at {host}:{port}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresDatabase:
    """A throwaway database on the local server."""

    def __init__(self) -> None:
        self.name = f"tw_test_{uuid.uuid4().hex[:12]}"
        self.url = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{self.name}"

    def execute(self, sql: str, dbname: str | None = None) -> list[tuple]:
        """Run ``sql`` (autocommit) in this database, or in ``dbname``; return its rows."""
        import psycopg

        name = dbname or self.name
        with psycopg.connect(
            f"host={PG_HOST} port={PG_PORT} user=postgres dbname={name}", autocommit=True
        ) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def create(self) -> PostgresDatabase:
        self.execute(f'CREATE DATABASE "{self.name}"', dbname="test")
        return self

    def drop(self) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', dbname="test")
