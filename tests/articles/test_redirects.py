"""A changed slug or date leaves a 301 from every earlier permalink; the same
mechanism serves importers' legacy URLs and merged tags."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.models import Article, Redirect
from articles.redirects import add_redirect, resolve
from articles.services import save_article
from tests.articles.editorial import (
    change_url,
    form_data,
    logged_in,
    make_editor,
)
from tests.factories import make_article, make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]


def moved(article: Article, **changes) -> Article:
    for name, value in changes.items():
        setattr(article, name, value)
    return save_article(article)


class TestMoves:
    def test_a_new_slug_leaves_a_301(self, client):
        article = make_article(slug="old-name")
        old = article.get_absolute_url()
        moved(article, slug="new-name")
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == article.get_absolute_url()
        assert client.get(response["Location"]).status_code == 200

    def test_a_new_date_leaves_a_301(self, client):
        article = make_article()
        old = article.get_absolute_url()
        moved(article, published_at=article.published_at - datetime.timedelta(days=40))
        assert old != article.get_absolute_url()
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, article.get_absolute_url())

    def test_every_earlier_permalink_goes_straight_to_the_current_one(self, client):
        article = make_article(slug="one")
        first = article.get_absolute_url()
        second = moved(article, slug="two").get_absolute_url()
        moved(article, slug="three")
        for old in (first, second):
            response = client.get(old)
            assert (response.status_code, response["Location"]) == (
                301,
                article.get_absolute_url(),
            )

    def test_moving_back_removes_the_redirect_from_the_live_address(self, client):
        article = make_article(slug="home")
        moved(article, slug="away")
        moved(article, slug="home")
        assert not Redirect.objects.filter(old_path=article.get_absolute_url()).exists()
        assert client.get(article.get_absolute_url()).status_code == 200
        response = client.get(article.get_absolute_url().replace("home", "away"))
        assert response.status_code == 301

    def test_a_live_article_at_an_old_address_wins_over_the_redirect(self, client):
        article = make_article(slug="taken")
        old = article.get_absolute_url()
        moved(article, slug="moved")
        newcomer = make_article(slug="taken", published_at=article.published_at)
        assert newcomer.get_absolute_url() == old
        assert client.get(old).status_code == 200

    def test_unicode_slugs_redirect(self, client):
        article = make_article(slug="café-olé")
        old = article.get_absolute_url()
        moved(article, slug="tè")
        response = client.get(old)
        assert response.status_code == 301

    def test_the_query_string_is_kept(self, client):
        article = make_article(slug="before")
        old = article.get_absolute_url()
        moved(article, slug="after")
        response = client.get(old, {"utm_source": "x"})
        assert response["Location"] == article.get_absolute_url() + "?utm_source=x"

    def test_an_unpublished_article_does_not_reveal_its_new_address(self, client):
        article = make_article(slug="was-live")
        old = article.get_absolute_url()
        moved(article, slug="now-draft", status=Article.Status.DRAFT)
        assert client.get(old).status_code == 404

    def test_a_post_to_an_old_address_is_not_redirected(self, client):
        article = make_article(slug="a")
        old = article.get_absolute_url()
        moved(article, slug="b")
        assert client.post(old).status_code in (404, 405)

    def test_saving_in_place_records_nothing(self):
        article = make_draft()
        moved(article, title="Retitled")
        assert not Redirect.objects.exists()

    def test_a_slug_change_through_the_admin_leaves_a_301(self, client):
        article = make_article(slug="admin-old")
        old = article.get_absolute_url()
        editor = logged_in(make_editor())
        data = form_data(editor.get(change_url(article)))
        data["slug"] = "admin-new"
        assert editor.post(change_url(article), data).status_code == 302
        article.refresh_from_db()
        assert client.get(old)["Location"] == article.get_absolute_url()

    def test_redirects_outlive_a_deletion_so_a_recovery_brings_them_back(self, client):
        article = make_article(slug="first")
        old = article.get_absolute_url()
        moved(article, slug="second")
        pk = article.pk
        article.delete()
        assert client.get(old).status_code == 404
        assert Redirect.objects.filter(article_id=pk).exists()


class TestLegacyAndPaths:
    def test_an_importers_legacy_url_points_at_the_article(self, client):
        article = make_article()
        add_redirect("/old-cms/story.php?id=7", article=article)
        add_redirect("/news/2019/some-story.html", article=article)
        response = client.get("/news/2019/some-story.html")
        assert (response.status_code, response["Location"]) == (301, article.get_absolute_url())

    def test_a_path_redirect(self, client):
        add_redirect("/old-section/", new_path="/category/news/")
        response = client.get("/old-section/")
        assert (response.status_code, response["Location"]) == (301, "/category/news/")

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
    def test_a_redirect_to_another_site_is_refused(self, target):
        redirect = Redirect(old_path="/x/", new_path=target)
        with pytest.raises(ValidationError):
            redirect.full_clean()

    def test_the_admin_refuses_an_offsite_redirect(self):
        editor = logged_in(make_editor())
        response = editor.post(
            "/admin/articles/redirect/add/",
            {"old_path": "/x/", "new_path": "https://evil.example/"},
        )
        assert response.status_code == 200
        assert not Redirect.objects.exists()

    def test_unknown_paths_are_plain_404s(self, client):
        assert resolve("/nowhere/") is None
        assert client.get("/nowhere/at/all/").status_code == 404

    def test_a_very_long_path_is_a_404(self, client):
        assert client.get("/" + "x" * 3000 + "/").status_code == 404

    def test_merged_tags_redirect_to_the_kept_one(self, client):
        editor = logged_in(make_editor())
        one = make_article(tags=["Rock"])
        two = make_article(tags=["rock music", "Rock"])
        from taggit.models import Tag

        keep, merge = Tag.objects.get(name="Rock"), Tag.objects.get(name="rock music")
        url = "/admin/taggit/tag/"
        page = editor.post(url, {"action": "merge_tags", "_selected_action": [keep.pk, merge.pk]})
        assert page.status_code == 200  # the confirmation page
        response = editor.post(
            url,
            {
                "action": "merge_tags",
                "_selected_action": [keep.pk, merge.pk],
                "target": keep.pk,
                "merge": "Merge",
            },
            follow=True,
        )
        assert "Merged 1 tag into “Rock”." in response.content.decode()
        assert [t.name for t in one.tags.all()] == ["Rock"]
        assert [t.name for t in two.tags.all()] == ["Rock"]
        assert not Tag.objects.filter(pk=merge.pk).exists()
        old = reverse("articles:tag", kwargs={"slug": merge.slug})
        assert client.get(old)["Location"] == reverse("articles:tag", kwargs={"slug": keep.slug})
        # The article whose tags changed has a revision saying so; the other does not.
        from reversion.models import Version

        comments = [v.revision.comment for v in Version.objects.get_for_object(two)]
        assert comments[0] == "Tags “rock music” merged into “Rock”."
        assert not Version.objects.get_for_object(one).exists()

    def test_merging_into_a_tag_that_was_not_selected_is_refused(self):
        from taggit.models import Tag

        editor = logged_in(make_editor())
        make_article(tags=["a", "b", "c"])
        a, b, c = (Tag.objects.get(name=n) for n in "abc")
        response = editor.post(
            "/admin/taggit/tag/",
            {
                "action": "merge_tags",
                "_selected_action": [a.pk, b.pk],
                "target": c.pk,
                "merge": "Merge",
            },
        )
        assert response.status_code == 200
        assert Tag.objects.count() == 3
