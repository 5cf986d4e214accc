"""The real backends of the contract suites, named as fixture parameters.

``-m "not postgres"`` or ``-m "not redis"`` leaves a server's backend out.
"""

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from tradewire.storage.writer import GroupCommitWriter

SQL = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgres))
REDIS = pytest.param("redis", marks=pytest.mark.redis)

#: Opens a migrated database of a kind in ``SQL`` with a running writer (fixture open_database).
OpenDatabase = Callable[[str], tuple[Engine, GroupCommitWriter]]
