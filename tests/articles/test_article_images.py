"""Articles and the media library: the lead image, body images, alt text before
publishing, uploads from the admin, legacy lead images moved into the library."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import images, services
from articles.images import Image
from articles.models import Article
from tests.articles import pictures
from tests.articles.conftest import NOON
from tests.articles.editorial import (
    ADD_URL,
    change_url,
    logged_in,
    make_editor,
    make_writer,
    new_article_data,
)
from tests.factories import make_article, make_category, make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

_WHOLE = pictures.jpeg(300, 200)
TRUNCATED = _WHOLE[: len(_WHOLE) // 2]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def library_image(alt: str = "Green hills under a pale sky", **fields) -> Image:
    return images.ingest(pictures.jpeg(1700, 1000), alt=alt, **fields)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "image/jpeg")


class AltTextRuleTests:
    def test_publishing_with_a_lead_image_without_alt_is_refused(self):
        draft = make_draft(image=library_image(alt=""))
        with pytest.raises(services.MissingAltText, match="lead image has no alt text"):
            services.publish_now(draft, make_editor())
        draft.refresh_from_db()
        assert draft.status == Article.Status.DRAFT

    def test_publishing_with_a_body_image_without_alt_is_refused(self):
        image = library_image(alt="")
        draft = make_draft(body=f'<p><img src="{image.file.url}"></p>')
        with pytest.raises(services.MissingAltText, match="body has no alt text"):
            services.publish_now(draft, make_editor())

    def test_drafts_may_lack_alt_text_and_publish_once_it_is_written(self):
        image = library_image(alt="")
        draft = services.save_article(make_draft(image=image))
        Image.objects.filter(pk=image.pk).update(alt="A quiet street")
        draft.refresh_from_db()
        assert services.publish_now(draft, make_editor()).is_published

    def test_the_admin_form_says_why_instead_of_saving(self):
        editor = make_editor()
        data = new_article_data(
            make_category(),
            status=Article.Status.PUBLISHED,
            published_at_0="2024-03-10",
            published_at_1="10:00:00",
            image=str(library_image(alt="").pk),
        )
        response = logged_in(editor).post(ADD_URL, data)
        assert response.status_code == 200
        assert "no alt text" in response.content.decode()
        assert not Article.objects.exists()


class AdminTests:
    def test_an_upload_from_the_article_form_joins_the_library_as_lead(self):
        editor = make_editor()
        data = new_article_data(make_category(), image_alt="Rain on a window")
        data["image_upload"] = upload("phone.jpg", pictures.jpeg_with_gps(1800, 1200))
        response = logged_in(editor).post(ADD_URL, data)
        assert response.status_code == 302
        article = Article.objects.get()
        assert article.image.alt == "Rain on a window"
        assert article.image.uploaded_by == editor
        with default_storage.open(article.image.file.name) as f:
            assert not pictures.reopen(f.read()).getexif().get_ifd(0x8825)

    def test_a_refused_upload_from_the_article_form_is_a_field_error(self, media):
        data = new_article_data(make_category())
        data["image_upload"] = upload("photo.jpg", b"<html><script>x</script></html>")
        response = logged_in(make_editor()).post(ADD_URL, data)
        assert response.status_code == 200
        assert "This is a HTML file" in response.content.decode()
        assert not Article.objects.exists() and not Image.objects.exists()
        assert not any(p.is_file() for p in media.rglob("*"))

    def test_an_image_from_the_editors_control_is_saved_with_its_size(self):
        image = library_image(alt="Library words")
        body = f'<p>Text.</p><img src="{image.file.url}" alt="" data-file="x">'
        data = new_article_data(make_category(), body=body)
        assert logged_in(make_editor()).post(ADD_URL, data).status_code == 302
        saved = Article.objects.get().body
        assert (
            f'<img src="{image.file.url}" alt="Library words" width="1700" height="1000">' in saved
        )

    def test_the_lead_image_is_chosen_by_autocomplete(self):
        client = logged_in(make_editor())
        article = make_draft()
        page = client.get(change_url(article)).content.decode()
        assert 'data-field-name="image"' in page
        library_image(alt="Harbour cranes at dawn")
        found = client.get(
            "/admin/autocomplete/",
            {"term": "cranes", "app_label": "articles", "model_name": "article",
             "field_name": "image"},
        ).json()  # fmt: skip
        assert [r["text"] for r in found["results"]] == ["Harbour cranes at dawn"]

    def test_a_writer_uploads_to_the_library_and_chooses_from_it(self):
        client = logged_in(make_writer())
        response = client.post(
            "/admin/articles/image/add/",
            {"upload": upload("w.jpg", pictures.jpeg(600, 400)), "alt": "A writer's view"},
        )
        assert response.status_code == 302
        found = client.get(
            "/admin/autocomplete/",
            {"term": "writer", "app_label": "articles", "model_name": "article",
             "field_name": "image"},
        ).json()  # fmt: skip
        assert [r["text"] for r in found["results"]] == ["A writer's view"]
        image = Image.objects.get()
        assert (
            client.post(f"/admin/articles/image/{image.pk}/delete/", {"post": "yes"}).status_code
            == 403
        )

    def test_the_library_admin_uploads_lists_and_searches(self, admin_client):
        response = admin_client.post(
            "/admin/articles/image/add/",
            {"upload": upload("x.png", pictures.png(900, 500)), "alt": "Two boats",
             "caption": "", "credit": "Staff", "focal_x": "0.2", "focal_y": ""},
        )  # fmt: skip
        assert response.status_code == 302
        image = Image.objects.get()
        assert (image.width, image.focal_x) == (900, 0.2)
        listing = admin_client.get("/admin/articles/image/?q=boats&alt=present").content.decode()
        assert "Two boats" in listing and 'class="nr-thumbnail"' in listing
        assert admin_client.get(f"/admin/articles/image/{image.pk}/change/").status_code == 200

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"%!PS-Adobe-3.0 EPSF-3.0\n", "This is a EPS file"),
            (pictures.png_bomb_header(), "900 megapixels"),
            (TRUNCATED, "truncated"),
            (b"\xff\xd8\xff" + b"\x00" * (25 * 1024 * 1024), "25.0 MB"),
            (b"", "The submitted file is empty."),
        ],
    )
    def test_the_library_admin_refuses_with_the_reason(self, admin_client, data, message):
        response = admin_client.post(
            "/admin/articles/image/add/", {"upload": upload("a.jpg", data), "alt": "x"}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Image.objects.exists()

    @pytest.mark.parametrize(
        "query", ["?alt=weird", "?uploaded_by__id__exact=abc", "?created_at__gte=notadate", "?o=99"]
    )
    def test_malformed_library_queries_never_fail(self, admin_client, query):
        assert admin_client.get("/admin/articles/image/" + query).status_code in (200, 302)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("focal_x", "1.5"), ("focal_y", "-1"), ("focal_x", "abc"), ("alt", "x" * 300)],
    )
    def test_hostile_library_fields_are_form_errors(self, admin_client, field, value):
        image = library_image()
        data = {"alt": image.alt, "caption": "", "credit": "", "focal_x": "", "focal_y": ""}
        response = admin_client.post(
            f"/admin/articles/image/{image.pk}/change/", {**data, field: value}
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
        image.refresh_from_db()
        assert (image.focal_x, image.focal_y, image.alt) == (
            None,
            None,
            "Green hills under a pale sky",
        )

    def test_an_image_in_use_cannot_be_deleted(self, admin_client):
        image = library_image()
        make_article(image=image)
        response = admin_client.post(f"/admin/articles/image/{image.pk}/delete/", {"post": "yes"})
        assert response.status_code == 200
        assert "would require deleting the following protected" in response.content.decode()
        assert Image.objects.filter(pk=image.pk).exists()

    def test_moving_the_focal_point_redraws_the_social_crop(self, admin_client):
        image = library_image()
        social = images.rendition_base(image.file.name) + "og.jpg"
        with default_storage.open(social) as f:
            before = f.read()
        data = {"alt": image.alt, "caption": "", "credit": "", "focal_x": "0", "focal_y": "0"}
        response = admin_client.post(f"/admin/articles/image/{image.pk}/change/", data)
        assert response.status_code == 302
        with default_storage.open(social) as f:
            assert f.read() != before


class LegacyLeadImageTests:
    def test_save_article_moves_an_importers_lead_image_into_the_library(self, media):
        article = Article(
            title="Imported",
            category=make_category(),
            lead_image=upload("old.jpg", pictures.jpeg_with_gps(900, 600)),
            lead_image_alt="An old photo",
            lead_image_credit="Archive",
        )
        services.save_article(article)
        article.refresh_from_db()
        assert not article.lead_image
        assert (article.image.alt, article.image.credit) == ("An old photo", "Archive")

    def test_the_migration_moves_stored_lead_images_and_keeps_refused_ones(self, media):
        import importlib

        from django.apps import apps

        good = make_article(lead_image=upload("good.jpg", pictures.jpeg_with_gps(900, 600)),
                            lead_image_alt="Kept words")  # fmt: skip
        bad = make_article(lead_image=upload("bad.jpg", b"<html>not a photo</html>"))
        old_name = good.lead_image.name
        migration = importlib.import_module("articles.migrations.0008_move_lead_images")
        migration.move_lead_images(apps, None)
        good.refresh_from_db()
        bad.refresh_from_db()
        assert good.image.alt == "Kept words" and not good.lead_image
        assert bad.image is None and bad.lead_image.name.endswith("bad.jpg")
        with default_storage.open(good.image.file.name) as f:
            assert b"GPS" not in f.read()
        assert default_storage.exists(old_name)  # deleted on commit, not before


class PageTests:
    def test_the_article_page_shows_the_lead_and_body_images_as_pictures(self, client, noon):
        lead = library_image(caption="Morning.", credit="Staff")
        inline = library_image(alt="A red door")
        body = f"<p>One.</p><p>{inline.file.url}</p><p>Two.</p>"
        article = services.save_article(make_article(image=lead, body=body))
        html = client.get(article.get_absolute_url()).content.decode()
        assert html.count("<picture>") == 2
        assert f'alt="{lead.alt}" width="1600" height="941" fetchpriority="high">' in html
        assert 'alt="A red door" width="1600" height="941" loading="lazy" decoding="async">' in html
        assert '<figcaption>Morning. <small class="credit">Staff</small></figcaption>' in html
        assert 'type="image/webp" srcset="' in html and 'sizes="' in html

    def test_cards_show_the_small_rendition_without_a_query_per_card(self, client, noon):
        category = make_category(slug="pics")
        for n in range(6):
            make_article(category=category, image=library_image(alt=f"Scene {n}"),
                         published_at=NOON - datetime.timedelta(hours=n + 1))  # fmt: skip
        with CaptureQueriesContext(connection) as six:
            html = client.get("/category/pics/").content.decode()
        assert html.count("<picture>") == 6
        assert 'alt="Scene 5" width="1600" height="941" loading="lazy"' in html
        for n in range(6, 12):
            make_article(category=category, image=library_image(alt=f"Scene {n}"),
                         published_at=NOON - datetime.timedelta(hours=n + 1))  # fmt: skip
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as twelve:
            client.get("/category/pics/")
        assert len(twelve) == len(six)


class HistoryTests:
    def test_a_changed_lead_image_shows_by_its_alt_text_in_the_comparison(self):
        from reversion.models import Version

        from articles import revisions

        article = services.save_article(make_draft(image=library_image(alt="First view")))
        article.image = library_image(alt="Second view")
        services.save_article(article)
        older, newer = Version.objects.get_for_object(article).order_by("pk")
        changes = {change.label: change.html for change in revisions.compare(older, newer)}
        assert changes["Lead image"] == "<del>First</del><ins>Second</ins> view"
