"""SQLite connections that never create the database file from a web request.

``sqlite3.connect()`` creates a missing file. When the database is moved away
(a restore, a disk that is not mounted yet), a request would then leave an
empty database at its path, answer "no such table" for as long as its
connection lives, and the real file could not simply be put back. Web
processes (``newsroom.wsgi``) call ``refuse_to_create()``: from then on a
missing file is an ``OperationalError``, which readers see as a 503 until the
file is back. Management commands (``migrate`` on a fresh machine) still
create it.
"""

import os
import sqlite3

_create = True


def refuse_to_create() -> None:
    """From now on, this process never creates a missing database file."""
    global _create
    _create = False


def is_file_path(database: object) -> bool:
    """Whether ``database`` names a file on disk (not ``:memory:``, not a ``file:`` URI)."""
    return (
        isinstance(database, str | os.PathLike)
        and str(database) not in ("", ":memory:")
        and (not str(database).startswith("file:"))
    )


class Connection(sqlite3.Connection):
    """The ``factory`` for ``sqlite3.connect`` (``DATABASES`` ``OPTIONS``)."""

    def __init__(self, database, *args, **kwargs) -> None:
        if not _create and is_file_path(database) and not os.path.exists(database):
            raise sqlite3.OperationalError(f"the database file {database} is missing")
        super().__init__(database, *args, **kwargs)
