"""SQLite as one box's production database: several gunicorn workers write at once."""

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.newsroom.processes import ROOT, production_env

pytestmark = pytest.mark.process

WRITERS = 6
TRANSACTIONS = 40


def database_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def test_concurrent_writer_processes_never_see_database_is_locked(
    tmp_path: Path, migrated_database_url: str
):
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url)

    go_file = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.newsroom.sqlite_writer", f"w{n}", str(TRANSACTIONS)]
            + [str(go_file)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(WRITERS)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < WRITERS:
        assert time.monotonic() < deadline, "the writers did not reach the starting line"
        assert all(writer.poll() is None for writer in writers), "a writer died before starting"
        time.sleep(0.02)
    go_file.touch()
    outputs = [writer.communicate(timeout=120)[0] for writer in writers]

    for writer, output in zip(writers, outputs, strict=True):
        assert "database is locked" not in output, output[-2000:]
        assert writer.returncode == 0, output
    with sqlite3.connect(database_path(migrated_database_url)) as db:
        names = {
            name for (name,) in db.execute("SELECT name FROM auth_group WHERE name GLOB 'w[0-9]*'")
        }
    assert names == {f"w{n}-{i}" for n in range(WRITERS) for i in range(TRANSACTIONS)}


def test_a_migrated_sqlite_database_is_in_wal_mode(migrated_database_url: str):
    with sqlite3.connect(database_path(migrated_database_url)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
