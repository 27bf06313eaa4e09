"""manage.py backup and restore: back up, wipe, restore, and find the same articles
and images; on SQLite and on PostgreSQL (whichever DATABASE_URL names)."""

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import Image

from articles.models import Article
from articles.services import save_article
from tests.factories import make_article
from tests.newsroom.processes import fetch, gunicorn, manage, production_env, publish

pytestmark = pytest.mark.django_db(transaction=True)


def png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def media(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def backup(output: Path) -> Path:
    stdout = io.StringIO()
    call_command("backup", output=output, stdout=stdout)
    return Path(stdout.getvalue().strip())


def restore(archive: Path) -> None:
    call_command("restore", archive, interactive=False, stdout=io.StringIO())


def snapshot() -> list[tuple]:
    return list(
        Article.objects.order_by("slug").values_list(
            "slug", "title", "body", "status", "published_at", "lead_image", "category__slug"
        )
    )


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def wipe(media: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)


@pytest.fixture
def site(media: Path) -> list[Article]:
    return [
        make_article(title="Red dawn", lead_image=ContentFile(png("red"), name="red.png")),
        make_article(title="Blue hour", lead_image=ContentFile(png("blue"), name="blue.png")),
        make_article(title="No picture"),
    ]


def test_a_restore_after_a_wipe_brings_back_the_same_articles_and_images(
    site: list[Article], media: Path, tmp_path: Path
):
    rows, images = snapshot(), files(media)
    assert len(rows) == 3 and len(images) == 2

    archive = backup(tmp_path / "backups")
    assert archive.parent == tmp_path / "backups"
    assert archive.name.startswith("newsroom-backup-") and archive.name.endswith("Z.tar.gz")

    wipe(media)
    assert snapshot() == [] and not media.exists()

    restore(archive)
    assert snapshot() == rows
    assert files(media) == images


def test_pages_show_the_restored_content_not_what_was_cached_before(
    site: list[Article], media: Path, tmp_path: Path
):
    client = Client()
    url = site[0].get_absolute_url()
    assert b"Red dawn" in client.get(url).content
    archive = backup(tmp_path / "backups")
    article = Article.objects.get(pk=site[0].pk)
    article.title = "Edited after the backup"
    save_article(article, comment="an edit the restore undoes")
    assert b"Edited after the backup" in client.get(url).content  # now cached

    restore(archive)
    page = client.get(url).content
    assert b"Red dawn" in page and b"Edited after the backup" not in page


def test_the_archive_holds_a_manifest_the_database_and_the_media(
    site: list[Article], media: Path, tmp_path: Path
):
    from django.db import connection

    archive = backup(tmp_path)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["vendor"] == connection.vendor
    assert manifest["database"] in names
    assert {name for name in names if name.startswith("media/") and name.endswith(".png")}


def test_a_backup_without_a_media_folder_still_restores_the_articles(tmp_path: Path, media: Path):
    make_article(title="Words only")
    archive = backup(tmp_path)
    call_command("flush", interactive=False, verbosity=0)
    restore(archive)
    assert Article.objects.get().title == "Words only"


def _archive(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "crafted.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(**overrides) -> bytes:
    from django.db import connection

    fields = {"format": 1, "created": "2026-01-01T00:00:00+00:00", "media": True}
    fields |= {"vendor": connection.vendor, "database": "database.sqlite3"} | overrides
    return json.dumps(fields).encode()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.tar.gz", "is not a file"),
        (lambda tmp: tmp, "is not a file"),
        (lambda tmp: (tmp / "junk.tar.gz").write_bytes(b"\x00junk" * 100) and tmp / "junk.tar.gz",
         "cannot be read"),
        (lambda tmp: _archive(tmp, {"hello.txt": b"hi"}), "not a newsroom backup"),
        (lambda tmp: _archive(tmp, {"manifest.json": b"{not json"}), "not a newsroom backup"),
        (lambda tmp: _archive(tmp, {"manifest.json": b"[1, 2]"}), "unknown version"),
        (lambda tmp: _archive(tmp, {"manifest.json": _manifest(format=99)}), "unknown version"),
        (lambda tmp: _archive(tmp, {"manifest.json": _manifest(vendor="oracle")}), "oracle"),
        (lambda tmp: _archive(tmp, {"manifest.json": _manifest()}), "no database"),
        (lambda tmp: _archive(tmp, {"manifest.json": _manifest(), "../escape.txt": b"x"}),
         "cannot be read"),
        # Extracted inside the scratch folder (leading "/" stripped), never to /etc.
        (lambda tmp: _archive(tmp, {"manifest.json": _manifest(), "/etc/newsroom-evil": b"x"}),
         "no database"),
    ],
    ids=["missing", "folder", "not-a-tarball", "no-manifest", "bad-json", "manifest-not-object",
         "unknown-format", "other-database", "no-database", "dot-dot", "absolute-path"],
)  # fmt: skip
def test_a_bad_archive_is_refused_with_a_clear_error_and_nothing_changes(
    tmp_path: Path, media: Path, make, message: str
):
    make_article(title="Untouched")
    archive = make(tmp_path)
    with pytest.raises(CommandError, match=message):
        restore(archive)
    assert Article.objects.get().title == "Untouched"
    assert not (tmp_path.parent / "escape.txt").exists()
    assert not Path("/etc/newsroom-evil").exists()


def test_a_truncated_archive_is_refused_and_nothing_changes(
    site: list[Article], media: Path, tmp_path: Path
):
    archive = backup(tmp_path / "backups")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    rows = snapshot()
    Article.objects.filter(title="No picture").update(title="Changed after the backup")
    with pytest.raises(CommandError, match="cannot be read"):
        restore(archive)
    assert snapshot() != rows  # the change stands: nothing was restored
    assert Article.objects.filter(title="Changed after the backup").exists()


def test_a_damaged_sqlite_database_in_the_archive_is_refused(tmp_path: Path, media: Path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("an SQLite file inside the archive: the SQLite pass only")
    make_article(title="Untouched")
    archive = _archive(
        tmp_path, {"manifest.json": _manifest(), "database.sqlite3": b"SQLite format 3\x00" * 64}
    )
    with pytest.raises(CommandError, match="database in the archive"):
        restore(archive)
    assert Article.objects.get().title == "Untouched"


def test_backup_refuses_an_output_that_is_a_file(tmp_path: Path, media: Path):
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(CommandError, match="backup failed"):
        backup(target)


@pytest.mark.process
def test_the_documented_restore_brings_a_deleted_sqlite_site_back(
    tmp_path: Path, migrated_database_url: str
):
    # docs/operations.md, "Restore", step by step with real processes.
    database = Path(migrated_database_url.removeprefix("sqlite:///"))
    media = tmp_path / "media"
    (media / "articles").mkdir(parents=True)
    (media / "articles" / "kept.png").write_bytes(png("green"))
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url, DJANGO_MEDIA_ROOT=str(media))
    url = publish(env, "back-from-backup", "Back from the backup")

    made = manage("backup", "--output", str(tmp_path / "backups"), env=env)
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip())

    # The disaster: the database and the uploads are gone.
    for path in database.parent.glob(f"{database.name}*"):
        path.unlink()
    shutil.rmtree(media)

    restored = manage("restore", "--noinput", str(archive), env=env)
    assert restored.returncode == 0, restored.stderr
    assert (media / "articles" / "kept.png").read_bytes() == png("green")
    with gunicorn(env, tmp_path) as server:
        page = fetch(server.url, url)
        assert page.status == 200 and b"Back from the backup" in page.body
