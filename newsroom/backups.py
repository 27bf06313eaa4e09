"""Backups: the database (a consistent online copy) and the media folder in one archive.

An archive is a ``.tar.gz`` holding ``manifest.json``, the database —
``database.sqlite3`` made with SQLite's online backup API, or
``database.pgdump`` made by ``pg_dump --format=custom`` — and ``media/``.
``manage.py backup`` writes one, ``manage.py restore`` puts one back
(docs/operations.md, "Backups").
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from newsroom import cache as content

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# pg_dump and pg_restore may take long on a big site, never forever.
PG_TIMEOUT = 6 * 60 * 60


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def postgres_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: from ``PG_BIN`` when set, else on PATH, else the
    newest of Debian's /usr/lib/postgresql/<version>/bin (pg_dump must be at
    least as new as the server)."""
    folder = os.environ.get("PG_BIN")
    candidates = [Path(folder) / name] if folder else []
    if on_path := shutil.which(name):
        candidates.append(Path(on_path))
    debian = Path("/usr/lib/postgresql").glob(f"*/bin/{name}")
    versions = [path for path in debian if path.parts[-3].isdigit()]
    candidates += sorted(versions, key=lambda path: int(path.parts[-3]), reverse=True)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(f"{name} was not found: install the PostgreSQL client or set PG_BIN")


def _postgres_env(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for the PostgreSQL tools (password
    in the environment, never on the command line)."""
    arguments = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        arguments += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        arguments += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        arguments += ["--username", settings_dict["USER"]]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return arguments, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=PG_TIMEOUT,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _media_root() -> Path | None:
    """The media folder, when uploads live on this machine's disk."""
    backend = settings.STORAGES["default"]["BACKEND"]
    if backend != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(settings.MEDIA_ROOT)


def dump_database(folder: Path, alias: str = "default") -> str:
    """A consistent copy of the database in ``folder``; the file's name."""
    connection = connections[alias]
    name = DATABASE_FILES.get(connection.vendor)
    if name is None:
        raise BackupError(f"backups of {connection.vendor} databases are not supported")
    target = folder / name
    if connection.vendor == "sqlite":
        # The online backup API copies a snapshot while the site keeps
        # writing (WAL included), unlike copying the file.
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            with connection.wrap_database_errors:
                connection.connection.backup(copy)
        finally:
            copy.close()
    else:
        arguments, env = _postgres_env(connection.settings_dict)
        _run([postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(target), *arguments], env)  # fmt: skip
    return name


def create(output: Path, alias: str = "default") -> Path:
    """Write a backup archive into ``output`` and return its path."""
    output.mkdir(parents=True, exist_ok=True)
    started = timezone.now().astimezone(datetime.UTC)
    archive = output / f"newsroom-backup-{started:%Y%m%dT%H%M%SZ}.tar.gz"
    if archive.exists():
        raise BackupError(f"{archive} exists already; wait a second or choose another --output")
    with tempfile.TemporaryDirectory(dir=output, prefix=".backup-") as work:
        work_path = Path(work)
        database = dump_database(work_path, alias)
        media = _media_root()
        manifest = {
            "format": FORMAT,
            "created": started.isoformat(),
            "vendor": connections[alias].vendor,
            "database": database,
            "media": media is not None,
        }
        (work_path / MANIFEST).write_text(json.dumps(manifest, indent=2))
        partial = work_path / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work_path / MANIFEST, arcname=MANIFEST)
            tar.add(work_path / database, arcname=database)
            if media is not None and media.is_dir():
                tar.add(media, arcname=MEDIA)
        # Whole or not at all: a failed backup never leaves a truncated archive behind.
        os.replace(partial, archive)
    return archive


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read())
    except (KeyError, AttributeError, ValueError) as exc:
        raise BackupError("this is not a newsroom backup (no readable manifest.json)") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("this backup was made by an unknown version of newsroom")
    return manifest


def restore(archive: Path, alias: str = "default") -> dict:
    """Replace the database and put the media files back from ``archive``.

    Media files in the archive overwrite those of the same name; files that
    are not in the archive are left alone. Returns the archive's manifest.
    """
    connection = connections[alias]
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    with tempfile.TemporaryDirectory(prefix="newsroom-restore-") as work:
        work_path = Path(work)
        try:
            with tarfile.open(archive, "r:*") as tar:
                manifest = read_manifest(tar)
                if manifest.get("vendor") != connection.vendor:
                    raise BackupError(
                        f"this backup holds a {manifest.get('vendor')} database; "
                        f"this site uses {connection.vendor}"
                    )
                # The "data" filter refuses absolute paths, "..", links out and devices.
                tar.extractall(work_path, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{archive} cannot be read as a backup archive: {exc}") from exc
        database = work_path / DATABASE_FILES[connection.vendor]
        if not database.is_file():
            raise BackupError("the archive holds no database")
        _load_database(database, connection)
        # Pages cached before the restore show what it replaced: retire them all.
        content.bump()
        media = _media_root()
        if manifest.get("media") and media is not None and (work_path / MEDIA).is_dir():
            shutil.copytree(work_path / MEDIA, media, dirs_exist_ok=True)
    return manifest


def _load_database(database: Path, connection) -> None:
    if connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the database in the archive is damaged")
            connection.ensure_connection()
            # Page by page into the live file, under its write lock: other
            # connections see the old database or the restored one, never half.
            with connection.wrap_database_errors:
                source.backup(connection.connection)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"the database in the archive cannot be read: {exc}") from exc
        finally:
            source.close()
    else:
        arguments, env = _postgres_env(connection.settings_dict)
        connection.close()  # pg_restore drops the tables; nothing of ours may hold them
        tool = postgres_tool("pg_restore")
        options = ["--clean", "--if-exists", "--no-owner", "--no-privileges"]
        options.append("--single-transaction")
        _run([tool, *options, *arguments, str(database)], env)
