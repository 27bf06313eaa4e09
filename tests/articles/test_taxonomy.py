"""Private until published: tags, authors and categories exist for readers only
while a published article uses them, or when an editor marks them public."""

import datetime

import pytest

from articles import services
from articles.models import Article
from articles.taxonomy import public_categories
from tests.articles.conftest import NOON
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

SECRET = "Quokka"
LIVE_AT = NOON + datetime.timedelta(minutes=30)


@pytest.fixture
def hidden_only(noon):
    """A category, author and tag used by a draft, a story in review and a
    scheduled story only; plus a published story elsewhere, so the site has content."""
    category = make_category(name=f"{SECRET} section", slug="quokka", description=f"{SECRET} desc")
    author = make_author(name=f"{SECRET} Writer", slug="quokka", bio=f"{SECRET} bio")
    for status, published_at in (
        (Article.Status.DRAFT, None),
        (Article.Status.REVIEW, None),
        (Article.Status.PUBLISHED, LIVE_AT),
    ):
        make_article(
            status=status,
            published_at=published_at,
            category=category,
            authors=[author],
            tags=["quokka"],
        )
    make_article(title="Something public", category=make_category(name="News", slug="news"))
    return category, author


HIDDEN_URLS = [
    "/category/quokka/",
    "/category/quokka/feed/",
    "/tag/quokka/",
    "/tag/quokka/feed/",
    "/author/quokka/",
    "/author/quokka/feed/",
]


@pytest.mark.parametrize("url", HIDDEN_URLS)
def test_taxonomy_used_only_by_hidden_articles_is_a_404_without_its_name(client, hidden_only, url):
    response = client.get(url)
    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_the_menu_leaves_out_a_category_with_only_hidden_articles(client, hidden_only):
    home = client.get("/").content.decode()
    assert "/category/news/" in home
    assert SECRET not in home


@pytest.mark.parametrize("url", HIDDEN_URLS)
def test_it_appears_when_the_scheduled_article_goes_live(client, hidden_only, url, time_machine):
    assert client.get(url).status_code == 404  # and the page cache keeps that 404
    time_machine.move_to(LIVE_AT, tick=False)
    response = client.get(url)
    assert response.status_code == 200
    assert SECRET.lower() in response.content.decode().lower()


def test_the_menu_gains_the_category_when_its_first_article_goes_live(
    client, hidden_only, time_machine
):
    assert SECRET not in client.get("/").content.decode()
    time_machine.move_to(LIVE_AT, tick=False)
    assert f"{SECRET} section" in client.get("/").content.decode()


def test_a_category_or_author_marked_public_shows_before_its_first_article(client, hidden_only):
    category, author = hidden_only
    for row in (category, author):
        row.is_public = True
        row.save()  # a save starts a new content generation: no stale 404
    for url in ["/category/quokka/", "/category/quokka/feed/", "/author/quokka/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Something public" not in response.content.decode()
    assert client.get("/author/quokka/feed/").status_code == 200
    assert f"{SECRET} section" in client.get("/").content.decode()
    assert client.get("/tag/quokka/").status_code == 404  # tags have no such mark


def test_unpublishing_the_last_article_hides_its_taxonomy(client, noon):
    category = make_category(slug="brief", name="Brief")
    article = make_article(category=category, authors=[make_author(slug="solo")], tags=["lone"])
    for url in ("/category/brief/", "/author/solo/", "/tag/lone/"):
        assert client.get(url).status_code == 200
    services.unpublish(article, _editor())
    for url in ("/category/brief/", "/author/solo/", "/tag/lone/", "/tag/lone/feed/"):
        assert client.get(url).status_code == 404, url
    assert "/category/brief/" not in client.get("/").content.decode()


def _editor():
    from tests.articles.editorial import make_editor

    return make_editor()


class TestCategoryTree:
    def test_a_section_with_a_live_subsection_is_public_and_in_the_menu(self, client, noon):
        music = make_category(name="Music", slug="music")
        reviews = make_category(name="Reviews", slug="reviews", parent=music)
        albums = make_category(name="Albums", slug="albums", parent=reviews)
        make_article(category=albums)
        assert {music.pk, reviews.pk, albums.pk} <= public_categories().ids
        assert client.get("/category/music/").status_code == 200
        assert {"name": "Music", "slug": "music"} in public_categories().menu
        assert {"name": "Reviews", "slug": "reviews"} not in public_categories().menu

    def test_hidden_subsections_and_ancestors_are_not_named(self, client, noon):
        parent = make_category(name=f"{SECRET} parent", slug="parent")
        shown = make_category(name="Shown", slug="shown", parent=parent, is_public=True)
        make_category(name=f"{SECRET} child", slug="child", parent=shown)
        make_article(category=shown, status=Article.Status.DRAFT, published_at=None)
        text = client.get("/category/shown/").content.decode()
        assert "Shown" in text
        assert SECRET not in text
        assert client.get("/category/parent/").status_code == 404

    def test_a_cycle_in_the_tree_does_not_hang(self, noon):
        a = make_category(slug="a")
        b = make_category(slug="b", parent=a)
        type(a).objects.filter(pk=a.pk).update(parent=b)
        make_article(category=b)
        assert {a.pk, b.pk} <= public_categories().ids
