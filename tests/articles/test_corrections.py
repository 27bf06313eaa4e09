"""Corrections, updates and clarifications: the write path, the article page,
JSON-LD, feeds, the site-wide log and its gate, the admin inline."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import User
from reversion.models import Version

from articles import services
from articles.models import Article, Correction
from tests.articles.editorial import change_url, form_data, logged_in, make_editor, make_writer
from tests.factories import make_article, make_author, make_draft, make_scheduled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

ATOM = "{http://www.w3.org/2005/Atom}"
MAY_4 = datetime.datetime(2022, 5, 4, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def editor() -> User:
    return make_editor()


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD"
    return json.loads(found.group(1))


class TestWritePath:
    def test_a_correction_is_a_new_version_and_revision_of_the_article(self, editor):
        article = make_article()
        version = article.version
        correction = services.add_correction(article, editor, text="The date was wrong.")
        article.refresh_from_db()
        assert article.version == version + 1
        assert correction.author == editor
        assert Version.objects.get_for_object(correction).count() == 1
        comment = Version.objects.get_for_object(article).first().revision.comment
        assert comment == "Correction added."

    def test_text_is_plain_text_cleaned_of_control_characters(self, editor):
        article = make_article()
        hostile = "<script>alert(1)</script>\x00\x1b[31m <b>bold</b> \u202e"
        correction = services.add_correction(article, editor, text=hostile)
        assert "\x00" not in correction.text and "\x1b" not in correction.text
        page = self_get(article)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b>bold</b>" not in page

    @pytest.mark.parametrize(
        ("kind", "text"),
        [
            ("correction", ""),
            ("correction", "   \x00\x01  "),
            ("correction", "x" * 2001),
            ("retraction", "Not a kind we have."),
            ("", "No kind."),
        ],
    )
    def test_malformed_notes_are_refused_and_nothing_is_written(self, editor, kind, text):
        article = make_article()
        version = article.version
        with pytest.raises(Exception) as caught:
            services.add_correction(article, editor, text=text, kind=kind)
        assert caught.type.__name__ == "ValidationError"
        assert not Correction.objects.exists()
        article.refresh_from_db()
        assert article.version == version

    def test_a_writer_may_not_add_a_correction(self):
        writer = make_writer()
        article = make_draft(authors=[writer.author])
        with pytest.raises(services.TransitionRefused):
            services.add_correction(article, writer, text="Sneaky.")
        assert not Correction.objects.exists()


def self_get(article: Article) -> str:
    from django.test import Client

    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


class TestArticlePage:
    def test_the_box_dates_each_note_and_the_meta_line_says_updated(self, editor, time_machine):
        time_machine.move_to(MAY_4 - datetime.timedelta(days=1), tick=False)
        article = make_article(published_at=MAY_4 - datetime.timedelta(days=1, hours=1))
        time_machine.move_to(MAY_4, tick=False)
        services.add_correction(article, editor, text="The band formed in 1998, not 1989.")
        services.add_correction(article, editor, text="Tour dates added.", kind="update")
        page = self_get(article)
        assert "Correction, <time" in page
        assert 'datetime="2022-05-04T09:30:00+00:00">May 4th, 2022</time>:' in page
        assert "The band formed in 1998, not 1989." in page
        assert "Update, <time" in page
        meta = re.search(r'<p class="meta">(.*?)</p>', page, re.S).group(1)
        assert 'Updated <time datetime="2022-05-04T09:30:00+00:00">May 4th, 2022</time>' in meta

    def test_an_article_without_notes_has_no_box_and_no_updated(self):
        page = self_get(make_article())
        assert "Corrections and updates" not in page
        assert "Updated" not in page

    def test_json_ld_carries_date_modified_and_correction_comments(self, editor, time_machine):
        time_machine.move_to(MAY_4, tick=False)
        article = make_article(
            published_at=MAY_4 - datetime.timedelta(days=2), authors=[make_author(name="Ana")]
        )
        services.add_correction(article, editor, text="The venue was in Leeds.")
        services.add_correction(article, editor, text="More to come.", kind="update")
        data = json_ld(self_get(article))
        # What schema.org and Google's article rules ask of a corrected NewsArticle.
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "NewsArticle"
        for required in ("headline", "datePublished", "dateModified", "author", "publisher"):
            assert data[required], required
        assert datetime.datetime.fromisoformat(data["dateModified"]) >= MAY_4
        assert datetime.datetime.fromisoformat(data["datePublished"]) < MAY_4
        assert data["correction"] == [
            {
                "@type": "CorrectionComment",
                "text": "The venue was in Leeds.",
                "datePublished": "2022-05-04T09:30:00+00:00",
            }
        ]  # updates are not corrections

    def test_json_ld_text_cannot_close_its_script(self, editor):
        article = make_article()
        services.add_correction(article, editor, text="</script><script>alert(1)</script>")
        page = self_get(article)
        data = json_ld(page)
        assert data["correction"][0]["text"] == "</script><script>alert(1)</script>"
        assert "<script>alert(1)" not in page

    def test_the_article_feed_entry_is_updated_by_a_correction(self, client, editor, time_machine):
        time_machine.move_to(MAY_4 - datetime.timedelta(days=3), tick=False)
        article = make_article(published_at=MAY_4 - datetime.timedelta(days=3, hours=1))
        time_machine.move_to(MAY_4, tick=False)
        services.add_correction(article, editor, text="Spelling of a name fixed.")
        feed = ET.fromstring(client.get("/feed/atom/").content)
        entry = feed.find(f"{ATOM}entry")
        assert entry.find(f"{ATOM}updated").text == "2022-05-04T09:30:00+00:00"
        assert entry.find(f"{ATOM}published").text.startswith("2022-05-01")


class TestCorrectionsLog:
    def test_lists_corrections_and_clarifications_of_published_articles(self, client, editor):
        live = make_article(title="Live story")
        services.add_correction(live, editor, text="A live correction.")
        services.add_correction(live, editor, text="A live clarification.", kind="clarification")
        services.add_correction(live, editor, text="A live update.", kind="update")
        page = client.get("/corrections/").content.decode()
        assert "A live correction." in page
        assert "A live clarification." in page
        assert "A live update." not in page
        assert f'href="{live.get_absolute_url()}#correction-' in page

    @pytest.mark.parametrize(
        "make_hidden",
        [
            make_draft,
            lambda **kw: make_article(status=Article.Status.REVIEW, **kw),
            make_scheduled,
        ],
        ids=["draft", "review", "scheduled"],
    )
    def test_corrections_of_unpublished_articles_appear_nowhere(self, client, editor, make_hidden):
        hidden = make_hidden(title="Hidden walrus")
        services.add_correction(hidden, editor, text="Hidden correction text.")
        make_article(title="Visible yak")
        for path in ("/corrections/", "/corrections/feed/", "/corrections/feed/atom/", "/"):
            text = client.get(path).content.decode()
            assert "Hidden correction text." not in text, path
            assert "Hidden walrus" not in text, path

    def test_an_unpublished_article_takes_its_corrections_off_the_log(self, client, editor):
        article = make_article(title="Soon pulled")
        services.add_correction(article, editor, text="Pulled correction.")
        assert "Pulled correction." in client.get("/corrections/").content.decode()
        services.unpublish(article, editor)
        for path in ("/corrections/", "/corrections/feed/"):
            assert "Pulled correction." not in client.get(path).content.decode()

    def test_pages_and_bad_page_numbers(self, client, editor):
        article = make_article()
        for n in range(25):
            Correction.objects.create(article=article, text=f"Fix number {n}.")
        first = client.get("/corrections/").content.decode()
        assert "Fix number 24." in first and "Fix number 4." not in first
        assert "Fix number 4." in client.get("/corrections/?page=2").content.decode()
        assert "Fix number 4." in client.get("/corrections/?page=last").content.decode()
        for bad in ("3", "0", "-1", "abc", "9" * 30, "1e3", "%00", "<script>"):
            assert client.get("/corrections/", {"page": bad}).status_code == 404, bad

    @pytest.mark.usefixtures("page_cache_off")
    def test_query_count_does_not_grow_with_the_page_size(self, client, monkeypatch):
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from articles.corrections import CorrectionsView
        from newsroom import cache as content

        for n in range(12):
            article = make_article(title=f"Story {n}")
            Correction.objects.create(article=article, text=f"Fix of story {n}.")
        counts = {}
        for size in (3, 12):
            monkeypatch.setattr(CorrectionsView, "paginate_by", size)
            cache.clear()
            content.current()
            with CaptureQueriesContext(connection) as queries:
                page = client.get("/corrections/").content.decode()
            assert page.count("correction-log__item") == size
            counts[size] = len(queries)
        assert counts[3] == counts[12] == 3

    def test_feeds_are_valid_xml_with_escaped_text(self, client, editor):
        article = make_article(title="Feed story")
        services.add_correction(article, editor, text="<img src=x onerror=alert(1)> & more")
        rss = client.get("/corrections/feed/")
        assert rss["Content-Type"].startswith("application/rss+xml")
        item = ET.fromstring(rss.content).find("channel/item")
        assert item.findtext("title") == "Correction: Feed story"
        # Escaped: a feed reader decoding the HTML shows the text, runs nothing.
        assert "<img" not in item.findtext("description")
        assert "&lt;img" in item.findtext("description")
        atom = ET.fromstring(client.get("/corrections/feed/atom/").content)
        assert atom.find(f"{ATOM}entry/{ATOM}updated") is not None

    def test_every_page_links_to_the_log(self, client):
        make_article()
        assert 'href="/corrections/"' in client.get("/").content.decode()


class TestAdminInline:
    def test_an_editor_adds_a_correction_from_the_article_form(self, editor):
        client = logged_in(editor)
        article = make_article()
        data = form_data(client.get(change_url(article)))
        data.update(
            {
                "corrections-TOTAL_FORMS": "1",
                "corrections-0-kind": "correction",
                "corrections-0-text": "The score was 3-1.",
            }
        )
        response = client.post(change_url(article), data)
        assert response.status_code == 302, response.content.decode()[-3000:]
        correction = Correction.objects.get()
        assert (correction.text, correction.author) == ("The score was 3-1.", editor)
        assert "The score was 3-1." in self_get(article)

    def test_rewording_keeps_the_earlier_text_and_dates_the_change(self, editor):
        client = logged_in(editor)
        article = make_article()
        services.add_correction(article, editor, text="First wording.")
        data = form_data(client.get(change_url(article)))
        data["corrections-0-text"] = "Second wording."
        assert client.post(change_url(article), data).status_code == 302
        correction = Correction.objects.get()
        assert correction.text == "Second wording."
        assert correction.edited_at is not None
        texts = [v.field_dict["text"] for v in Version.objects.get_for_object(correction)]
        assert texts == ["Second wording.", "First wording."]
        page = client.get(change_url(article)).content.decode()
        assert "<p>First wording.</p>" in page  # the inline's "Earlier wording"
        assert "wording changed" in self_get(article)

    @pytest.mark.parametrize(
        "changes",
        [
            {"corrections-0-kind": "update", "corrections-0-text": ""},
            {"corrections-0-text": "\x00\x01"},
            {"corrections-0-text": "y" * 5000},
            {"corrections-0-kind": "retraction"},
            {"corrections-TOTAL_FORMS": "abc"},
            {"corrections-TOTAL_FORMS": "99999"},
        ],
    )
    def test_malformed_inline_input_is_a_form_error_and_writes_nothing(self, editor, changes):
        client = logged_in(editor)
        article = make_article()
        version = article.version
        data = form_data(client.get(change_url(article)))
        data.update(
            {
                "corrections-TOTAL_FORMS": "1",
                "corrections-0-kind": "correction",
                "corrections-0-text": "Fine.",
                **changes,
            }
        )
        response = client.post(change_url(article), data)
        assert response.status_code == 200
        assert not Correction.objects.exists()
        article.refresh_from_db()
        assert article.version == version

    def test_a_writer_cannot_post_a_correction_onto_their_draft(self):
        writer = make_writer()
        client = logged_in(writer)
        article = make_draft(authors=[writer.author])
        data = form_data(client.get(change_url(article)))
        data.update(
            {
                "corrections-TOTAL_FORMS": "1",
                "corrections-INITIAL_FORMS": "0",
                "corrections-0-kind": "correction",
                "corrections-0-text": "Writer's own note.",
            }
        )
        client.post(change_url(article), data)
        assert not Correction.objects.exists()
