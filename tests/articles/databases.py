"""Databases that other connections write at the same time, for real.

pytest-django keeps the SQLite test database in memory, where connections
share one cache and collide on table locks at once instead of waiting as
they do on a file. Tests of concurrent writes and of a held write lock copy
it to a file, opened with the production options (WAL, immediate
transactions, the bounded busy timeout), and point a thread's default
connection at that file.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, connections


def copy_test_database(path: Path) -> None:
    """The SQLite test database as it is now (migrated, no test rows), into ``path``."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


@contextmanager
def default_database_on(path: Path) -> Iterator[None]:
    """In this thread, the default database is the SQLite file at ``path``."""
    original = connections["default"]
    on_file = original.__class__({**original.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = on_file
    try:
        yield
    finally:
        on_file.close()
        connections["default"] = original
