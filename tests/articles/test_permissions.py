"""Private until published: a writer sees the articles they are on the byline
of, plus published ones, in the admin and at the permalink; editors see all."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.articles.editorial import CHANGELIST_URL, change_url, logged_in, make_editor, make_writer
from tests.factories import make_article, make_draft, make_scheduled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

SECRET = "Embargoed merger zeppelin"


@pytest.fixture
def desk():
    """Two writers and an editor; the owner has a draft, a story in review and
    a scheduled one, each titled with the secret word."""
    owner, other, editor = make_writer("owner"), make_writer("other"), make_editor()
    hidden = [
        make_draft(title=f"{SECRET} draft", authors=[owner.author, editor.author]),
        make_article(
            title=f"{SECRET} review", status=Article.Status.REVIEW, authors=[owner.author]
        ),
        make_scheduled(title=f"{SECRET} scheduled", authors=[owner.author]),
    ]
    live = make_article(title="Live story", authors=[owner.author, editor.author])
    for article in hidden:  # two versions each, so compare has something to show
        for _ in range(2):
            services.save_article(article, user=editor)
    return {"owner": owner, "other": other, "editor": editor, "hidden": hidden, "live": live}


class TestVisibleTo:
    def test_a_writer_sees_their_bylines_and_published_articles_once_each(self, desk):
        mine = list(Article.objects.visible_to(desk["owner"]).order_by("pk"))
        assert mine == sorted([*desk["hidden"], desk["live"]], key=lambda a: a.pk)

    def test_another_writer_sees_only_published_articles(self, desk):
        assert list(Article.objects.visible_to(desk["other"])) == [desk["live"]]

    def test_editors_see_every_article(self, desk):
        assert Article.objects.visible_to(desk["editor"]).count() == 4

    def test_anonymous_users_see_published_articles(self, desk):
        from django.contrib.auth.models import AnonymousUser

        assert list(Article.objects.visible_to(AnonymousUser())) == [desk["live"]]

    def test_a_scheduled_article_of_another_writer_shows_once_its_time_comes(
        self, desk, time_machine
    ):
        time_machine.move_to(timezone.now() + datetime.timedelta(hours=3))
        assert desk["hidden"][2] in Article.objects.visible_to(desk["other"])


class TestPermalink:
    def test_another_writer_gets_a_404_without_the_title(self, client, desk):
        other = logged_in(desk["other"])
        for article in desk["hidden"]:
            response = other.get(article.get_absolute_url())
            assert response.status_code == 404
            assert SECRET not in response.content.decode()

    def test_the_writer_on_the_byline_and_the_editor_open_it(self, desk):
        for user in (desk["owner"], desk["editor"]):
            for article in desk["hidden"]:
                response = logged_in(user).get(article.get_absolute_url())
                assert response.status_code == 200
                assert "Not published" in response.content.decode()


class TestAdmin:
    def test_the_changelist_lists_only_what_the_writer_may_open(self, desk):
        text = logged_in(desk["other"]).get(CHANGELIST_URL).content.decode()
        assert "Live story" in text
        assert SECRET not in text
        owner = logged_in(desk["owner"]).get(CHANGELIST_URL).content.decode()
        assert owner.count(SECRET) >= 3

    def test_the_admin_search_finds_nothing_hidden(self, desk):
        response = logged_in(desk["other"]).get(CHANGELIST_URL, {"q": "zeppelin"})
        assert SECRET not in response.content.decode()
        assert list(response.context["cl"].result_list) == []

    @pytest.mark.parametrize("view", ["history", "compare"])
    def test_history_and_compare_are_404s(self, desk, view):
        other = logged_in(desk["other"])
        for article in desk["hidden"]:
            response = other.get(reverse(f"admin:articles_article_{view}", args=[article.pk]))
            assert response.status_code == 404
            assert SECRET not in response.content.decode()

    def test_the_change_view_answers_as_for_a_missing_article(self, desk):
        other = logged_in(desk["other"])
        for article in desk["hidden"]:
            response = other.get(change_url(article), follow=True)
            assert response.redirect_chain[0] == (reverse("admin:index"), 302)
            assert SECRET not in response.content.decode()
            delete = other.get(reverse("admin:articles_article_delete", args=[article.pk]))
            assert delete.status_code == 403
            assert SECRET not in delete.content.decode()

    def test_a_crafted_post_changes_nothing(self, desk):
        draft = desk["hidden"][0]
        response = logged_in(desk["other"]).post(
            change_url(draft), {"title": "Hijacked", "status": "draft"}
        )
        assert response.status_code in (302, 403)
        draft.refresh_from_db()
        assert draft.title == f"{SECRET} draft"

    def test_the_owner_and_the_editor_open_every_page(self, desk):
        for user in (desk["owner"], desk["editor"]):
            client = logged_in(user)
            for article in desk["hidden"]:
                assert client.get(change_url(article)).status_code == 200
                for view in ("history", "compare"):
                    url = reverse(f"admin:articles_article_{view}", args=[article.pk])
                    assert client.get(url).status_code == 200
