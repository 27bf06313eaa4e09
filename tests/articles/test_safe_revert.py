"""Reverting keeps a live article live at its address, says what it changes,
and goes through the write path; the history never mentions the form's
hidden version field; the compare view shows words, not markup."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from tests.articles.editorial import change_url, form_data, logged_in, make_editor
from tests.factories import make_article, make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]


def save(client, article, **changes):
    data = form_data(client.get(change_url(article)))
    data.update(changes)
    response = client.post(change_url(article), data)
    if response.status_code != 302:
        form = response.context["adminform"].form
        raise AssertionError(form.errors)
    return response


def versions(article):
    return list(Version.objects.get_for_object(article).order_by("pk"))


PUBLISH = {"status": "published", "published_at_0": "2026-01-05", "published_at_1": "09:30:00"}


def revert_url(article, version):
    return reverse("admin:articles_article_revision", args=[article.pk, version.pk])


class TestSafeRevert:
    def test_a_live_article_stays_live_at_its_address_with_the_older_text(self, client):
        editor = logged_in(make_editor())
        article = make_article(title="Good", slug="good", body="<p>Good text.</p>")
        save(editor, article, body="<p>Good text.</p>")
        save(editor, article, title="Bad", body="<p>Vandalised.</p>")
        article.refresh_from_db()
        url, published_at = article.get_absolute_url(), article.published_at
        assert "Vandalised." in client.get(url).content.decode()

        good = versions(article)[0]
        page = editor.get(revert_url(article, good))
        text = page.content.decode()
        assert "This article is live: readers will see the restored text immediately." in text
        assert "<dt>Title</dt>" in text and "<del>Bad</del><ins>Good</ins>" in text
        assert "<dt>Body</dt>" in text
        assert editor.post(revert_url(article, good), form_data(page)).status_code == 302

        article.refresh_from_db()
        assert (article.title, article.body) == ("Good", "<p>Good text.</p>")
        assert article.status == Article.Status.PUBLISHED
        assert (article.published_at, article.get_absolute_url()) == (published_at, url)
        live = client.get(url)
        assert live.status_code == 200
        assert "Good text." in live.content.decode()
        assert "Vandalised." not in live.content.decode()
        # Through the write path: a new version with the editor, found by search.
        assert len(versions(article)) == 3
        assert "Reverted" in versions(article)[-1].revision.get_comment()
        assert client.get("/search/", {"q": "vandalised"}).content.decode().count(url) == 0

    def test_reverting_to_a_draft_version_keeps_the_article_published(self, client):
        editor_user = make_editor()
        editor = logged_in(editor_user)
        article = make_draft(title="Early draft", body="<p>Early words.</p>")
        save(editor, article, title="Early draft")
        save(editor, article, title="Final", body="<p>Final words.</p>", **PUBLISH)
        article.refresh_from_db()
        assert article.is_published
        draft_version = versions(article)[0]
        page = editor.get(revert_url(article, draft_version))
        text = page.content.decode()
        assert 'name="_restore_status"' in text
        assert "Also restore this version" in text
        assert editor.post(revert_url(article, draft_version), form_data(page)).status_code == 302
        article.refresh_from_db()
        assert article.title == "Early draft" and article.is_published
        assert "Early words." in client.get(article.get_absolute_url()).content.decode()

    def test_ticking_the_box_restores_the_status_too(self, client):
        editor = logged_in(make_editor())
        article = make_draft(title="Early draft", body="<p>Early words.</p>")
        save(editor, article, title="Early draft")
        save(editor, article, title="Final", **PUBLISH)
        article.refresh_from_db()
        url = article.get_absolute_url()
        draft_version = versions(article)[0]
        data = form_data(editor.get(revert_url(article, draft_version)))
        data["_restore_status"] = "1"
        assert editor.post(revert_url(article, draft_version), data).status_code == 302
        article.refresh_from_db()
        assert (article.title, article.status) == ("Early draft", Article.Status.DRAFT)
        assert client.get(url).status_code == 404

    def test_a_draft_says_readers_will_not_see_it(self):
        editor = logged_in(make_editor())
        article = make_draft()
        save(editor, article, title="One")
        save(editor, article, title="Two")
        text = editor.get(revert_url(article, versions(article)[0])).content.decode()
        assert "readers will not see the restored text" in text
        assert 'name="_restore_status"' not in text  # same status: nothing to choose

    @pytest.mark.parametrize("version_id", ["99999999999999999999999", "0"])
    def test_impossible_versions_are_a_404(self, version_id):
        editor = logged_in(make_editor())
        article = make_draft()
        url = f"/admin/articles/article/{article.pk}/history/{version_id}/"
        assert editor.get(url).status_code == 404


class TestHistoryText:
    def test_the_version_field_is_never_named_in_the_history(self):
        editor_user = make_editor()
        editor = logged_in(editor_user)
        article = make_draft(title="Start")
        stale = form_data(editor.get(change_url(article)))
        save(editor, article, title="First")
        stale["title"] = "Second"
        refused = editor.post(change_url(article), stale)
        assert "Not saved:" in refused.content.decode()
        again = form_data(refused)  # the re-shown form: saving again goes through
        assert editor.post(change_url(article), again).status_code == 302
        save(editor, article, title="Third")
        page = editor.get(revert_url(article, versions(article)[0]))
        editor.post(revert_url(article, versions(article)[0]), form_data(page))
        messages = [entry.get_change_message() for entry in LogEntry.objects.all()]
        comments = [version.revision.get_comment() for version in versions(article)]
        history = editor.get(reverse("admin:articles_article_history", args=[article.pk]))
        for text in [*messages, *comments, history.content.decode()]:
            assert "oaded version" not in text and "loaded_version" not in text.split("<form")[0]
        assert any("Title" in message for message in messages)

    def test_the_change_message_leaves_hidden_fields_out(self, rf):
        from django.contrib import admin

        from articles.forms import ArticleAdminForm

        article = make_draft(title="Before")
        model_admin = admin.site._registry[Article]
        request = rf.post("/")
        request.user = make_editor()
        form = ArticleAdminForm(
            data={"title": "After", "loaded_version": "999"},
            instance=article,
            initial={"title": "Before", "loaded_version": "1"},
        )
        form.__dict__["changed_data"] = ["title", "loaded_version"]
        message = model_admin.construct_change_message(request, form, [], add=False)
        assert message == [{"changed": {"fields": ["Title"]}}]

    def test_the_compare_view_shows_words_not_markup(self):
        editor = logged_in(make_editor())
        article = make_draft()
        save(
            editor, article, body="<p>One <a href='https://example.com/a'>link</a>.</p><p>Two.</p>"
        )
        save(editor, article, body="<h2>Heading</h2><p>One <b>link</b>.</p><p>Two.</p>")
        older, newer = versions(article)
        url = reverse("admin:articles_article_compare", args=[article.pk])
        text = editor.get(url, {"from": older.pk, "to": newer.pk}).content.decode()
        diff = text.split('<dl class="nr-diff">')[1].split("</dl>")[0]
        assert "&lt;p&gt;" not in diff
        assert "&lt;" not in diff
        assert "<ins>Heading" in diff
        assert "<del>link (https://example.com/a).</del><ins>link.</ins>" in diff


def test_a_writer_cannot_revert_or_restore_a_status():
    from tests.articles.editorial import make_writer

    writer = make_writer()
    article = make_draft(authors=[writer.author])
    client = logged_in(writer)
    save(client, article, title="One")
    save(client, article, title="Two")
    url = revert_url(article, versions(article)[0])
    assert client.get(url).status_code == 403
    assert client.post(url, {"_restore_status": "1", "title": "x"}).status_code == 403
    article.refresh_from_db()
    assert article.title == "Two"


def test_reverting_never_reopens_ended_live_coverage():
    """Ending coverage is final; a version from while it ran does not undo it."""
    editor = logged_in(make_editor())
    article = make_article(title="Storm night", body="<p>First words.</p>")
    Article.objects.filter(pk=article.pk).update(
        is_live=True, coverage_started_at=article.published_at
    )
    save(editor, article, body="<p>First words.</p>")
    running = versions(article)[-1]
    Article.objects.filter(pk=article.pk).update(coverage_ended_at=article.published_at)
    save(editor, article, body="<p>Later words.</p>")
    ended_at = Article.objects.get(pk=article.pk).coverage_ended_at

    page = editor.get(revert_url(article, running))
    assert editor.post(revert_url(article, running), form_data(page)).status_code == 302

    article.refresh_from_db()
    assert article.body == "<p>First words.</p>"
    assert (article.is_live, article.coverage_ended_at) == (True, ended_at)
