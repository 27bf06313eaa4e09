"""The media library: stored files, renditions, markup and the publishing rule."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command

from articles import images
from articles.images import Image
from tests.articles import pictures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(image: Image) -> list[str]:
    return [n for n in [image.file.name, *image.rendition_names()] if default_storage.exists(n)]


class IngestTests:
    def test_an_upload_is_stored_with_every_rendition_and_no_gps(self):
        image = images.ingest(pictures.jpeg_with_gps(1800, 1200), alt="A hill at dusk")
        assert (image.width, image.height) == (1800, 1200)
        assert image.file.name.startswith("images/") and image.file.name.endswith(".jpg")
        names = image.rendition_names()
        assert len(stored(image)) == 1 + len(names) == 1 + 9  # 4 widths × 2 formats + og
        for name in [image.file.name, *names]:
            with default_storage.open(name) as f:
                data = f.read()
            assert not pictures.reopen(data).getexif().get_ifd(0x8825), name
            assert b"SERIAL-123456" not in data

    def test_text_fields_lose_control_and_bidi_characters(self):
        image = images.ingest(
            pictures.png(40, 30),
            alt="Gulls\x00 over\u202e the bay",
            caption="Low\x07 tide",
            credit="\u2066Ana\u2069",
        )
        image.refresh_from_db()
        assert (image.alt, image.caption, image.credit) == ("Gulls over the bay", "Low tide", "Ana")

    def test_a_refused_upload_stores_nothing(self, media):
        with pytest.raises(ValidationError):
            images.ingest(b"<html><script>alert(1)</script></html>")
        assert not Image.objects.exists()
        assert not any(media.rglob("*.*"))

    def test_a_failed_row_removes_the_files_it_wrote(self, media, monkeypatch):
        def refuse(**fields):
            raise RuntimeError("database said no")

        monkeypatch.setattr(Image.objects, "create", refuse)
        with pytest.raises(RuntimeError):
            images.ingest(pictures.png(500, 300))
        assert not any(p.is_file() for p in media.rglob("*"))

    def test_deleting_an_image_deletes_its_files_after_commit(
        self, django_capture_on_commit_callbacks
    ):
        image = images.ingest(pictures.png(900, 600))
        assert len(stored(image)) == 6  # original, 480 and 800 × 2, og
        with django_capture_on_commit_callbacks(execute=True):
            Image.objects.filter(pk=image.pk).delete()
        assert stored(image) == []

    def test_rebuild_missing_writes_only_absent_renditions(self):
        image = images.ingest(pictures.jpeg(1000, 500))
        gone = image.rendition_names()[2]
        default_storage.delete(gone)
        assert images.rebuild(image, missing_only=True) == 1
        assert default_storage.exists(gone)
        assert images.rebuild(image, missing_only=True) == 0

    def test_images_rebuild_command_remakes_all_or_missing(self, capsys):
        image = images.ingest(pictures.jpeg(1000, 500))
        for name in image.rendition_names():
            default_storage.delete(name)
        call_command("images_rebuild", "--missing")
        assert len(stored(image)) == 1 + len(image.rendition_names())
        assert "Wrote 5 renditions" in capsys.readouterr().out
        call_command("images_rebuild")
        assert "Wrote 5 renditions" in capsys.readouterr().out

    def test_images_rebuild_names_an_image_whose_original_is_gone(self, capsys):
        image = images.ingest(pictures.jpeg(600, 400))
        default_storage.delete(image.file.name)
        with pytest.raises(SystemExit):
            call_command("images_rebuild")
        assert f"Image {image.pk}" in capsys.readouterr().err


class PictureTests:
    def test_picture_lists_each_width_in_webp_and_the_fallback(self):
        image = Image(file="images/2026/12/abc.jpg", width=1300, height=650, alt="Fields")
        picture = image.picture()
        assert picture.webp_srcset == (
            "/media/images/2026/12/abc/w480.webp 480w, /media/images/2026/12/abc/w800.webp 800w, "
            "/media/images/2026/12/abc/w1200.webp 1200w"
        )
        assert picture.fallback_srcset.endswith("/media/images/2026/12/abc/w1200.jpg 1200w")
        assert picture.fallback_type == "image/jpeg"
        assert (picture.width, picture.height) == (1200, 600)
        assert picture.src == "/media/images/2026/12/abc/w800.jpg"
        assert image.social_url == "/media/images/2026/12/abc/og.jpg"


class BodyTests:
    def test_a_paragraph_holding_a_library_url_becomes_a_sized_figure(self):
        image = images.ingest(pictures.png(900, 600), alt="Red roofs", caption="The old town.")
        body = images.resolve_body(f"<p>Before.</p><p>{image.file.url}</p>")
        assert body == (
            f'<p>Before.</p><figure><img src="{image.file.url}" alt="Red roofs" width="900" '
            'height="600"><figcaption>The old town.</figcaption></figure>'
        )

    def test_an_editor_img_keeps_its_own_alt_and_gets_its_size(self):
        image = images.ingest(pictures.png(900, 600), alt="Library words")
        body = images.resolve_body(f'<p><img src="{image.file.url}" alt="Editor words"></p>')
        assert f'<img src="{image.file.url}" alt="Editor words" width="900" height="600">' in body

    def test_urls_outside_the_library_are_left_alone(self):
        body = '<p>https://example.com/a.jpg</p><p><img src="/media/images/../../etc/x.jpg"></p>'
        assert images.resolve_body(body) == body

    def test_body_pictures_render_like_lead_images(self):
        body = images.body_pictures(
            '<figure><img src="/media/images/2026/12/abc.png" alt="Dunes" width="900" '
            'height="600"></figure>'
        )
        assert body.startswith("<figure><picture>")
        assert 'srcset="/media/images/2026/12/abc/w480.webp 480w' in body
        assert 'type="image/png"' in body
        assert 'alt="Dunes" width="800" height="533" loading="lazy" decoding="async"' in body

    def test_missing_alt_text_names_the_lead_or_the_body(self):
        assert "lead image" in images.missing_alt_text(Image(alt=""), "")
        body = '<p><img src="/media/images/2026/12/abc.png" alt="" width="9" height="9"></p>'
        assert "body" in images.missing_alt_text(None, body)
        assert images.missing_alt_text(Image(alt="Dunes"), "<p>Text.</p>") is None
