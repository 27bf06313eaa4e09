import shutil
from pathlib import Path

import pytest

from tests.newsroom.processes import manage, production_env


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session, for servers that render real pages."""
    folder = tmp_path_factory.mktemp("migrated")
    result = manage("migrate", "--noinput", env=production_env(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "db.sqlite3"


@pytest.fixture
def migrated_database_url(tmp_path: Path, migrated_sqlite_template: Path) -> str:
    """DATABASE_URL of this test's own copy of the migrated SQLite file."""
    copy = tmp_path / "migrated.sqlite3"
    shutil.copyfile(migrated_sqlite_template, copy)
    return f"sqlite:///{copy}"
