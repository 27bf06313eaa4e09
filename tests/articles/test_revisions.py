"""Nothing is lost: every save is a version, versions compare and revert,
deleted articles come back, and two people saving one article get a
conflict instead of a silent overwrite."""

import pytest
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, Byline
from tests.articles.editorial import (
    CHANGELIST_URL,
    change_url,
    form_data,
    logged_in,
    make_editor,
    make_writer,
)
from tests.factories import make_author, make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]


def save(client, article, **changes):
    data = form_data(client.get(change_url(article)))
    data.update(changes)
    return client.post(change_url(article), data)


def versions(article):
    return list(Version.objects.get_for_object(article).order_by("pk"))


class TestHistory:
    def test_every_admin_save_keeps_a_version_with_its_author(self):
        editor = make_editor()
        client = logged_in(editor)
        article = make_draft(title="First")
        save(client, article, title="Second")
        save(client, article, title="Third")
        kept = versions(article)
        assert [v.field_dict["title"] for v in kept] == ["Second", "Third"]
        assert {v.revision.user for v in kept} == {editor}

    def test_history_page_lists_versions_with_compare_links(self):
        client = logged_in(make_editor())
        article = make_draft()
        save(client, article, title="One")
        save(client, article, title="Two")
        response = client.get(reverse("admin:articles_article_history", args=[article.pk]))
        text = response.content.decode()
        older, newer = versions(article)
        assert f"?from={older.pk}&amp;to={newer.pk}" in text
        assert "Compare with the version before" in text

    def test_compare_shows_a_readable_field_diff(self):
        client = logged_in(make_editor())
        first_author = make_author(name="Ada")
        article = make_draft(
            authors=[first_author], tags=["old"], body="<p>The quick brown fox.</p>"
        )
        save(client, article, title="Before")
        data = form_data(client.get(change_url(article)))
        data.update(
            title="After",
            body="<p>The quick red fox.</p>",
            new_tags="new",
            **{"bylines-0-author": str(make_author(name="Grace").pk)},
        )
        assert client.post(change_url(article), data).status_code == 302
        older, newer = versions(article)
        url = reverse("admin:articles_article_compare", args=[article.pk])
        text = client.get(url, {"from": older.pk, "to": newer.pk}).content.decode()
        assert "<del>Before</del><ins>After</ins>" in text
        assert "<del>brown</del><ins>red</ins>" in text
        assert "<dt>Authors</dt>" in text
        assert "<del>Ada</del><ins>Grace</ins>" in text
        assert "<ins>, new</ins>" in text or "<ins>new, </ins>" in text

    @pytest.mark.parametrize(
        "query",
        [{"from": "abc"}, {"from": "999999", "to": "1"}, {"to": "-1"}, {"from": "9" * 40}],
    )
    def test_compare_with_bad_versions_is_a_404(self, query):
        client = logged_in(make_editor())
        article = make_draft()
        save(client, article, title="One")
        save(client, article, title="Two")
        url = reverse("admin:articles_article_compare", args=[article.pk])
        assert client.get(url, query).status_code == 404

    def test_compare_refuses_another_articles_version(self):
        client = logged_in(make_editor())
        article, other = make_draft(), make_draft()
        save(client, article, title="One")
        save(client, other, title="Other")
        url = reverse("admin:articles_article_compare", args=[article.pk])
        assert client.get(url, {"to": versions(other)[0].pk}).status_code == 404

    def test_revert_restores_the_text_and_is_itself_a_version(self):
        client = logged_in(make_editor())
        article = make_draft()
        save(client, article, title="Good", body="<p>Good text.</p>")
        save(client, article, title="Bad", body="<p>Vandalised.</p>")
        good = versions(article)[0]
        url = reverse("admin:articles_article_revision", args=[article.pk, good.pk])
        page = client.get(url)
        assert page.status_code == 200
        response = client.post(url, form_data(page))
        assert response.status_code == 302
        article.refresh_from_db()
        assert (article.title, article.body) == ("Good", "<p>Good text.</p>")
        assert len(versions(article)) == 3

    def test_a_revert_moves_the_version_on_so_a_form_opened_before_it_is_refused(self):
        client = logged_in(make_editor())
        article = make_draft()
        save(client, article, title="Good")
        before_the_revert = form_data(client.get(change_url(article)))
        save(client, article, title="Bad")
        good = versions(article)[0]
        url = reverse("admin:articles_article_revision", args=[article.pk, good.pk])
        assert client.post(url, form_data(client.get(url))).status_code == 302
        article.refresh_from_db()
        assert article.version == 4  # 1, Good, Bad, the revert: never back to Good's 2
        before_the_revert["title"] = "Stale"
        response = client.post(change_url(article), before_the_revert)
        assert "Not saved:" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Good"


class TestRecover:
    def test_delete_then_recover_brings_back_id_url_tags_and_authors(self):
        client = logged_in(make_editor())
        authors = [make_author(name="First"), make_author(name="Second")]
        article = make_draft(authors=authors, tags=["alpha", "beta"], slug="keep-me")
        save(client, article, title="Worth keeping")
        article.refresh_from_db()
        pk, url = article.pk, article.get_absolute_url()
        delete_url = reverse("admin:articles_article_delete", args=[pk])
        assert client.post(delete_url, {"post": "yes"}).status_code == 302
        assert not Article.objects.filter(pk=pk).exists()

        recover_list = client.get(reverse("admin:articles_article_recoverlist"))
        assert "Worth keeping" in recover_list.content.decode()
        version = Version.objects.get_deleted(Article).get(object_id=str(pk))
        recover_url = reverse("admin:articles_article_recover", args=[version.pk])
        page = client.get(recover_url)
        assert page.status_code == 200
        assert client.post(recover_url, form_data(page)).status_code == 302

        restored = Article.objects.get(pk=pk)
        assert restored.title == "Worth keeping"
        assert restored.version > article.version
        assert restored.get_absolute_url() == url
        assert sorted(t.name for t in restored.tags.all()) == ["alpha", "beta"]
        assert restored.ordered_authors == authors

    def test_recovering_a_missing_version_is_a_404(self):
        client = logged_in(make_editor())
        assert client.get("/admin/articles/article/recover/999999/").status_code == 404


class TestConflicts:
    def test_second_of_two_sessions_gets_the_conflict_and_keeps_its_text(self):
        first_editor = make_editor("ann")
        second_editor = make_editor("ben")
        article = make_draft(title="Original", body="<p>Original.</p>")
        first, second = logged_in(first_editor), logged_in(second_editor)
        save(first, article)  # its first kept version
        first_data = form_data(first.get(change_url(article)))
        second_data = form_data(second.get(change_url(article)))

        first_data["body"] = "<p>Ann's version.</p>"
        assert first.post(change_url(article), first_data).status_code == 302

        second_data["body"] = "<p>Ben's version.</p>"
        response = second.post(change_url(article), second_data)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Not saved: Ann saved this article at" in text
        assert "Ben&#x27;s version." in text or "Ben's version." in text  # still in the form
        assert "See what they changed" in text
        article.refresh_from_db()
        assert article.body == "<p>Ann's version.</p>"

        # The link shows Ann's change against what Ben loaded.
        compare = response.context["adminform"].form.non_field_errors()[0]
        href = compare.split('href="')[1].split('"')[0].replace("&amp;", "&")
        assert "Ann&#x27;s" in second.get(href).content.decode()

        # Saving again, knowingly, goes through; Ann's text stays in the history.
        resubmit = form_data(response)
        assert second.post(change_url(article), resubmit).status_code == 302
        article.refresh_from_db()
        assert article.body == "<p>Ben's version.</p>"
        bodies = [v.field_dict["body"] for v in versions(article)]
        assert "<p>Ann's version.</p>" in bodies
        assert "<p>Ben's version.</p>" in bodies

    def test_without_a_kept_version_the_link_goes_to_the_history(self):
        article = make_draft(title="Imported")
        client = logged_in(make_editor())
        stale = form_data(client.get(change_url(article)))
        article.title = "Changed by a command"
        article.save()
        response = client.post(change_url(article), stale)
        text = response.content.decode()
        assert "Not saved: someone outside the admin saved this article" in text
        assert reverse("admin:articles_article_history", args=[article.pk]) in text

    def test_an_import_through_save_article_names_itself_in_the_conflict(self):
        from articles.services import save_article

        importer = make_editor("importer")
        article = make_draft(title="Imported")
        client = logged_in(make_editor())
        save(client, article)
        stale = form_data(client.get(change_url(article)))
        article.refresh_from_db()
        article.title = "Re-imported"
        save_article(article, user=importer, comment="WordPress import")
        response = client.post(change_url(article), stale)
        assert "Not saved: Importer saved this article" in response.content.decode()

    def test_a_bulk_action_counts_as_a_newer_version(self):
        editor = make_editor()
        article = make_draft(title="Open in a form")
        client = logged_in(editor)
        stale = form_data(client.get(change_url(article)))
        logged_in(make_editor("other")).post(
            CHANGELIST_URL, {"action": "publish_now", "_selected_action": [article.pk]}
        )
        stale["title"] = "Edited in the form"
        response = client.post(change_url(article), stale)
        assert "Not saved: Other saved this article" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Open in a form"
        assert article.status == Article.Status.PUBLISHED

    def test_each_article_in_a_bulk_action_gets_its_own_revision(self):
        client = logged_in(make_editor())
        drafts = [make_draft(), make_draft()]
        client.post(
            CHANGELIST_URL,
            {"action": "publish_now", "_selected_action": [a.pk for a in drafts]},
        )
        first, second = (versions(a)[-1] for a in drafts)
        assert first.revision_id != second.revision_id
        assert first.revision.get_comment() == "Published."

    def test_conflict_under_a_frozen_clock_is_still_caught(self, time_machine):
        time_machine.move_to("2024-03-10 12:00:00+00:00", tick=False)
        writer = make_writer()
        article = make_draft(authors=[writer.author])
        client = logged_in(writer)
        stale = form_data(client.get(change_url(article)))
        save(logged_in(make_editor()), article, title="Editor's title")
        stale["title"] = "Writer's title"
        response = client.post(change_url(article), stale)
        assert "Not saved:" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Editor's title"

    def test_the_byline_inline_survives_a_conflict(self):
        editor = make_editor()
        article = make_draft(authors=[make_author()])
        client = logged_in(editor)
        stale = form_data(client.get(change_url(article)))
        save(logged_in(make_editor("other")), article, title="Theirs")
        response = client.post(change_url(article), stale)
        assert response.status_code == 200
        assert Byline.objects.filter(article=article).count() == 1
