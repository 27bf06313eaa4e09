"""The article admin: changelist, change form, rich text, embed panel, and
what it does with malformed or hostile input."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django_prose_editor.config import allowlist_from_extensions

from articles.forms import EDITOR_EXTENSIONS
from articles.html import ALLOWED_TAGS, sanitize
from articles.models import Article, Author, Byline, Category
from tests.articles.editorial import (
    ADD_URL,
    CHANGELIST_URL,
    change_url,
    form_data,
    logged_in,
    make_editor,
    make_writer,
    new_article_data,
)
from tests.factories import make_article, make_author, make_category, make_draft, make_scheduled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

INSTAGRAM = "https://www.instagram.com/p/CdGx1aPrQ3e/"


@pytest.fixture
def editor_client():
    return logged_in(make_editor())


class TestChangelist:
    def test_badges_say_each_state(self, editor_client):
        make_draft(title="A draft")
        make_draft(title="Under review", status=Article.Status.REVIEW)
        make_scheduled(title="Coming soon")
        make_article(title="Out now")
        text = editor_client.get(CHANGELIST_URL).content.decode()
        for state, label in [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("published", "Published"),
        ]:
            assert f'<span class="nr-badge nr-badge--{state}">{label}</span>' in text

    @pytest.mark.parametrize(
        ("state", "expected"),
        [
            ("draft", {"A draft"}),
            ("review", {"Under review"}),
            ("scheduled", {"Coming soon"}),
            ("published", {"Out now"}),
        ],
    )
    def test_status_filter(self, editor_client, state, expected):
        make_draft(title="A draft")
        make_draft(title="Under review", status=Article.Status.REVIEW)
        make_scheduled(title="Coming soon")
        make_article(title="Out now")
        response = editor_client.get(CHANGELIST_URL, {"state": state})
        titles = {a.title for a in response.context["cl"].result_list}
        assert titles == expected

    def test_filters_by_author_tag_and_category(self, editor_client):
        author = make_author()
        category = make_category()
        make_article(title="By them", authors=[author])
        make_article(title="Tagged", tags=["jazz"])
        make_article(title="Filed", category=category)
        make_article(title="Other")
        from taggit.models import Tag

        for query, expected in [
            ({"authors__id__exact": author.pk}, {"By them"}),
            ({"tags__id__exact": Tag.objects.get(name="jazz").pk}, {"Tagged"}),
            ({"category__id__exact": category.pk}, {"Filed"}),
        ]:
            response = editor_client.get(CHANGELIST_URL, query)
            assert {a.title for a in response.context["cl"].result_list} == expected

    def test_search_looks_in_title_dek_and_body(self, editor_client):
        make_article(title="Alpha")
        make_article(title="Beta", dek="about zeppelins")
        make_article(title="Gamma", body="<p>More zeppelins.</p>")
        response = editor_client.get(CHANGELIST_URL, {"q": "zeppelins"})
        assert {a.title for a in response.context["cl"].result_list} == {"Beta", "Gamma"}

    @pytest.mark.parametrize(
        "query",
        [
            {"state": "nonsense"},
            {"category__id__exact": "abc"},
            {"published_at__year": "99999999999"},
            {"p": "-1"},
            {"o": "99.x"},
            {"q": "\x00" + "x" * 5000},
        ],
    )
    def test_malformed_changelist_queries_never_fail(self, editor_client, query):
        make_article()
        response = editor_client.get(CHANGELIST_URL, query)
        assert response.status_code in (200, 302)

    def test_authors_and_category_show_without_a_query_per_row(self, editor_client):
        first, second = make_author(name="Ann"), make_author(name="Bo")
        make_article(authors=[second, first], category=make_category(name="Arts"))
        text = editor_client.get(CHANGELIST_URL).content.decode()
        assert "Bo, Ann" in text
        assert "Arts" in text

    def test_query_count_is_the_same_for_10_and_1000_articles(self, editor_client):
        categories = [make_category() for _ in range(3)]
        authors = [make_author() for _ in range(3)]

        def grow_to(total: int) -> None:
            start = Article.objects.count()
            now = timezone.now()
            articles = Article.objects.bulk_create(
                [
                    Article(
                        title=f"Bulk {n}",
                        slug=f"bulk-{n}",
                        category=categories[n % 3],
                        status=Article.Status.PUBLISHED,
                        published_at=now - datetime.timedelta(hours=n),
                        published_on=(now - datetime.timedelta(hours=n)).date(),
                    )
                    for n in range(start, total)
                ]
            )
            Byline.objects.bulk_create(
                Byline(article=a, author=authors[i % 3], position=0) for i, a in enumerate(articles)
            )
            for article in articles[:5]:
                article.tags.add("one", "two")

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                response = editor_client.get(CHANGELIST_URL)
            assert response.status_code == 200
            return len(queries)

        grow_to(10)
        editor_client.get(CHANGELIST_URL)  # warm the session and content types
        small = count()
        grow_to(1000)
        assert count() == small
        assert small <= 20


class TestChangeForm:
    def test_fieldsets_widgets_and_buttons(self, editor_client):
        article = make_draft(authors=[make_author()], tags=["alpha"])
        response = editor_client.get(change_url(article))
        text = response.content.decode()
        titles = [fieldset.name for fieldset in response.context["adminform"]]
        assert titles[:2] == [None, "Publishing"]
        seo = [f for f in response.context["adminform"] if f.name == "Search engines and sharing"]
        assert "collapse" in seo[0].classes
        assert "data-django-prose-editor-configurable" in text
        # Autocomplete for the category, the tags and the byline's authors.
        assert 'data-field-name="category"' in text
        assert 'data-field-name="tags"' in text
        assert 'data-field-name="author"' in text
        assert 'id="django-admin-prepopulated-fields-constants"' in text
        assert "View on site" in text
        assert 'class="nr-previewlink"' in text
        assert "/preview/" in text  # an editor's Preview is a signed, shareable link

    def test_writer_preview_button_opens_the_staff_view(self):
        writer = make_writer()
        article = make_draft(authors=[writer.author])
        text = logged_in(writer).get(change_url(article)).content.decode()
        assert f'href="{article.get_absolute_url()}" class="nr-previewlink"' in text
        assert "/preview/" not in text

    def test_the_editor_page_allows_its_importmap_and_nothing_more(self, editor_client, client):
        article = make_draft()
        response = editor_client.get(change_url(article))
        policy = response["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy)[1]
        assert f'<script type="importmap" nonce="{nonce}">' in response.content.decode()
        assert "'unsafe-inline'" not in policy
        public = client.get("/")["Content-Security-Policy"]
        assert "nonce-" not in public
        assert "sha256-" not in public

    def test_embed_panel_lists_body_urls_and_missing_metadata(self, editor_client):
        from embeds.models import Embed

        body = f"<p>Intro.</p><p>{INSTAGRAM}</p><p>See https://example.com/x inline.</p>"
        article = make_draft(body=body)
        Embed.objects.filter(url=INSTAGRAM).delete()
        text = editor_client.get(change_url(article)).content.decode()
        assert f"<code>{INSTAGRAM}</code>" in text
        assert "no metadata yet: add it" in text
        assert "https://example.com/x</code>" not in text

    def test_saving_creates_embed_rows_for_the_panel(self, editor_client):
        from embeds.models import Embed

        article = make_draft(body=f"<p>{INSTAGRAM}</p>")
        data = form_data(editor_client.get(change_url(article)))
        assert editor_client.post(change_url(article), data).status_code == 302
        assert Embed.objects.filter(url=INSTAGRAM).exists()
        text = editor_client.get(change_url(article)).content.decode()
        assert "metadata incomplete: fill it in" in text

    def test_new_and_existing_tags_are_saved(self, editor_client):
        article = make_draft(tags=["kept"])
        data = form_data(editor_client.get(change_url(article)))
        data["new_tags"] = "fresh, two words"
        assert editor_client.post(change_url(article), data).status_code == 302
        assert {t.name for t in article.tags.all()} == {"kept", "fresh", "two words"}

    def test_duplicate_slug_on_the_same_day_is_a_form_error(self, editor_client):
        taken = make_article(slug="same")
        other = make_draft(slug="other")
        data = form_data(editor_client.get(change_url(other)))
        data["slug"] = "same"
        data["status"] = Article.Status.PUBLISHED
        moment = timezone.localtime(taken.published_at)
        data["published_at_0"] = moment.date().isoformat()
        data["published_at_1"] = moment.time().isoformat()
        response = editor_client.post(change_url(other), data)
        assert response.status_code == 200
        assert "already has the address “same”" in response.content.decode()
        other.refresh_from_db()
        assert other.slug == "other"

    def test_a_post_without_the_version_is_refused(self, editor_client):
        article = make_draft(title="Untouched")
        data = form_data(editor_client.get(change_url(article)))
        del data["loaded_version"]
        data["title"] = "Changed"
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        assert "Not saved:" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Untouched"

    def test_category_cycle_is_refused(self, editor_client):
        parent = make_category(name="Parent")
        child = make_category(name="Child", parent=parent)
        url = f"/admin/articles/category/{parent.pk}/change/"
        data = {"name": "Parent", "slug": parent.slug, "description": "", "parent": child.pk}
        response = editor_client.post(url, data)
        assert "cannot sit under itself" in response.content.decode()
        parent.refresh_from_db()
        assert parent.parent is None

    def test_category_changelist_shows_the_hierarchy(self, editor_client):
        news = make_category(name="News")
        music = make_category(name="Music", parent=news)
        make_category(name="Albums", parent=music)
        text = editor_client.get("/admin/articles/category/").content.decode()
        assert '<span class="nr-tree-path">News › Music › </span>Albums' in text

    def test_author_admin_lists_and_searches(self, editor_client):
        make_author(name="Zed Zephyr")
        response = editor_client.get("/admin/articles/author/", {"q": "zephyr"})
        assert [a.name for a in response.context["cl"].result_list] == ["Zed Zephyr"]


@pytest.fixture(scope="class")
def untouched(class_db):
    """An editor, a draft and its change form as a browser would post it back,
    built once for all the malformed variants."""
    editor_client = logged_in(make_editor())
    article = make_draft(title="Untouched", body="<p>Same.</p>")
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        form = form_data(editor_client.get(change_url(article)))
    return editor_client, article, form


class TestMalformedInput:
    @pytest.mark.parametrize(
        "changes",
        [
            {"published_at_0": "2024-13-45", "published_at_1": "25:99"},
            {"category": "999999"},
            {"category": "not-a-number"},
            {"tags": ["abc"]},
            {"tags": ["999999"]},
            {"status": "nonsense"},
            {"title": "x" * 5000},
            {"title": ""},
            {"slug": "has spaces/and/slashes"},
            {"new_tags": ",".join(f"t{n}" for n in range(50))},
            {"new_tags": "y" * 500},
            {"new_tags": "???, !!!"},
            {"bylines-TOTAL_FORMS": "abc"},
            {"bylines-0-author": "999999", "bylines-TOTAL_FORMS": "2"},
            {"seo_description": "z" * 1000},
            {"loaded_version": "abc"},
            {"loaded_version": "-1"},
            {"loaded_version": "0"},
            {"loaded_version": "2"},
            {"loaded_version": "9" * 40},
            {"loaded_version": "１"},
            {"loaded_version": "1 OR 1=1"},
        ],
    )
    def test_malformed_input_is_a_clear_error_and_changes_nothing(self, untouched, changes):
        editor_client, article, form = untouched
        data = {**form, **changes}
        data["body"] = "<p>Should not be saved.</p>"
        response = editor_client.post(change_url(article), data)
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert response.context["errors"] or "errornote" in response.content.decode()
        article.refresh_from_db()
        assert (article.title, article.body) == ("Untouched", "<p>Same.</p>")


class TestRichText:
    def test_everything_the_editor_can_make_passes_the_gate(self):
        editor_tags = allowlist_from_extensions(EDITOR_EXTENSIONS)["tags"]
        assert editor_tags <= ALLOWED_TAGS

    def test_typical_editor_output_is_kept(self):
        html = (
            "<h2>Heading</h2><h3>Sub</h3><h4>Small</h4>"
            "<p>Text with <strong>bold</strong>, <em>italic</em> and "
            '<a href="https://example.com/a">a link</a>.</p>'
            "<ul><li><p>one</p></li></ul><ol><li><p>two</p></li></ol>"
            "<blockquote><p>Quoted.</p></blockquote><hr>"
            f'<p><a href="{INSTAGRAM}">{INSTAGRAM}</a></p>'
        )
        cleaned = sanitize(html)
        for fragment in [
            "<h2>Heading</h2>",
            "<h4>Small</h4>",
            "<strong>bold</strong>",
            "<em>italic</em>",
            "<blockquote><p>Quoted.</p></blockquote>",
            "<hr>",
            "<ol><li><p>two</p></li></ol>",
        ]:
            assert fragment in cleaned
        assert 'href="https://example.com/a" rel="noopener noreferrer"' in cleaned

    def test_an_empty_editor_saves_an_empty_body(self):
        from articles.forms import clean_body

        assert clean_body("<p></p>") == ""
        assert clean_body("<p><br></p>") == ""
        assert clean_body("<p>x</p>") == "<p>x</p>"

    def test_a_pasted_url_on_its_own_line_becomes_an_embed(self):
        from embeds.rendering import embed_urls

        body = sanitize(f'<p>Intro.</p><p><a href="{INSTAGRAM}">{INSTAGRAM}</a></p>')
        assert embed_urls(body) == [INSTAGRAM]

    def test_hostile_body_is_cleaned_on_save_through_the_admin(self, editor_client):
        article = make_draft()
        data = form_data(editor_client.get(change_url(article)))
        data["body"] = (
            '<p onclick="x()">Hi<script>alert(1)</script></p>'
            '<a href="javascript:alert(1)" target="_blank">x</a>'
            '<iframe src="https://evil.example"></iframe><p style="color:red">s</p>'
        )
        assert editor_client.post(change_url(article), data).status_code == 302
        article.refresh_from_db()
        for bad in ["script", "onclick", "javascript:", "iframe", "style=", "target="]:
            assert bad not in article.body

    def test_add_form_creates_an_article_with_byline_and_tags(self, editor_client):
        category = make_category()
        author = make_author()
        data = new_article_data(
            category,
            title="Brand new",
            new_tags="first",
            **{
                "bylines-TOTAL_FORMS": "1",
                "bylines-0-author": str(author.pk),
                "bylines-0-position": "0",
            },
        )
        response = editor_client.post(ADD_URL, data)
        assert response.status_code == 302
        article = Article.objects.get(title="Brand new")
        assert article.slug == "brand-new"
        assert article.ordered_authors == [author]
        assert [t.name for t in article.tags.all()] == ["first"]


def test_models_have_their_admins(editor_client):
    for model in (Article, Category, Author):
        url = f"/admin/articles/{model._meta.model_name}/"
        assert editor_client.get(url).status_code == 200
    assert editor_client.get("/admin/taggit/tag/").status_code == 200
    assert editor_client.get("/admin/articles/redirect/").status_code == 200
