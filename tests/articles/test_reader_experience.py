"""Reading time, "More in" the section, and the smaller page fixes of issue #15."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.pages import MORE_IN_SIZE, reading_minutes
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db


def words(count: int) -> str:
    return "<p>" + " ".join(f"word{n}" for n in range(count)) + "</p>"


@pytest.mark.parametrize(
    ("count", "minutes"),
    [(0, 1), (1, 1), (230, 1), (231, 2), (460, 2), (461, 3), (2300, 10)],
)
def test_reading_time_is_words_over_230_rounded_up_and_at_least_one(count, minutes):
    assert reading_minutes(words(count)) == minutes


def test_reading_time_counts_text_not_markup():
    body = '<p><a href="https://example.com/a/very/long/path">two words</a></p>' * 300
    assert reading_minutes(body) == 3  # 600 words


def test_the_meta_line_says_how_long_the_article_takes_to_read(client):
    article = make_article(body=words(500))
    html = client.get(article.get_absolute_url()).content.decode()
    meta = re.search(r'<p class="meta">(.*?)</p>', html, re.S)[1]
    assert '<time datetime="PT3M">3 min</time> read' in meta


def test_more_in_the_section_lists_its_newest_published_articles_only(client):
    section = make_category(name="City", slug="city")
    elsewhere = make_category(name="Sport", slug="sport")
    now = timezone.now()
    article = make_article(
        title="This one", category=section, published_at=now - datetime.timedelta(days=9)
    )
    newest = [
        make_article(
            title=f"City story {n}",
            category=section,
            published_at=now - datetime.timedelta(days=n + 1),
        )
        for n in range(MORE_IN_SIZE + 1)
    ]
    make_article(title="City draft", category=section, status=Article.Status.DRAFT)
    make_article(
        title="City embargo", category=section, published_at=now + datetime.timedelta(hours=1)
    )
    make_article(title="Sport story", category=elsewhere, published_at=now)

    html = client.get(article.get_absolute_url()).content.decode()
    block = re.search(r'<section class="more-in".*?</section>', html, re.S)[0]
    assert 'id="more-in-heading">More in City</h2>' in block
    titles = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', block)
    assert titles == [a.title for a in newest[:MORE_IN_SIZE]]
    assert 'href="/category/city/"' in block
    # After the share block, which closes the article.
    assert html.index('class="share"') < html.index('class="more-in"')


def test_more_in_the_section_is_left_out_when_the_article_is_alone_there(client):
    article = make_article(category=make_category(name="Lonely", slug="lonely"))
    assert b'class="more-in"' not in client.get(article.get_absolute_url()).content


def test_more_in_the_section_follows_the_content_generation(client):
    """Kept with the page, and retired with it when a new article goes live."""
    section = make_category(name="City", slug="city")
    article = make_article(
        category=section, published_at=timezone.now() - datetime.timedelta(days=2)
    )
    url = article.get_absolute_url()
    assert b'class="more-in"' not in client.get(url).content
    make_article(title="Fresh city story", category=section)
    assert b"Fresh city story" in client.get(url).content


def test_a_subcategory_is_listed_under_a_visible_label(client):
    news = make_category(name="News", slug="news")
    music = make_category(name="Music", slug="music", parent=news)
    make_article(category=music)
    html = client.get("/category/news/").content.decode()
    nav = re.search(r'<nav class="subcategories".*?</nav>', html, re.S)[0]
    assert 'aria-labelledby="subcategories-heading"' in nav
    assert (
        '<h2 id="subcategories-heading" class="subcategories__heading">Sections in News</h2>' in nav
    )
    assert '<a href="/category/music/">Music</a>' in nav


def test_each_search_landmark_has_its_own_name(client):
    make_article(title="Buses at night", body="<p>Night buses return.</p>")
    html = client.get("/search/?q=buses").content.decode()
    forms = re.findall(r'<form [^>]*role="search"[^>]*>', html)
    names = [re.search(r'aria-label="([^"]+)"', form)[1] for form in forms]
    assert len(forms) == 2
    assert len(set(names)) == 2


def test_search_results_show_escaped_snippets_with_marked_words(client):
    make_article(
        title="Kettle news",
        body="<p>The &lt;b&gt;kettle&lt;/b&gt; whistled at the council meeting.</p>",
    )
    html = client.get("/search/?q=kettle").content.decode()
    snippet = re.search(r'<p class="search-result__snippet">(.*?)</p>', html, re.S)[1]
    assert "<mark>kettle</mark>" in snippet
    assert "<b>" not in snippet
    # Text that looks like a tag is escaped; PostgreSQL's parser reads it as a
    # tag token and ts_headline leaves it out, which is just as safe.
    if connection.vendor != "postgresql":
        assert "&lt;b&gt;" in snippet
