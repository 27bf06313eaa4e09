"""Every way of writing an article has the same effects: embed rows, one
revision per save, the writer's byline rule and redirects from old permalinks."""

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version

from articles.models import Article
from articles.services import StaleVersion, save_article
from embeds.models import Embed
from tests.articles.editorial import (
    ADD_URL,
    change_url,
    form_data,
    logged_in,
    make_editor,
    make_writer,
    new_article_data,
)
from tests.factories import make_category, make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

POST = "https://www.instagram.com/p/CdA1b2C3d4E/"
TRACK = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
BODY = f"<p>Before.</p><p>{POST}</p><p>Between.</p><p>{TRACK}</p>"


def versions(article: Article) -> int:
    return Version.objects.get_for_object(article).count()


def byline(article: Article) -> list[str]:
    return [author.name for author in article.ordered_authors]


def through_admin(user) -> Article:
    data = new_article_data(make_category(), title="Through the admin", body=BODY)
    response = logged_in(user).post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Article.objects.get(title="Through the admin")


def through_service(user) -> Article:
    article = Article(title="Through the service", body=BODY, category=make_category())
    return save_article(article, user=user)


def through_command(user) -> Article:
    # A row written without the write path (an old import, a raw update) ...
    article = Article.objects.create(title="Through a command", body=BODY, category=make_category())
    assert versions(article) == 0 and not Embed.objects.exists()
    # ... gets every effect from the command.
    call_command("resave_articles", str(article.pk), stdout=None)
    return Article.objects.get(pk=article.pk)


class TestEveryPathHasTheSameEffects:
    @pytest.mark.parametrize("write", [through_admin, through_service])
    def test_a_writer_gets_embed_rows_one_revision_and_the_byline(self, write):
        writer = make_writer()
        article = write(writer)
        assert set(Embed.objects.values_list("url", flat=True)) == {POST, TRACK}
        assert versions(article) == 1
        assert byline(article) == ["Wanda"]

    @pytest.mark.parametrize("write", [through_admin, through_service])
    def test_an_editor_is_not_put_on_the_byline(self, write):
        article = write(make_editor())
        assert set(Embed.objects.values_list("url", flat=True)) == {POST, TRACK}
        assert versions(article) == 1
        assert byline(article) == []

    def test_a_command_gets_embed_rows_and_one_revision_and_touches_no_byline(self):
        article = through_command(None)
        assert set(Embed.objects.values_list("url", flat=True)) == {POST, TRACK}
        assert versions(article) == 1
        assert byline(article) == []

    def test_load_demo_gives_every_article_a_revision_and_its_embed_rows(self):
        from embeds.rendering import embed_urls

        call_command("load_demo", stdout=None)
        articles = list(Article.objects.all())
        assert articles
        for article in articles:
            assert versions(article) == 1, article.title
            assert article.version == 1, article.title
            assert set(embed_urls(article.body)) <= set(Embed.objects.values_list("url", flat=True))
        # The demo's own metadata survives the empty rows saving would make.
        assert Embed.objects.exclude(author_name="").exists()

    def test_an_admin_edit_adds_a_revision_and_keeps_one_embed_row_per_url(self):
        writer = make_writer()
        article = through_admin(writer)
        client = logged_in(writer)
        data = form_data(client.get(change_url(article)))
        data["title"] = "Edited"
        assert client.post(change_url(article), data).status_code == 302
        assert versions(article) == 2
        assert Embed.objects.count() == 2
        assert byline(article) == ["Wanda"]


class TestSaveArticle:
    def test_authors_and_tags_are_part_of_the_one_revision(self):
        editor = make_editor()
        from tests.factories import make_author

        ana = make_author(name="Ana")
        article = Article(title="Tagged", body="<p>x</p>", category=make_category())
        save_article(article, user=editor, authors=[ana], tags=["gigs", "news"])
        assert byline(article) == ["Ana"]
        assert sorted(article.tags.names()) == ["gigs", "news"]
        version = Version.objects.get_for_object(article).get()
        models = {v.content_type.model for v in version.revision.version_set.all()}
        assert models == {"article", "byline", "taggedarticle"}

    def test_a_moved_article_leaves_a_redirect(self, client):
        article = save_article(Article(title="Old", body="", category=make_category()))
        save_article(article, comment="published")
        old = article.get_absolute_url()
        article.slug = "new"
        save_article(article)
        assert article.redirects.get().old_path == old

    def test_a_stale_version_is_refused_and_nothing_is_written(self):
        article = make_draft(title="Loaded")
        save_article(article)
        mine = Article.objects.get(pk=article.pk)
        article.title = "Saved by someone else"
        save_article(article)
        mine.title = "Mine"
        mine.body = BODY
        with pytest.raises(StaleVersion) as refused:
            save_article(mine, tags=["mine"])
        assert refused.value.conflict.saved_by == "someone outside the admin"
        article.refresh_from_db()
        assert article.title == "Saved by someone else"
        assert versions(article) == 2
        assert not article.tags.exists() and not Embed.objects.exists()

    def test_a_failing_related_write_leaves_nothing_half_written(self):
        article = make_draft(title="Before", body="<p>old</p>")

        def boom() -> None:
            raise RuntimeError("inline failed")

        article.title = "After"
        article.body = BODY
        with pytest.raises(RuntimeError):
            save_article(article, save_related=boom)
        article.refresh_from_db()
        assert article.title == "Before"
        assert not Embed.objects.exists()
        assert versions(article) == 0


class TestResaveCommand:
    @pytest.mark.parametrize(
        "args",
        [[], ["--all", "1"], ["abc"], ["-1"], ["1.5"], ["１"], ["99999999999999999999"]],
    )
    def test_bad_arguments_are_refused_and_nothing_is_saved(self, args):
        article = make_draft()
        with pytest.raises(CommandError):
            call_command("resave_articles", *args, stdout=None)
        assert versions(article) == 0

    def test_an_unknown_id_names_itself_and_saves_nothing(self):
        article = make_draft()
        with pytest.raises(CommandError, match="No article with id 424242"):
            call_command("resave_articles", str(article.pk), "424242", stdout=None)
        assert versions(article) == 0

    def test_an_article_changed_since_the_batch_was_read_is_resaved_as_changed(self):
        from articles.management.commands.resave_articles import Command

        article = make_draft(title="Read by the batch")
        edited = Article.objects.get(pk=article.pk)
        edited.title = "Edited meanwhile"
        save_article(edited)
        Command()._resave(article)
        stored = Article.objects.get(pk=article.pk)
        assert (stored.title, stored.version) == ("Edited meanwhile", 3)

    def test_all_resaves_every_article(self, capsys):
        articles = [make_draft(), make_draft()]
        call_command("resave_articles", "--all")
        assert "Re-saved 2 article(s)." in capsys.readouterr().out
        assert [versions(a) for a in articles] == [1, 1]


class TestVersions:
    def test_every_save_moves_the_version_by_one_and_the_copy_knows_it(self):
        article = save_article(Article(title="New", body="", category=make_category()))
        assert article.version == 1
        save_article(article)
        save_article(article)
        assert article.version == 3
        assert Article.objects.get(pk=article.pk).version == 3

    def test_a_save_outside_the_write_path_moves_the_version_too(self):
        article = make_draft()
        stale = Article.objects.get(pk=article.pk)
        article.title = "Changed by a script"
        article.save()
        assert article.version == Article.objects.get(pk=article.pk).version == 2
        with pytest.raises(StaleVersion):
            save_article(stale)

    def test_a_save_outside_the_write_path_never_moves_the_version_back(self):
        article = make_draft()
        stale = Article.objects.get(pk=article.pk)
        save_article(article)
        save_article(article)
        stale.save()  # a copy loaded at 1, saved without the write path
        assert Article.objects.get(pk=article.pk).version == 4

    def test_force_replaces_the_newer_save_which_stays_in_the_history(self):
        article = make_draft(title="Loaded")
        mine = Article.objects.get(pk=article.pk)
        article.title = "Theirs"
        save_article(article)
        mine.title = "Mine"
        save_article(mine, force=True)
        assert mine.version == 3
        assert Article.objects.get(pk=article.pk).title == "Mine"
        titles = [v.field_dict["title"] for v in Version.objects.get_for_object(article)]
        assert sorted(titles) == ["Mine", "Theirs"]

    def test_a_refused_copy_keeps_its_version_and_saves_once_reloaded(self):
        article = make_draft()
        mine = Article.objects.get(pk=article.pk)
        save_article(article)
        with pytest.raises(StaleVersion):
            save_article(mine)
        assert mine.version == 1
        mine.refresh_from_db()
        mine.title = "After reloading"
        save_article(mine)
        assert Article.objects.get(pk=article.pk).title == "After reloading"

    def test_a_failing_write_leaves_the_copy_at_the_version_it_was_loaded_at(self):
        article = make_draft()

        def boom() -> None:
            raise RuntimeError("inline failed")

        with pytest.raises(RuntimeError):
            save_article(article, save_related=boom)
        assert article.version == 1
        save_article(article)
        assert Article.objects.get(pk=article.pk).version == 2

    def test_a_deleted_article_saved_again_is_inserted_as_it_was(self):
        article = make_draft(title="Gone")
        Article.objects.filter(pk=article.pk).delete()
        save_article(article)
        assert Article.objects.get(pk=article.pk).title == "Gone"

    def test_the_conflict_names_who_saved_and_the_versions_to_compare(self):
        ann = make_editor("ann")
        article = make_draft()
        save_article(article, user=ann)
        mine = Article.objects.get(pk=article.pk)
        save_article(article, user=ann)
        with pytest.raises(StaleVersion) as refused:
            save_article(mine)
        conflict = refused.value.conflict
        kept = list(Version.objects.get_for_object(article).order_by("pk"))
        assert conflict.saved_by == "Ann"
        assert (conflict.loaded_version_id, conflict.version_id) == (kept[0].pk, kept[1].pk)


class TestTransitionsRefuseStaleCopies:
    def test_publishing_a_copy_loaded_before_an_edit_is_refused(self):
        from articles.services import publish_now

        article = make_draft(title="Loaded")
        stale = Article.objects.get(pk=article.pk)
        article.title = "Edited since"
        save_article(article)
        with pytest.raises(StaleVersion):
            publish_now(stale, make_editor())
        assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT

    @pytest.mark.parametrize("name", ["publish_now", "submit_for_review"])
    def test_a_forced_transition_works_from_the_current_row(self, name):
        from articles import services

        article = make_draft(title="Loaded")
        stale = Article.objects.get(pk=article.pk)
        article.title = "Edited since"
        save_article(article)
        changed = getattr(services, name)(stale, make_editor(), force=True)
        assert changed.title == "Edited since"
        assert changed.version == 3

    def test_a_refused_bulk_action_says_why_and_changes_nothing(self):
        from django.contrib.admin.sites import site
        from django.contrib.messages.storage.fallback import FallbackStorage
        from django.test import RequestFactory

        from articles.services import publish_now

        editor = make_editor()
        article = make_draft(title="Loaded")
        stale = Article.objects.get(pk=article.pk)
        save_article(article, user=make_editor("ann"))
        request = RequestFactory().post("/admin/articles/article/")
        request.user = editor
        request.session = {}
        request._messages = FallbackStorage(request)
        model_admin = site._registry[Article]

        class Stale(list):
            def order_by(self, *fields):
                return self

        model_admin._transition(request, Stale([stale]), publish_now, "Published %(count)d.")
        [message] = list(request._messages)
        assert "Nothing changed: Ann saved “Loaded”" in str(message)
        assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


class TestTagMerges:
    def test_a_merge_moves_each_articles_version_so_open_forms_are_told(self):
        from taggit.models import Tag

        from articles.services import merge_tags
        from tests.factories import make_article

        article = make_article(tags=["gig", "gigs"])
        merge_tags(Tag.objects.get(name="gigs"), [Tag.objects.get(name="gig")])
        assert Article.objects.get(pk=article.pk).version == 2
        with pytest.raises(StaleVersion):
            save_article(article)
