"""Admin saves when something outside the form fails: the SQLite write lock
held elsewhere, the database gone, the media storage unwritable. Each time
the editor gets a clear reason and everything they typed, and nothing is
half-written. No client is mocked: the faults are real."""

import io
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.db.utils import load_backend
from PIL import Image
from reversion.models import Revision, Version

from articles.models import Article
from embeds.models import Embed
from tests.articles.editorial import (
    ADD_URL,
    change_url,
    form_data,
    logged_in,
    make_editor,
    new_article_data,
)
from tests.conftest import free_port
from tests.factories import make_category, make_draft

BUSY = "The database is busy or unavailable: your changes were not saved."
POST = "https://www.instagram.com/p/CdA1b2C3d4E/"
TYPED_BODY = f"<p>Words typed while the database was away.</p><p>{POST}</p>"


def reshown(response) -> dict:
    """What the re-shown change form holds: the editor's data."""
    return response.context["adminform"].form.data


@pytest.mark.usefixtures("plain_static")
@pytest.mark.django_db(transaction=True)
class TestSQLiteWriteLockHeldElsewhere:
    def test_a_save_waits_a_bounded_time_then_says_busy_and_keeps_the_text(self, sqlite_file):
        timeout = settings.DATABASES["default"]["OPTIONS"]["timeout"]
        assert timeout <= 10, "a busy timeout of a few seconds, not the lock's length"
        article = make_draft(title="Before", body="<p>Before.</p>")
        client = logged_in(make_editor())
        data = form_data(client.get(change_url(article)))
        data.update(title="Typed while locked", body=TYPED_BODY)

        other = sqlite3.connect(sqlite_file, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process's write lock
            started = time.monotonic()
            response = client.post(change_url(article), data)
            waited = time.monotonic() - started
            assert response.status_code == 503
            assert response["Retry-After"]
            assert BUSY in response.content.decode()
            assert reshown(response)["title"] == "Typed while locked"
            assert reshown(response)["body"] == TYPED_BODY
            # Bounded: the busy timeout, with room for a busy machine.
            assert waited < 3 * timeout
        finally:
            other.rollback()
            other.close()

        article.refresh_from_db()
        assert (article.title, article.version) == ("Before", 1)
        assert not Version.objects.exists() and not Embed.objects.exists()

        # The lock is gone: saving the re-shown form again goes through.
        again = client.post(change_url(article), form_data(response))
        assert again.status_code == 302
        article.refresh_from_db()
        assert (article.title, article.body) == ("Typed while locked", TYPED_BODY)

    def test_a_new_article_is_kept_in_the_form_and_not_half_created(self, sqlite_file):
        client = logged_in(make_editor())
        data = new_article_data(make_category(), title="New while locked", body=TYPED_BODY)
        other = sqlite3.connect(sqlite_file, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            response = client.post(ADD_URL, data)
        finally:
            other.rollback()
            other.close()
        assert response.status_code == 503
        assert reshown(response)["title"] == "New while locked"
        assert not Article.objects.exists() and not Revision.objects.exists()

    def test_opening_the_form_needs_no_write_lock(self, sqlite_file):
        article = make_draft(title="Readable")
        client = logged_in(make_editor())
        other = sqlite3.connect(sqlite_file, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            response = client.get(change_url(article))
            assert time.monotonic() - started < settings.DATABASES["default"]["OPTIONS"]["timeout"]
        finally:
            other.rollback()
            other.close()
        assert response.status_code == 200
        assert "Readable" in response.content.decode()


@pytest.mark.usefixtures("plain_static")
@pytest.mark.django_db(transaction=True)
class TestSQLiteFileGone:
    def test_a_save_answers_503_with_the_editors_text_to_send_again(self, sqlite_file):
        article = make_draft(title="Before")
        client = logged_in(make_editor())
        data = form_data(client.get(change_url(article)))
        data.update(title="Typed <b>bold</b> while gone", body=TYPED_BODY)
        connections["default"].close()
        moved = sqlite_file.with_name("moved-away.sqlite3")
        shutil.move(sqlite_file, moved)
        try:
            response = client.post(change_url(article), data)
        finally:
            connections["default"].close()
            for leftover in sqlite_file.parent.glob(f"{sqlite_file.name}*"):
                leftover.unlink()  # the empty database the connection made
            shutil.move(moved, sqlite_file)
        assert_fault_page_keeps(response, data, change_url(article))
        article.refresh_from_db()
        assert (article.title, article.version) == ("Before", 1)


@pytest.mark.usefixtures("plain_static")
@pytest.mark.django_db(transaction=True)
class TestPostgreSQLRowLockedElsewhere:
    """The save's own statement fails (psycopg's real LockNotAvailable, an
    OperationalError) while reading still works: the real form comes back."""

    def test_the_form_comes_back_with_the_reason_and_the_text(self):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL")
        article = make_draft(title="Before")
        client = logged_in(make_editor())
        data = form_data(client.get(change_url(article)))
        data.update(title="Typed while locked", body=TYPED_BODY)
        other = connections.create_connection("default")
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM articles_article WHERE id = %s FOR UPDATE", [article.pk])
        with connection.cursor() as cursor:
            # The production settings wait for a row lock without a limit.
            cursor.execute("SET lock_timeout = '300ms'")
        try:
            response = client.post(change_url(article), data)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
            other.rollback()
            other.close()
        assert response.status_code == 503
        assert BUSY in response.content.decode()
        assert reshown(response)["title"] == "Typed while locked"
        article.refresh_from_db()
        assert (article.title, article.version) == ("Before", 1)
        assert not Version.objects.exists() and not Embed.objects.exists()


class TestPostgreSQLDown:
    """PostgreSQL stopped, as the client sees it: psycopg's real connection
    refused on a port where nothing listens (no server is stopped here, so
    the test runs beside the suite on either database)."""

    @pytest.fixture
    def database_down(self):
        psycopg = pytest.importorskip("psycopg")
        del psycopg
        original = connections["default"]
        down = load_backend("django.db.backends.postgresql").DatabaseWrapper(
            {
                **original.settings_dict,
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "newsroom",
                "USER": "postgres",
                "PASSWORD": "",
                "HOST": "127.0.0.1",
                "PORT": str(free_port()),
                "OPTIONS": {"connect_timeout": 2},
            },
            alias="default",
        )
        connections["default"] = down
        try:
            yield
        finally:
            down.close()
            connections["default"] = original

    @pytest.mark.usefixtures("plain_static")
    @pytest.mark.django_db
    def test_an_admin_save_answers_503_and_keeps_the_text(self, request):
        article = make_draft(title="Before")
        client = logged_in(make_editor())
        data = form_data(client.get(change_url(article)))
        data.update(title="Typed while PostgreSQL was down", body=TYPED_BODY)
        data["password"] = "never shown"
        data['"><script>alert(1)</script>'] = "<script>alert(2)</script>"
        request.getfixturevalue("database_down")
        response = client.post(change_url(article), data)
        assert_fault_page_keeps(response, data, change_url(article))
        text = response.content.decode()
        assert "never shown" not in text
        assert "<script" not in text

    @pytest.mark.django_db
    def test_an_admin_page_answers_503(self, request):
        client = logged_in(make_editor())
        request.getfixturevalue("database_down")
        response = client.get("/admin/articles/article/")
        assert response.status_code == 503
        assert "The page could not be loaded" in response.content.decode()


def assert_fault_page_keeps(response, data: dict, action: str) -> None:
    from html.parser import HTMLParser

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert "Your changes were not saved" in text
    assert "<b>bold</b>" not in text  # the editor's text, escaped

    class Form(HTMLParser):
        action, fields, shown = None, {}, []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                Form.action = attrs["action"]
            elif tag == "input" and attrs.get("type") == "hidden":
                Form.fields.setdefault(attrs["name"], []).append(attrs.get("value", ""))

    Form().feed(text)
    assert Form.action == action
    for name in ("title", "body", "dek", "category", "loaded_version", "bylines-TOTAL_FORMS"):
        assert Form.fields[name] == [str(data[name])], name
    assert "password" not in Form.fields
    assert Form.fields["csrfmiddlewaretoken"]


@pytest.mark.usefixtures("plain_static")
@pytest.mark.django_db
class TestMediaStorageUnwritable:
    """MEDIA_ROOT under a regular file: the directory cannot be made, whoever
    runs the tests (root ignores a read-only mode, not a file in the path)."""

    @pytest.fixture(autouse=True)
    def unwritable_media(self, settings, tmp_path: Path) -> None:
        blocker = tmp_path / "a-file"
        blocker.write_text("not a directory")
        settings.MEDIA_ROOT = blocker / "media"

    @staticmethod
    def image() -> SimpleUploadedFile:
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
        return SimpleUploadedFile("lead.png", buffer.getvalue(), "image/png")

    def test_a_new_article_with_an_image_is_not_half_saved(self):
        client = logged_in(make_editor())
        data = new_article_data(
            make_category(), title="With a picture", body=TYPED_BODY, lead_image_alt="Teal"
        )
        response = client.post(ADD_URL, {**data, "lead_image": self.image()})
        assert response.status_code == 503
        text = response.content.decode()
        assert "The image could not be stored" in text
        assert reshown(response)["title"] == "With a picture"
        assert reshown(response)["lead_image_alt"] == "Teal"
        assert not Article.objects.exists()
        assert not Revision.objects.exists() and not Embed.objects.exists()

    def test_an_edit_with_an_image_leaves_the_article_as_it_was(self):
        article = make_draft(title="Before", body="<p>Before.</p>")
        client = logged_in(make_editor())
        data = form_data(client.get(change_url(article)))
        data.update(title="After", body=TYPED_BODY, lead_image=self.image())
        response = client.post(change_url(article), data)
        assert response.status_code == 503
        assert "The image could not be stored" in response.content.decode()
        assert reshown(response)["body"] == TYPED_BODY
        article.refresh_from_db()
        assert (article.title, article.version, article.lead_image.name) == ("Before", 1, "")
        assert not Version.objects.exists() and not Embed.objects.exists()
