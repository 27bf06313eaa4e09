"""newsroom.sqlite: web processes never create a missing database file."""

import importlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsroom import sqlite


@pytest.fixture
def refusing() -> Iterator[None]:
    sqlite.refuse_to_create()
    yield
    sqlite._create = True


def test_management_commands_may_create_the_file(tmp_path: Path):
    path = tmp_path / "new.sqlite3"
    sqlite3.connect(path, factory=sqlite.Connection).close()
    assert path.exists()


def test_a_web_process_refuses_to_create_a_missing_file(tmp_path: Path, refusing):
    path = tmp_path / "moved-away.sqlite3"
    with pytest.raises(sqlite3.OperationalError, match="is missing"):
        sqlite3.connect(str(path), factory=sqlite.Connection)
    assert not path.exists()


def test_a_web_process_opens_an_existing_file(tmp_path: Path, refusing):
    path = tmp_path / "there.sqlite3"
    sqlite3.connect(path).close()
    connection = sqlite3.connect(path, factory=sqlite.Connection)
    assert connection.execute("select 1").fetchone() == (1,)
    connection.close()


@pytest.mark.parametrize("name", [":memory:", "file:memorydb_default?mode=memory&cache=shared"])
def test_in_memory_databases_are_left_alone(name: str, refusing):
    sqlite3.connect(name, factory=sqlite.Connection, uri=True).close()


def test_the_wsgi_application_turns_refusal_on():
    import newsroom.wsgi

    sqlite._create = True
    try:
        importlib.reload(newsroom.wsgi)  # what gunicorn's import of it does
        assert sqlite._create is False
    finally:
        sqlite._create = True
