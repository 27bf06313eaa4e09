import datetime
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from articles.models import Article
from tests.articles.conftest import NOON
from tests.factories import make_article, make_author, make_category, make_draft, make_scheduled

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


class PageParser(HTMLParser):
    """Collects what the page-shape tests look at."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.append(attributes["id"])


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def seed(noon):
    """The article the product was modelled on: May 3rd, 2022, News, a byline, tags."""
    news = make_category(name="News", slug="news")
    return make_article(
        title="The band announces a tour",
        slug="band-announces-tour",
        dek="Twelve dates this autumn.",
        body="<p>First paragraph.</p><p>Second paragraph.</p>",
        category=news,
        authors=[make_author(name="Mara Quist", slug="mara-quist")],
        tags=["tours", "live music"],
        published_at=datetime.datetime(2022, 5, 3, 8, 41, 55, tzinfo=datetime.UTC),
    )


class ArticlePageTests:
    def test_article_page_has_the_seed_shape(self, client, seed):
        response = client.get("/2022/05/03/band-announces-tour/")
        assert response.status_code == 200
        html = response.content.decode()
        assert '<time datetime="2022-05-03T08:41:55+00:00">May 3rd, 2022</time>' in html
        assert '<a href="/category/news/">News</a>' in html
        assert '<a href="/author/mara-quist/" rel="author">Mara Quist</a>' in html
        assert "Twelve dates this autumn." in html
        assert "<p>First paragraph.</p><p>Second paragraph.</p>" in html
        assert "Share This Story, Choose Your Platform!" in html
        assert 'href="#top"' in html and '<body id="top"' in html
        assert "Go to Top" in html
        assert '<a href="/tag/live-music/" rel="tag">live music</a>' in html

    def test_article_page_has_exactly_one_h1_and_unique_ids(self, client, seed):
        page = parse(client.get(seed.get_absolute_url()))
        assert [tag for tag, _ in page.tags].count("h1") == 1
        assert len(page.ids) == len(set(page.ids))

    def test_every_share_link_carries_the_absolute_article_url(self, client, seed):
        page = parse(client.get(seed.get_absolute_url()))
        article_url = SITE + seed.get_absolute_url()
        links = [a for tag, a in page.tags if tag == "a" and "share__link" in a.get("class", "")]
        hosts = {urlsplit(a["href"]).netloc or urlsplit(a["href"]).scheme for a in links}
        assert hosts == {
            "www.facebook.com", "x.com", "www.linkedin.com", "www.reddit.com", "wa.me",
            "t.me", "www.pinterest.com", "mailto",
        }  # fmt: skip
        for link in links:
            assert link["rel"] == "noopener noreferrer"
            query = parse_qs(urlsplit(link["href"]).query)
            values = [v for vs in query.values() for v in vs]
            assert any(article_url in unquote(v) for v in values), link["href"]
        buttons = [a for tag, a in page.tags if tag == "button" and "data-copy-link" in a]
        assert buttons[0]["data-copy-link"] == article_url

    def test_head_carries_canonical_open_graph_twitter_and_json_ld(self, client, seed):
        response = client.get(seed.get_absolute_url())
        html = response.content.decode()
        url = SITE + seed.get_absolute_url()
        assert f'<link rel="canonical" href="{url}">' in html
        assert '<meta property="og:type" content="article">' in html
        assert (
            '<meta property="article:published_time" content="2022-05-03T08:41:55+00:00">' in html
        )
        assert '<meta property="article:section" content="News">' in html
        assert '<meta property="article:tag" content="tours">' in html
        assert '<meta name="twitter:card" content="summary">' in html
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html)[1])
        assert ld["@type"] == "NewsArticle"
        assert ld["headline"] == "The band announces a tour"
        assert ld["datePublished"] == "2022-05-03T08:41:55+00:00"
        assert ld["author"] == [
            {"@type": "Person", "name": "Mara Quist", "url": SITE + "/author/mara-quist/"}
        ]
        assert ld["publisher"]["name"] == "Newsroom"
        assert "dateModified" in ld

    def test_a_script_tag_in_a_title_cannot_break_out_of_json_ld(self, client, noon):
        article = make_article(title='</script><script>alert("x")</script>', slug="x")
        html = client.get(article.get_absolute_url()).content.decode()
        assert "<script>alert" not in html
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
        assert json.loads(block)["headline"] == '</script><script>alert("x")</script>'

    def test_html_stays_under_40_kb_for_a_1000_word_article(self, client, noon):
        words = " ".join(["newsroom"] * 100)
        body = "".join(f"<p>{words}.</p>" for _ in range(10))
        article = make_article(body=body, authors=[make_author(), make_author()],
                               tags=["a", "b", "c", "d", "e"])  # fmt: skip
        response = client.get(article.get_absolute_url())
        assert len(response.content) < 40 * 1024

    def test_lead_image_shows_with_caption_credit_and_size(self, client, noon, settings, tmp_path):
        from articles import images
        from tests.articles import pictures

        settings.MEDIA_ROOT = tmp_path
        image = images.ingest(
            pictures.png(64, 32),
            alt="A teal square",
            caption="The stage before doors.",
            credit="Photo: J. Doe",
        )
        article = make_article(image=image)
        html = client.get(article.get_absolute_url()).content.decode()
        assert 'alt="A teal square" width="64" height="32" fetchpriority="high">' in html
        assert "The stage before doors." in html and "Photo: J. Doe" in html
        social = f"http://127.0.0.1:8000/media/{image.file.name.removesuffix('.png')}/og.jpg"
        assert f'<meta property="og:image" content="{social}">' in html
        assert f'<meta name="twitter:image" content="{social}">' in html
        assert f'"image": ["{social}"]' in html
        assert "summary_large_image" in html

    def test_related_prefers_shared_tags_then_the_same_category(self, client, noon):
        category = make_category()
        article = make_article(category=category, tags=["a", "b", "c"])
        hour = datetime.timedelta(hours=1)
        same_category = make_article(category=category, published_at=NOON - 2 * hour)
        one_tag = make_article(tags=["a"], published_at=NOON - 3 * hour)
        two_tags = make_article(tags=["a", "b"], published_at=NOON - 20 * hour)
        make_article(tags=["zzz"], published_at=NOON - 4 * hour)  # unrelated
        # Oldest first in time, so it is not a neighbour of `article`.
        make_article(published_at=NOON - 100 * hour)
        response = client.get(article.get_absolute_url())
        neighbours = {response.context["previous_article"], response.context["next_article"]}
        related = [a for a in [two_tags, one_tag, same_category] if a not in neighbours]
        assert response.context["related"] == related

    def test_byline_joins_several_authors(self, client, noon):
        article = make_article(
            authors=[make_author(name="A One"), make_author(name="B Two"), make_author(name="C")]
        )
        html = client.get(article.get_absolute_url()).content.decode()
        assert re.search(r">A One</a>, <a [^>]+>B Two</a> and <a [^>]+>C</a>", html)


class StaffPreviewTests:
    @pytest.fixture
    def editor(self, db) -> Client:
        user = User.objects.create_user("editor", password="pw-for-tests", is_staff=True)
        user.user_permissions.add(
            *Permission.objects.filter(codename__in=["change_article", "publish_article"])
        )
        client = Client()
        client.force_login(user)
        return client

    def test_staff_see_unpublished_articles_marked_and_uncached(self, editor, noon):
        for article in (make_draft(), make_scheduled()):
            response = editor.get(article.get_absolute_url())
            assert response.status_code == 200
            html = response.content.decode()
            assert "Not published" in html
            assert '<meta name="robots" content="noindex, nofollow">' in html
            assert "no-store" in response["Cache-Control"]
            assert "private" in response["Cache-Control"]

    def test_staff_without_change_permission_get_404(self, noon):
        user = User.objects.create_user("viewer", password="pw", is_staff=True)
        client = Client()
        client.force_login(user)
        assert client.get(make_draft().get_absolute_url()).status_code == 404

    def test_published_pages_carry_no_banner_for_staff(self, editor, noon):
        response = editor.get(make_article().get_absolute_url())
        assert "Not published" not in response.content.decode()
        # Logged in, the page is private to the browser (newsroom/middleware.py),
        # but not marked unpublished.
        assert "X-Robots-Tag" not in response


class ListPageTests:
    def test_home_shows_the_lead_story_and_the_latest(self, client, noon):
        old = make_article(title="Older story", published_at=NOON - datetime.timedelta(days=1))
        lead = make_article(title="Newest story")
        response = client.get("/")
        assert response.context["lead"]() == lead
        assert response.context["latest"]() == [old]

    def test_lists_are_paginated(self, client, noon):
        category = make_category(slug="busy")
        for hours in range(30):
            make_article(category=category, published_at=NOON - datetime.timedelta(hours=hours))
        first = client.get("/category/busy/")
        assert len(first.context["object_list"]) == 12
        assert 'href="?page=2"' in first.content.decode()
        last = client.get("/category/busy/?page=3")
        assert last.status_code == 200
        assert len(last.context["object_list"]) == 6

    def test_category_page_includes_descendants_and_shows_breadcrumbs(self, client, noon):
        root = make_category(name="Arts", slug="arts")
        child = make_category(name="Music", slug="music", parent=root)
        grandchild = make_category(name="Jazz", slug="jazz", parent=child)
        deep = make_article(title="Deep story", category=grandchild)
        make_article(title="Elsewhere story")
        response = client.get("/category/arts/")
        assert list(response.context["object_list"]) == [deep]
        html = client.get("/category/jazz/").content.decode()
        assert re.search(
            r'href="/category/arts/">Arts</a>.*href="/category/music/">Music', html, re.S
        )

    def test_search_finds_every_word_in_published_articles(self, client, noon):
        hit = make_article(title="Harbour cranes return", body="<p>The port reopens.</p>")
        make_article(title="Harbour closed")
        make_draft(title="Harbour cranes secret")
        response = client.get("/search/", {"q": "  harbour   PORT "})
        assert [h.article for h in response.context["object_list"]] == [hit]
        assert response.context["query"] == "harbour PORT"


@pytest.mark.parametrize(
    "url",
    [
        "/2022/13/45/x/",
        "/2022/02/30/x/",
        "/0000/01/01/x/",
        "/2022/00/10/x/",
        "/2022/05/03/no-such-slug/",
        "/2022/13/",
        "/2022/05/32/",
        "/9999/",
        "/category/nope/",
        "/tag/nope/",
        "/author/nope/",
        "/category/nope/feed/",
        "/tag/nope/feed/",
        "/author/nope/feed/",
        "/?page=abc",
        "/?page=99999",
        "/?page=-1",
        "/?page=0",
        "/?page=1e9",
        "/category/news/?page=%00",
        "/sitemap-nope.xml",
        "/sitemap-articles.xml?p=99",
        "/sitemap-articles.xml?p=abc",
        "/2022/05/03/band-announces-tour/%3Cscript%3E/",
        "/tag/%F0%9F%92%A9/",
        "/category/" + "a" * 5000 + "/",
    ],
)
def test_bad_urls_answer_404_never_500(client, seed, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["", " ", "<script>alert(1)</script>", "%", "_", "' OR 1=1 --", "\x00", "a" * 10000, "é" * 50],
)
def test_search_survives_hostile_queries(client, seed, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_with_repeated_parameters_and_bad_pages(client, seed):
    assert client.get("/search/?q=band&q=tour").status_code == 200
    assert client.get("/search/?q=band&page=7").status_code == 404


def test_robots_txt_names_both_sitemaps(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in text
    assert f"Sitemap: {SITE}/news-sitemap.xml" in text
    assert "Disallow: /admin/" in text
    assert "Disallow: /preview/" in text


def test_unicode_slugs_round_trip(client, noon):
    article = make_article(title="Sigur Rós í Reykjavík", slug="")
    assert client.get(article.get_absolute_url()).status_code == 200
    assert Article.objects.get(pk=article.pk).slug == "sigur-rós-í-reykjavík"


@pytest.mark.parametrize(
    ("url", "kind"),
    [("/", "WebSite"), ("/category/news/", "CollectionPage"), ("/tag/tours/", "CollectionPage"),
     ("/author/mara-quist/", "CollectionPage"), ("/2022/05/", "CollectionPage")],
)  # fmt: skip
def test_list_pages_carry_canonical_social_tags_and_json_ld(client, seed, url, kind):
    html = client.get(url).content.decode()
    assert f'<link rel="canonical" href="{SITE}{url}">' in html
    assert '<meta property="og:title"' in html and '<meta name="twitter:card"' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html)[1])
    assert ld["@type"] == kind


@pytest.mark.parametrize(
    "url",
    ["/category/%00/", "/tag/a%00b/", "/author/%00/", "/2022/05/03/band%00/",
     "/category/%00/feed/", "/search/?q=%00", "/search/?q=a%00b", "/?page=%00"],
)  # fmt: skip
def test_nul_bytes_in_urls_never_reach_the_database(client, seed, url):
    assert client.get(url).status_code in (200, 404)
