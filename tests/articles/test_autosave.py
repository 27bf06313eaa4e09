"""Autosave: the endpoint the change form posts to, the restore offer, and
the clean-up after a normal save. The browser side is in
tests/browser/test_autosave.py."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from articles import autosaves
from articles.autosaves import Autosave
from articles.models import Article
from tests.articles.editorial import (
    ADD_URL,
    change_url,
    form_data,
    logged_in,
    make_editor,
    make_writer,
    new_article_data,
)
from tests.factories import make_article, make_category, make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

URL = "/admin/articles/article/autosave/"
DRAFT = "0f8fad5b-d9cb-469f-a165-70867728950e"


def post(client, payload, **extra):
    body = payload if isinstance(payload, bytes) else json.dumps(payload)
    return client.post(URL, body, content_type="application/json", **extra)


def writers_draft(writer, **overrides):
    return make_draft(authors=[writer.author], **overrides)


def test_the_url_is_the_admins():
    assert reverse("admin:articles_article_autosave") == URL


class TestEndpoint:
    def test_a_writer_autosaves_their_draft_without_touching_the_article(self):
        writer = make_writer()
        article = writers_draft(writer, title="Saved title", body="<p>Saved.</p>")
        version = article.version
        response = post(
            logged_in(writer),
            {"article": article.pk, "fields": {"title": "Typed title", "body": "<p>New.</p>"}},
        )
        assert response.status_code == 200, response.content
        assert response.json()["message"].startswith("Autosaved at ")
        autosave = Autosave.objects.get()
        assert (autosave.user, autosave.article, autosave.draft_token) == (writer, article, "")
        assert autosave.data == {"title": "Typed title", "body": "<p>New.</p>"}
        article.refresh_from_db()
        assert (article.title, article.body, article.version) == (
            "Saved title",
            "<p>Saved.</p>",
            version,
        )

    def test_a_second_autosave_replaces_the_first(self):
        writer = make_writer()
        article = writers_draft(writer)
        client = logged_in(writer)
        post(client, {"article": article.pk, "fields": {"title": "One"}})
        post(client, {"article": article.pk, "fields": {"title": "Two"}})
        assert list(Autosave.objects.values_list("data", flat=True)) == [{"title": "Two"}]

    def test_a_new_article_is_kept_by_its_draft_token(self):
        writer = make_writer()
        response = post(logged_in(writer), {"article": None, "draft": DRAFT, "fields": {"x": "y"}})
        assert response.status_code == 200
        autosave = Autosave.objects.get()
        assert (autosave.article, autosave.draft_token) == (None, DRAFT)

    def test_the_live_page_is_untouched(self, client):
        editor = make_editor()
        article = make_article(title="Live title", body="<p>Live text.</p>")
        response = post(
            logged_in(editor),
            {"article": article.pk, "fields": {"title": "Autosaved title"}},
        )
        assert response.status_code == 200
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Live title" in page and "Autosaved title" not in page

    def test_anonymous_is_sent_to_sign_in_and_nothing_is_kept(self, client):
        article = make_draft()
        response = post(client, {"article": article.pk, "fields": {"title": "x"}})
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
        assert not Autosave.objects.exists()

    def test_csrf_is_required(self):
        writer = make_writer()
        client = Client(enforce_csrf_checks=True)
        client.force_login(writer)
        response = post(client, {"article": None, "draft": DRAFT, "fields": {}})
        assert response.status_code == 403
        assert not Autosave.objects.exists()

    def test_another_writers_draft_is_not_found(self):
        owner, other = make_writer("wanda"), make_writer("walt")
        article = writers_draft(owner)
        response = post(logged_in(other), {"article": article.pk, "fields": {"title": "x"}})
        assert response.status_code == 404
        assert response.json()["error"]
        assert not Autosave.objects.exists()

    def test_a_writer_may_not_autosave_a_published_article(self):
        writer = make_writer()
        article = make_article(authors=[writer.author])
        response = post(logged_in(writer), {"article": article.pk, "fields": {"title": "x"}})
        assert response.status_code == 403
        assert "may not edit" in response.json()["error"]
        assert not Autosave.objects.exists()

    def test_staff_without_article_rights_may_not_autosave_a_new_article(self):
        from django.contrib.auth.models import User

        nobody = User.objects.create_user("nobody", is_staff=True)
        response = post(logged_in(nobody), {"article": None, "draft": DRAFT, "fields": {}})
        assert response.status_code == 403
        assert not Autosave.objects.exists()

    def test_get_is_refused(self):
        response = logged_in(make_writer()).get(URL)
        assert response.status_code == 405

    @pytest.mark.parametrize(
        "body",
        [
            b"",
            b"not json",
            b"\xff\xfe\x00",
            b"[]",
            b'"text"',
            b"[" * 100_000,
            b'{"article": null, "draft": "' + DRAFT.encode() + b'", "fields": "\\ud800"}',
            b'{"article": null, "draft": "' + DRAFT.encode() + b'", "fields": {"t": "\\ud800"}}',
            b'{"article": null, "draft": "' + DRAFT.encode() + b'", "fields": {"t": "a\\u0000"}}',
            b'{"article": null, "draft": "' + DRAFT.encode() + b'", "fields": {"\\u0000": "a"}}',
        ],
        ids=[
            "empty",
            "not-json",
            "not-utf8",
            "array",
            "string",
            "deeply-nested",
            "fields-string",
            "lone-surrogate",
            "nul-value",
            "nul-name",
        ],
    )
    def test_hostile_bodies_are_a_400_with_a_reason(self, body):
        response = post(logged_in(make_writer()), body)
        assert response.status_code == 400
        assert response.json()["error"]
        assert not Autosave.objects.exists()

    @pytest.mark.parametrize(
        "payload",
        [
            {"article": "1", "fields": {}},
            {"article": True, "fields": {}},
            {"article": 10**30, "fields": {}},
            {"article": -1, "fields": {}},
            {"article": None, "fields": {}},
            {"article": None, "draft": "short", "fields": {}},
            {"article": None, "draft": "../../" + "x" * 20, "fields": {}},
            {"article": None, "draft": ["x"], "fields": {}},
            {"article": None, "draft": DRAFT, "action": "publish", "fields": {}},
            {"article": None, "draft": DRAFT},
            {"article": None, "draft": DRAFT, "fields": []},
            {"article": None, "draft": DRAFT, "fields": {"a": {"b": "c"}}},
            {"article": None, "draft": DRAFT, "fields": {"a": [1]}},
            {"article": None, "draft": DRAFT, "fields": {"a": [["1", "2", "3"]]}},
            {"article": None, "draft": DRAFT, "fields": {"a": None}},
            {"article": None, "draft": DRAFT, "fields": {"": "x"}},
            {"article": None, "draft": DRAFT, "fields": {"n" * 101: "x"}},
            {"article": None, "draft": DRAFT, "fields": {f"f{i}": "" for i in range(201)}},
            {"article": None, "draft": DRAFT, "fields": {"a": ["x"] * 201}},
        ],
    )
    def test_malformed_payloads_are_a_400_with_a_reason(self, payload):
        response = post(logged_in(make_writer()), payload)
        assert response.status_code == 400, response.content
        assert response.json()["error"]
        assert not Autosave.objects.exists()

    def test_an_unknown_article_is_a_404(self):
        response = post(logged_in(make_editor()), {"article": 2**62, "fields": {}})
        assert response.status_code == 404

    def test_too_large_is_refused_before_reading(self):
        body = "x" * autosaves.MAX_REQUEST_BYTES
        big = {"article": None, "draft": DRAFT, "fields": {"body": body}}
        response = post(logged_in(make_writer()), big)
        assert response.status_code == 413
        assert "too large" in response.json()["error"]
        assert not Autosave.objects.exists()

    def test_discard_deletes_only_the_users_own(self):
        writer, editor = make_writer(), make_editor()
        article = writers_draft(writer)
        autosaves.store(writer, {"title": "mine"}, article=article)
        autosaves.store(editor, {"title": "theirs"}, article=article)
        response = post(logged_in(writer), {"article": article.pk, "action": "discard"})
        assert response.status_code == 200
        assert list(Autosave.objects.values_list("user", flat=True)) == [editor.pk]

    def test_a_user_keeps_a_bounded_number_of_new_article_autosaves(self):
        writer = make_writer()
        for i in range(autosaves.MAX_DRAFTS_PER_USER + 3):
            autosaves.store(writer, {}, draft=f"draft-token-number-{i:04d}")
        assert Autosave.objects.count() == autosaves.MAX_DRAFTS_PER_USER

    def test_query_count_is_pinned(self, django_assert_num_queries):
        writer = make_writer()
        article = writers_draft(writer)
        client = logged_in(writer)
        post(client, {"article": article.pk, "fields": {"title": "warm"}})
        # Session, user, article, permissions (user's and group's), byline,
        # then the savepoint, its release, the update and the row read back.
        with django_assert_num_queries(11):
            response = post(client, {"article": article.pk, "fields": {"title": "x" * 5000}})
        assert response.status_code == 200


class TestOffer:
    def test_the_change_form_offers_the_users_autosave_with_a_text_diff(self):
        writer = make_writer()
        article = writers_draft(writer, title="Saved title", body="<p>The saved words.</p>")
        autosaves.store(
            writer,
            {"title": "Typed title", "body": "<p>The typed <b>words</b>.</p>"},
            article=article,
        )
        page = logged_in(writer).get(change_url(article)).content.decode()
        assert "Restore the autosave from " in page
        assert "(UTC)?" in page
        assert "<del>Saved</del><ins>Typed</ins> title" in page
        assert "<del>saved</del><ins>typed</ins> words." in page
        assert "&lt;p&gt;" not in page.split('id="nr-autosave-offer"')[1].split("</dl>")[0]
        assert 'id="nr-autosave-data"' in page

    def test_another_users_autosave_is_not_offered(self):
        writer, editor = make_writer(), make_editor()
        article = writers_draft(writer)
        autosaves.store(editor, {"title": "The editor's"}, article=article)
        page = logged_in(writer).get(change_url(article)).content.decode()
        assert 'id="nr-autosave"' in page
        assert "Restore the autosave" not in page
        assert "The editor&#x27;s" not in page and "The editor's" not in page

    def test_hostile_autosaved_text_is_shown_escaped(self):
        writer = make_writer()
        article = writers_draft(writer)
        hostile = '</script><script>alert(1)</script><img src=x onerror="alert(2)">'
        autosaves.store(writer, {"title": hostile, "body": hostile}, article=article)
        page = logged_in(writer).get(change_url(article)).content.decode()
        assert "<script>alert(1)" not in page
        assert "<img src=x" not in page

    def test_the_add_form_offers_the_newest_new_article_autosave(self):
        writer = make_writer()
        autosaves.store(writer, {"title": "Half written"}, draft=DRAFT)
        page = logged_in(writer).get(ADD_URL).content.decode()
        assert "Restore the autosave from " in page
        assert f'data-draft="{DRAFT}"' in page
        assert "<ins>Half written</ins>" in page

    def test_a_read_only_form_does_not_autosave(self):
        writer = make_writer()
        article = make_article(authors=[writer.author])
        page = logged_in(writer).get(change_url(article)).content.decode()
        assert 'id="nr-autosave"' not in page

    def test_saving_normally_deletes_the_autosave(self):
        writer = make_writer()
        article = writers_draft(writer, title="Before")
        client = logged_in(writer)
        autosaves.store(writer, {"title": "Kept aside"}, article=article)
        data = form_data(client.get(change_url(article)))
        data["title"] = "After"
        assert client.post(change_url(article), data).status_code == 302
        assert not Autosave.objects.exists()

    def test_saving_a_new_article_deletes_its_draft_autosave(self):
        writer = make_writer()
        category = make_category()
        autosaves.store(writer, {"title": "Kept aside"}, draft=DRAFT)
        autosaves.store(writer, {"title": "Another tab"}, draft="another-draft-token-0001")
        data = new_article_data(category, _autosave_draft=DRAFT)
        assert logged_in(writer).post(ADD_URL, data).status_code == 302
        assert Article.objects.count() == 1
        assert list(Autosave.objects.values_list("draft_token", flat=True)) == [
            "another-draft-token-0001"
        ]

    def test_a_refused_save_keeps_the_autosave_and_the_token(self):
        writer = make_writer()
        category = make_category()
        autosaves.store(writer, {"title": "Kept aside"}, draft=DRAFT)
        data = new_article_data(category, _autosave_draft=DRAFT, status=Article.Status.PUBLISHED)
        response = logged_in(writer).post(ADD_URL, data)
        assert response.status_code == 200
        assert f'data-draft="{DRAFT}"' in response.content.decode()
        assert Autosave.objects.count() == 1


def test_the_offer_costs_no_extra_query():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    writer = make_writer()
    article = writers_draft(writer, body="<p>Saved.</p>")
    client = logged_in(writer)
    client.get(change_url(article))  # warm the session and content types

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(change_url(article)).status_code == 200
        return len(queries)

    without = count()
    autosaves.store(
        writer, {"title": "x", "body": "<p>" + "word " * 5000 + "</p>"}, article=article
    )
    assert count() == without
