import datetime

import feedparser
import pytest

from tests.articles.conftest import NOON
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
FEED_PATHS = ["feed/", "feed/atom/"]
SCOPES = ["/category/news/", "/tag/gigs/", "/author/ana/"]
FEEDS = ["/feed/", "/feed/atom/", *(f"{scope}{feed}" for scope in SCOPES for feed in FEED_PATHS)]


@pytest.fixture
def articles(noon, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    news = make_category(name="News", slug="news")
    ana = make_author(name="Ana", slug="ana")
    return [
        make_article(
            title=f"Story {n} & <friends>",
            body=f"<p>Full body {n} with <strong>markup</strong>.</p>",
            category=news,
            authors=[ana],
            tags=["gigs"],
            published_at=NOON - datetime.timedelta(hours=n + 1),
            lead_image=SimpleUploadedFile(f"lead{n}.png", b"not-really-a-png", "image/png")
            if n == 0
            else None,
        )
        for n in range(3)
    ]


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_parse_cleanly_with_absolute_links(client, articles, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 3
    entry = feed.entries[0]
    assert entry.title == "Story 0 & <friends>"
    assert entry.link == SITE + articles[0].get_absolute_url()
    assert feed.feed.link.startswith(SITE)
    assert entry.author == "Ana"


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feeds_carry_the_full_sanitized_body(client, articles, url):
    feed = feedparser.parse(client.get(url).content)
    content = feed.entries[0].content[0].value
    assert content == "<p>Full body 0 with <strong>markup</strong>.</p>"


def test_rss_lists_the_lead_image_as_enclosure(client, articles):
    feed = feedparser.parse(client.get("/feed/").content)
    enclosure = feed.entries[0].enclosures[0]
    assert enclosure.href.startswith(SITE + "/media/articles/")
    assert enclosure.type == "image/png"
    assert enclosure.length == str(len(b"not-really-a-png"))


def test_feeds_hold_at_most_twenty_items(client, noon):
    category = make_category()
    for n in range(25):
        make_article(category=category, published_at=NOON - datetime.timedelta(minutes=n + 1))
    assert len(feedparser.parse(client.get("/feed/").content).entries) == 20


def test_category_feed_includes_descendant_categories(client, noon):
    parent = make_category(slug="parent")
    child = make_category(slug="child", parent=parent)
    make_article(title="Child story", category=child)
    feed = feedparser.parse(client.get("/category/parent/feed/").content)
    assert [e.title for e in feed.entries] == ["Child story"]


def test_feed_urls_follow_site_url(client, articles, settings):
    settings.SITE_URL = "https://news.example.com"
    feed = feedparser.parse(client.get("/feed/atom/").content)
    assert feed.entries[0].link.startswith("https://news.example.com/2024/03/10/")


def test_the_atom_feed_keeps_no_request_state_on_its_shared_instance(rf, articles):
    """One feed instance serves every thread; a request must leave nothing on it."""
    from articles.feeds import LatestArticlesAtomFeed

    feed = LatestArticlesAtomFeed()
    response = feed(rf.get("/feed/atom/"))
    assert vars(feed) == {}
    links = feedparser.parse(response.content).feed.links
    assert f"{SITE}/feed/atom/" in [link.href for link in links if link.rel == "self"]


def test_rss_lists_a_library_lead_image_as_its_social_crop(client, noon, settings, tmp_path):
    from articles import images
    from tests.articles import pictures

    settings.MEDIA_ROOT = tmp_path
    image = images.ingest(pictures.jpeg(900, 600), alt="Cliffs")
    make_article(image=image)
    enclosure = feedparser.parse(client.get("/feed/").content).entries[0].enclosures[0]
    social = image.file.name.removesuffix(".jpg") + "/og.jpg"
    assert enclosure.href == f"{SITE}/media/{social}"
    assert enclosure.type == "image/jpeg"
    assert enclosure.length == str((tmp_path / social).stat().st_size)


def test_feed_content_links_library_images_absolutely(client, noon):
    body = '<p><img src="/media/images/2024/03/abc.jpg" alt="Dunes" width="9" height="9"></p>'
    make_article(body=body)
    content = feedparser.parse(client.get("/feed/").content).entries[0].content[0].value
    assert f'src="{SITE}/media/images/2024/03/abc.jpg"' in content


HOSTILE = (
    '<script>alert("feed")</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a>'
)


@pytest.fixture
def hostile(noon):
    category = make_category(name=f"News {HOSTILE}", slug="hostile", description=HOSTILE)
    author = make_author(name=f"Ana {HOSTILE}"[:150], slug="hostile", bio=HOSTILE)
    article = make_article(
        title=f"Story {HOSTILE}",
        summary=HOSTILE,
        body=f"<p>Body</p>{HOSTILE}",
        category=category,
        authors=[author],
        published_at=NOON - datetime.timedelta(hours=1),
    )
    article.tags.add(f"tag {HOSTILE}"[:100])
    return article


HOSTILE_FEEDS = [
    "/feed/",
    "/feed/atom/",
    *(f"/{scope}/hostile/{feed}" for scope in ("category", "author") for feed in FEED_PATHS),
]


@pytest.mark.parametrize("url", HOSTILE_FEEDS)
def test_decoded_html_fields_of_every_feed_hold_no_script(client, hostile, url):
    from tests.articles.xss import feed_problems

    response = client.get(url)
    assert response.status_code == 200
    assert feed_problems(response.content, where=url) == []


def test_plain_text_reaches_feed_readers_as_text(client, hostile):
    """The summary and category description, decoded as HTML, read as the text typed."""
    import xml.etree.ElementTree as ET

    from tests.articles.xss import parse

    root = ET.fromstring(client.get("/category/hostile/feed/").content)
    channel_description = root.find("channel/description").text
    item_description = root.find("channel/item/description").text
    for html, text in ((channel_description, HOSTILE), (item_description, HOSTILE)):
        tree = parse(html)
        assert "".join(tree.itertext()) == text
        assert not [e for e in tree.iter() if e.tag in ("script", "img", "a")]
    assert root.find("channel/title").text.startswith(f"News {HOSTILE}")
    assert root.find("channel/item/title").text == f"Story {HOSTILE}"


def test_the_tag_feed_names_the_tag_as_text(client, hostile):
    import xml.etree.ElementTree as ET

    from tests.articles.xss import feed_problems, parse

    slug = hostile.tags.get().slug
    response = client.get(f"/tag/{slug}/feed/")
    assert feed_problems(response.content) == []
    description = ET.fromstring(response.content).find("channel/description").text
    assert "<script>" in "".join(parse(description).itertext())


def test_a_tag_with_control_characters_does_not_break_the_feed(client, noon):
    make_article().tags.add("bell\x07tag")  # made outside the write path
    response = client.get("/feed/")
    assert response.status_code == 200
    assert "belltag" in feedparser.parse(response.content).entries[0].tags[-1].term


# --- Embeds, content setting, query counts, links from the pages ----------------

POSTS = ["https://www.instagram.com/p/CdGx1aPrQ3e/", "https://www.instagram.com/reel/CdJ4vWxYz1A/"]
TRACK = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
EMBED_BODY = "".join(
    f"<p>Before embed {n}.</p><p>{url}</p>" for n, url in enumerate([*POSTS, TRACK])
)
ALL_FEEDS = [
    "/feed/",
    "/feed/atom/",
    *(f"{scope}{feed}" for scope in SCOPES for feed in FEED_PATHS),
]


def make_embed_articles(count: int, *, offset: int = 0) -> None:
    news = make_category(name="News", slug="news") if not offset else None
    ana = make_author(name="Ana", slug="ana") if not offset else None
    from articles.models import Author, Category

    for n in range(offset, offset + count):
        make_article(
            title=f"Embeds {n}",
            body=EMBED_BODY,
            category=news or Category.objects.get(slug="news"),
            authors=[ana or Author.objects.get(slug="ana")],
            tags=["gigs"],
            published_at=NOON - datetime.timedelta(hours=n + 1),
        )


@pytest.fixture
def embed_articles(noon):
    from embeds.models import Embed

    make_embed_articles(2)
    Embed.objects.update_or_create(
        url=POSTS[0],
        defaults={
            "author_name": "The Lanterns",
            "author_handle": "thelanternsband",
            "caption": "Twelve cities.",
        },
    )
    Embed.objects.update_or_create(url=POSTS[1], defaults={"author_name": HOSTILE})
    Embed.objects.update_or_create(
        url=TRACK, defaults={"title": "Lantern Light", "author_name": "The Lanterns"}
    )


@pytest.mark.parametrize("url", ALL_FEEDS)
def test_embeds_reach_every_feed_as_linked_cards(client, embed_articles, url):
    from tests.articles.xss import feed_problems

    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed_problems(response.content, where=url) == []
    content = feed.entries[0].content[0].value
    assert (
        "<blockquote><p><strong>Instagram</strong></p>\n<p>Twelve cities.</p>\n"
        "<p>A post shared by The Lanterns (@thelanternsband)</p>\n"
        f'<p><a href="{POSTS[0]}" rel="noopener noreferrer">View this post on Instagram</a></p>'
        "</blockquote>"
    ) in content
    assert "<strong>Spotify</strong>: Lantern Light" in content
    assert f'<a href="{TRACK}" rel="noopener noreferrer">Listen on Spotify</a>' in content
    assert f"<p>{POSTS[0]}</p>" not in content  # no bare URL
    assert "<p>Before embed 2.</p>" in content
    assert "<script" not in content and "<img" not in content


@pytest.mark.parametrize("url", ALL_FEEDS)
def test_summary_feeds_carry_no_body(client, embed_articles, settings, url):
    settings.FEED_CONTENT = "summary"
    feed = feedparser.parse(client.get(url).content)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = feed.entries[0]
    assert "content" not in entry
    assert "Before embed 0." in entry.summary  # the summary made from the body
    assert "blockquote" not in client.get(url).content.decode()


def test_an_unknown_feed_content_setting_stops_the_process():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import newsroom.settings"],
        env={"FEED_CONTENT": "everything", "DJANGO_DEBUG": "true", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert 'FEED_CONTENT must be "full" or "summary"' in result.stderr


# The counts of tests/articles/test_queries.py plus one: the embed rows of all items.
EMBED_FEED_QUERIES = {"feed": 4, "category": 6, "tag": 5, "author": 5}


@pytest.mark.parametrize("url", ALL_FEEDS)
def test_feed_queries_with_embeds_do_not_grow_with_the_items(client, noon, url):
    """One query for all the items' embed rows, whatever the number of items."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsroom import cache as content

    def count() -> int:
        cache.clear()
        content.current()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make_embed_articles(2)
    with_2 = count()
    make_embed_articles(6, offset=2)
    assert count() == with_2 == EMBED_FEED_QUERIES[url.split("/")[1]]


@pytest.mark.parametrize(
    ("page", "rss", "atom"),
    [
        ("/category/news/", "/category/news/feed/", "/category/news/feed/atom/"),
        ("/tag/gigs/", "/tag/gigs/feed/", "/tag/gigs/feed/atom/"),
        ("/author/ana/", "/author/ana/feed/", "/author/ana/feed/atom/"),
    ],
)
def test_scoped_pages_link_their_feeds_in_the_head_and_the_page(client, articles, page, rss, atom):
    html = client.get(page).content.decode()
    assert '<link rel="alternate" type="application/rss+xml" title="' in html
    assert 'type="application/atom+xml" title="' in html and f'href="{atom}"' in html
    assert f'<a href="{rss}">RSS feed</a>' in html
    assert f'<a href="{atom}">Atom feed</a>' in html


@pytest.mark.parametrize(
    "url", ["/category/nope/feed/atom/", "/tag/nope/feed/atom/", "/author/%00/feed/atom/"]
)
def test_atom_feeds_of_unknown_scopes_are_not_found(client, noon, url):
    assert client.get(url).status_code == 404
