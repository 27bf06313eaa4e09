import datetime

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, so query counts do not depend on order."""
    cache.clear()
    yield
    cache.clear()


NOON = datetime.datetime(2024, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def noon(time_machine) -> datetime.datetime:
    """The clock stands still at 2024-03-10 12:00 UTC; move it with ``time_machine.move_to``."""
    time_machine.move_to(NOON, tick=False)
    return NOON


@pytest.fixture
def sqlite_file(tmp_path, django_db_blocker):
    """The default database, in this thread, is a SQLite file with the
    production options (``tests/articles/databases.py``); yields its path.
    Rows written here are committed to that file and gone with it."""
    from django.db import connection

    from tests.articles.databases import copy_test_database, default_database_on

    if connection.vendor != "sqlite":
        pytest.skip("a SQLite file")
    path = tmp_path / "db.sqlite3"
    with django_db_blocker.unblock():
        copy_test_database(path)
        with default_database_on(path):
            yield path


@pytest.fixture
def shared_database(request):
    """A committed database that threads write at once: the SQLite file of
    ``sqlite_file``, or PostgreSQL's test database; either way the test needs
    ``django_db(transaction=True)``. Yields what a
    thread enters to use it."""
    from contextlib import nullcontext

    from django.db import connection

    from tests.articles.databases import default_database_on

    if connection.vendor == "sqlite":
        path = request.getfixturevalue("sqlite_file")
        yield lambda: default_database_on(path)
    else:
        yield nullcontext
