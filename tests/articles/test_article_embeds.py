"""The article page with embeds: cards as served, the CSP that lets them load, query counts."""

import pytest
from django.core.cache import cache

from embeds.models import Embed
from embeds.providers import frame_hosts
from tests.factories import make_article

pytestmark = pytest.mark.django_db

INSTAGRAM = [
    "https://www.instagram.com/p/CdGx1aPrQ3e/",
    "https://www.instagram.com/p/CdH2kLmNp8Q/",
    "https://www.instagram.com/reel/CdJ4vWxYz1A/",
]
SPOTIFY = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"


@pytest.fixture
def article(noon):
    for n, url in enumerate(INSTAGRAM):
        Embed.objects.create(url=url, author_name=f"Band Member {n}", author_handle=f"member{n}")
    Embed.objects.create(url=SPOTIFY, title="New single")
    body = "".join(
        f"<p>Paragraph {n}.</p><p>{url}</p>" for n, url in enumerate([*INSTAGRAM, SPOTIFY])
    )
    return make_article(body=body + "<p>Last paragraph.</p>")


def test_embed_urls_on_their_own_lines_render_as_static_cards(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count("View this post on Instagram") == 3
    for n in range(3):
        assert f"A post shared by Band Member {n} (@member{n})" in html
    assert html.count("Listen on Spotify") >= 1
    assert "<iframe" not in html
    assert "Paragraph 0." in html and "Last paragraph." in html


def test_article_csp_allows_frames_from_exactly_the_registry_hosts(client, article):
    policy = client.get(article.get_absolute_url())["Content-Security-Policy"]
    parts = [part.split() for part in policy.split(";") if part.strip()]
    directives = {name: values for name, *values in parts}
    assert sorted(directives["frame-src"]) == sorted(frame_hosts())
    assert directives["script-src"] == ["'self'"]


def test_other_pages_allow_no_frames(client, article):
    assert "frame-src 'none'" in client.get("/")["Content-Security-Policy"]


def test_article_page_with_four_embeds_runs_seven_queries_then_none(
    client, article, django_assert_num_queries, page_cache_off
):
    # The header's category list is cached after any page view; start from there.
    client.get("/")
    url = article.get_absolute_url()
    # Article with its neighbours, authors, tags, related with previous/next,
    # the newest of its section ("More in"), all embed rows in one, and its
    # corrections.
    with django_assert_num_queries(7):
        client.get(url)
    # The article and everything around it is cached with the content
    # (articles/pages.py), so the page renders without the database until
    # the next change, even with the page cache off.
    with django_assert_num_queries(0):
        client.get(url)


def test_editing_embed_metadata_shows_at_once(client, article):
    client.get(article.get_absolute_url())
    Embed.objects.filter(url=INSTAGRAM[0]).update(author_name="Renamed")
    Embed.objects.get(url=INSTAGRAM[0]).save()
    assert (
        "A post shared by Renamed (@member0)"
        in client.get(article.get_absolute_url()).content.decode()
    )


def test_hostile_embed_metadata_renders_inert(client, noon):
    url = "https://www.instagram.com/p/Hostile123/"
    Embed.objects.create(
        url=url, author_name='"><script>alert(1)</script>', author_handle='x" onmouseover="1'
    )
    article = make_article(body=f'<p><a href="{url}">{url}</a></p>')
    cache.clear()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'onmouseover="1' not in html
    assert "&lt;script&gt;" in html
