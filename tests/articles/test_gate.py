"""Every public surface shows published articles only, and scheduled ones from their time on."""

import datetime

import pytest
from django.test import Client

from articles.models import Article
from tests.articles.conftest import NOON
from tests.factories import make_article, make_author, make_category

# Every test runs at NOON, beside the same cast.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon", "cast")]

SURFACES = [
    "/",
    "/2024/",
    "/2024/03/",
    "/2024/03/10/",
    "/category/news/",
    "/category/music/",
    "/tag/gigs/",
    "/author/ana/",
    "/search/?q=piece",
    "/feed/",
    "/feed/atom/",
    "/category/news/feed/",
    "/tag/gigs/feed/",
    "/author/ana/feed/",
    "/sitemap-articles.xml",
    "/news-sitemap.xml",
]


@pytest.fixture(scope="module")
def cast(module_db):
    """Four articles sharing category, tag and author, all on 2024-03-10; made
    once for the module (their times are fixed, so the clock does not matter)."""
    news = make_category(name="News", slug="news")
    music = make_category(name="Music", slug="music", parent=news)
    ana = make_author(name="Ana", slug="ana")
    common = {"category": music, "authors": [ana], "tags": ["gigs"]}
    return {
        "published": make_article(
            title="Published piece", slug="published-piece",
            published_at=NOON - datetime.timedelta(hours=1), **common,
        ),
        "draft": make_article(
            title="Draft piece", slug="draft-piece", status=Article.Status.DRAFT,
            published_at=None, **common,
        ),
        "review": make_article(
            title="Review piece", slug="review-piece", status=Article.Status.REVIEW,
            published_at=NOON - datetime.timedelta(hours=3), **common,
        ),
        "scheduled": make_article(
            title="Scheduled piece", slug="scheduled-piece",
            published_at=NOON + datetime.timedelta(hours=2), **common,
        ),
    }  # fmt: skip


def visible(client: Client, url: str, article: Article) -> bool:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    text = response.content.decode()
    return article.title in text or article.slug in text


@pytest.mark.parametrize("url", SURFACES)
def test_only_published_articles_appear_before_the_scheduled_time(client, cast, url):
    assert visible(client, url, cast["published"])
    for hidden in ("draft", "review", "scheduled"):
        assert not visible(client, url, cast[hidden]), hidden


@pytest.mark.parametrize("url", SURFACES)
def test_scheduled_article_appears_everywhere_once_its_time_has_come(
    client, cast, url, time_machine
):
    time_machine.move_to(NOON + datetime.timedelta(hours=2, seconds=1), tick=False)
    assert visible(client, url, cast["scheduled"])
    assert visible(client, url, cast["published"])
    assert not visible(client, url, cast["draft"])
    assert not visible(client, url, cast["review"])


def test_unpublished_permalinks_answer_404_to_readers(client, cast):
    assert client.get(cast["published"].get_absolute_url()).status_code == 200
    for hidden in ("draft", "review", "scheduled"):
        assert client.get(cast[hidden].get_absolute_url()).status_code == 404


def test_scheduled_permalink_opens_at_its_time(client, cast, time_machine):
    url = cast["scheduled"].get_absolute_url()
    # A standing clock: a ticking one may cross the hour during a slow request.
    time_machine.move_to(NOON + datetime.timedelta(hours=1, minutes=59, seconds=59), tick=False)
    assert client.get(url).status_code == 404
    time_machine.move_to(NOON + datetime.timedelta(hours=2), tick=False)
    assert client.get(url).status_code == 200


def test_related_and_neighbours_never_point_at_unpublished_articles(client, cast, time_machine):
    older, oldest = (
        make_article(
            title=f"Older piece {days}", category=cast["published"].category, tags=["gigs"],
            published_at=NOON - datetime.timedelta(days=days),
        )
        for days in (1, 2)
    )  # fmt: skip
    response = client.get(cast["published"].get_absolute_url())
    assert response.context["previous_article"] == older
    assert response.context["next_article"] is None
    # The neighbour is linked once, as "previous", not again as related.
    assert response.context["related"] == [oldest]
    for hidden in ("draft", "review", "scheduled"):
        assert cast[hidden].title not in response.content.decode()

    time_machine.move_to(NOON + datetime.timedelta(hours=3), tick=False)
    response = client.get(cast["published"].get_absolute_url())
    assert response.context["next_article"] == cast["scheduled"]
    assert response.context["related"] == [oldest]


def test_day_archive_of_an_unpublished_only_day_is_404(client, noon):
    make_article(published_at=NOON + datetime.timedelta(days=1))
    assert client.get("/2024/03/11/").status_code == 404
    assert client.get("/2025/").status_code == 404


def test_taxonomy_sitemaps_list_only_what_has_published_articles(client, noon):
    quiet = make_category(slug="quiet-category")
    lonely = make_author(slug="lonely-author")
    make_article(
        category=quiet, authors=[lonely], tags=["draft-only-tag"], status=Article.Status.DRAFT
    )
    make_article(category=quiet, authors=[lonely], tags=["future-tag"],
                 published_at=NOON + datetime.timedelta(hours=1))  # fmt: skip
    make_article(category=make_category(slug="busy"), authors=[make_author(slug="busy-author")],
                 tags=["live-tag"])  # fmt: skip
    text = "".join(
        client.get(url).content.decode()
        for url in ("/sitemap-categories.xml", "/sitemap-tags.xml", "/sitemap-authors.xml")
    )
    for present in ("/category/busy/", "/author/busy-author/", "/tag/live-tag/"):
        assert present in text
    for absent in ("quiet-category", "lonely-author", "draft-only-tag", "future-tag"):
        assert absent not in text


def test_live_posts_of_unpublished_articles_never_appear(client, cast, time_machine):
    """Every article of the cast is live with a post: readers get the published
    one's post on its page and in its JSON, and nothing anywhere of the others."""
    from articles.live.models import LivePost

    for key, article in cast.items():
        Article.objects.filter(pk=article.pk).update(is_live=True, coverage_started_at=NOON)
        LivePost.objects.create(article=article, body=f"<p>Live post of the {key} piece.</p>")
    published = cast["published"]
    assert "Live post of the published piece." in client.get(published.get_absolute_url()).text
    live_json = client.get(published.get_absolute_url() + "live.json?after=0").json()
    assert live_json["count"] == 1
    for hidden in ("draft", "review", "scheduled"):
        url = cast[hidden].get_absolute_url()
        assert client.get(url).status_code == 404
        assert client.get(f"{url}?post=1").status_code == 404
        assert client.get(url + "live.json?after=0").status_code == 404
        for surface in SURFACES:
            assert f"of the {hidden} piece" not in client.get(surface).text, surface
    time_machine.move_to(NOON + datetime.timedelta(hours=2), tick=False)
    scheduled = cast["scheduled"].get_absolute_url()
    assert "Live post of the scheduled piece." in client.get(scheduled).text
    assert client.get(scheduled + "live.json?after=0").json()["count"] == 1
