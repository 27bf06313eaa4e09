"""Query counts are deterministic, so they are pinned: every page, 20 articles and 40,
each with a lead image (and the article page with three body images besides)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsroom import cache as content
from tests.articles.conftest import NOON
from tests.factories import make_article, make_author, make_category

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

# URL -> queries for an anonymous reader with an empty cache. Date archives also look
# up the neighbouring periods and the list of dates (Django's archive views).
EXPECTED = {
    # The lead card's summary comes from its body, which list cards leave out.
    "/": 5,
    # The article, its bylines, tags, related and neighbouring articles, the
    # newest of its section ("More in"), the header's sections, and its
    # corrections (one query however many).
    "ARTICLE": 7,
    "/2024/": 8,
    "/2024/03/": 8,
    "/2024/03/10/": 9,
    "/category/news/": 6,
    "/tag/t0/": 5,
    "/author/a0/": 5,
    # The ranked page with its count and snippets, its cards and bylines, the
    # header, and the sections a reader may filter by (kept with the content).
    "/search/?q=story": 5,
    "/feed/": 3,
    "/feed/atom/": 3,
    "/category/news/feed/": 5,
    "/tag/t0/feed/": 4,
    "/author/a0/feed/": 4,
    "/category/news/feed/atom/": 5,
    "/tag/t0/feed/atom/": 4,
    "/author/a0/feed/atom/": 4,
    "/sitemap.xml": 5,
    "/sitemap-articles.xml": 2,
    "/sitemap-categories.xml": 1,
    "/sitemap-tags.xml": 1,
    "/sitemap-authors.xml": 1,
    "/news-sitemap.xml": 2,
    "/robots.txt": 0,
    # The count, the page (each correction with its article and section), the header.
    "/corrections/": 3,
    "/corrections/?page=2": 3,
    "/corrections/feed/": 1,
    "/corrections/feed/atom/": 1,
}
# The sitemaps' aggregates are kept per content generation (articles/sitemaps.py):
# a category, tag or author section is one list, counted by its length.


def populate(count: int, start: int = 0) -> None:
    """``count`` articles, each with 5 tags, 2 authors and a lead image from the
    library, all on 2024-03-10; every third also has three images in its body
    (Story 10, the measured article, among them), and two corrections."""
    news = make_category(name="News", slug="news") if start == 0 else None
    from articles.images import Image
    from articles.models import Author, Category, Correction

    def image(name: str) -> Image:
        # Rows only: counting queries needs no pixels.
        return Image.objects.create(file=f"images/2024/03/{name}.jpg", width=1600, height=900)

    news = news or Category.objects.get(slug="news")
    authors = [make_author(slug=f"a{n}") for n in range(4)] if start == 0 else None
    authors = authors or list(Author.objects.order_by("slug"))
    for n in range(start, start + count):
        article = make_article(
            title=f"Story {n}",
            category=news,
            authors=[authors[n % 4], authors[(n + 1) % 4]],
            tags=[f"t{(n + k) % 7}" for k in range(5)],
            published_at=NOON - datetime.timedelta(minutes=n + 1),
            image=image(f"lead{n}"),
            body="".join(
                f'<p>Part {k}.</p><figure><img src="{image(f"body{n}-{k}").file.url}" '
                f'alt="Body picture {k}" width="1600" height="900"></figure>'
                for k in range(3 if n % 3 == 1 else 0)
            )
            or f"<p>Story {n}.</p>",
        )
        for k in range(2):
            Correction.objects.create(article=article, text=f"Fix {k} of story {n}.")


def count_queries(client, url: str) -> int:
    cache.clear()
    # The publishing schedule is read once per content generation, not per page
    # (tests/newsroom/test_page_cache.py pins that): these counts are the views'.
    content.current()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def article_url() -> str:
    from articles.models import Article

    return Article.objects.get(title="Story 10").get_absolute_url()


def measure(client) -> dict[str, int]:
    return {
        url: count_queries(client, article_url() if url == "ARTICLE" else url) for url in EXPECTED
    }


def test_every_page_has_a_pinned_query_count_that_does_not_grow(client, noon):
    populate(20)
    with_20 = measure(client)
    populate(20, start=20)
    with_40 = measure(client)
    assert with_20 == EXPECTED
    assert with_40 == EXPECTED
    # What was counted shows the pictures: the lead and three in the body.
    assert client.get(article_url()).content.count(b"<picture>") == 4
    assert client.get("/").content.count(b"<picture>") == 12
    # ...and the corrections: both on the article, a full page on the log.
    assert client.get(article_url()).content.count(b'id="correction-') == 2
    assert client.get("/corrections/").content.count(b"correction-log__item") == 20


def test_the_article_page_needs_at_most_seven_queries(client, noon, django_assert_max_num_queries):
    populate(20)
    url = article_url()
    content.current()
    with django_assert_max_num_queries(7):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url", ["/", "/?page=2", "/category/news/", "/tag/t0/", "/author/a0/", "/corrections/"]
)
def test_a_warm_list_page_needs_no_query(client, noon, django_assert_num_queries, url):
    """Lists and their cards are kept with the content (articles/listing.py)."""
    populate(40)
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
