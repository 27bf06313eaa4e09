import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import newsroom.urls


def reload_urls() -> None:
    clear_url_caches()
    importlib.reload(newsroom.urls)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "photo.txt").write_text("pixels")
    yield tmp_path
    reload_urls()


@pytest.mark.django_db
def test_uploads_are_served_when_serve_media_is_on(client, media):
    with override_settings(SERVE_MEDIA=True):
        reload_urls()
        assert client.get("/media/articles/photo.txt").status_code == 200
        assert client.get("/media/../settings.py").status_code in (400, 404)


@pytest.mark.django_db
def test_uploads_are_not_served_by_default(client, media):
    with override_settings(SERVE_MEDIA=False):
        reload_urls()
        assert client.get("/media/articles/photo.txt").status_code == 404
