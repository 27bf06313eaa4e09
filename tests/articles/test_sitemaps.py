import datetime
import xml.etree.ElementTree as ET

import pytest

from articles.models import Article
from articles.sitemaps import newest_published_change
from tests.articles.conftest import NOON
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def articles(noon):
    news = make_category(name="News", slug="news")
    ana = make_author(slug="ana")
    fresh = make_article(title="Fresh & new", category=news, authors=[ana], tags=["gigs", "live"])
    old = make_article(
        title="Three days old", category=news, published_at=NOON - datetime.timedelta(days=3)
    )
    return fresh, old


def xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def test_sitemap_index_lists_every_section_absolutely(client, articles):
    root = xml(client, "/sitemap.xml")
    assert root.tag == f"{SITEMAP}sitemapindex"
    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert locations == [
        f"{SITE}/sitemap-articles.xml",
        f"{SITE}/sitemap-categories.xml",
        f"{SITE}/sitemap-tags.xml",
        f"{SITE}/sitemap-authors.xml",
    ]
    assert root.find(f"{SITEMAP}sitemap/{SITEMAP}lastmod") is not None


def test_article_sitemap_lists_published_articles_with_lastmod(client, articles):
    root = xml(client, "/sitemap-articles.xml")
    assert root.tag == f"{SITEMAP}urlset"
    urls = {
        url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod").text
        for url in root.iter(f"{SITEMAP}url")
    }
    assert set(urls) == {SITE + a.get_absolute_url() for a in articles}
    assert all(urls.values())


def test_taxonomy_sitemaps_list_categories_tags_and_authors(client, articles):
    found = {
        loc.text
        for url in ("/sitemap-categories.xml", "/sitemap-tags.xml", "/sitemap-authors.xml")
        for loc in xml(client, url).iter(f"{SITEMAP}loc")
    }
    assert found == {
        f"{SITE}/category/news/",
        f"{SITE}/tag/gigs/",
        f"{SITE}/tag/live/",
        f"{SITE}/author/ana/",
    }


def test_news_sitemap_holds_the_last_48_hours_in_the_news_format(client, articles):
    fresh, _old = articles
    root = xml(client, "/news-sitemap.xml")
    urls = list(root.iter(f"{SITEMAP}url"))
    assert [u.find(f"{SITEMAP}loc").text for u in urls] == [SITE + fresh.get_absolute_url()]
    news = urls[0].find(f"{NEWS}news")
    assert news.find(f"{NEWS}title").text == "Fresh & new"
    assert news.find(f"{NEWS}publication/{NEWS}name").text == "Newsroom"
    assert news.find(f"{NEWS}publication/{NEWS}language").text == "en"
    assert news.find(f"{NEWS}publication_date").text == "2024-03-10T11:00:00+00:00"
    assert news.find(f"{NEWS}keywords").text == "gigs, live"


def test_news_sitemap_drops_articles_after_48_hours(client, articles, time_machine):
    time_machine.move_to(NOON + datetime.timedelta(hours=48), tick=False)
    assert list(xml(client, "/news-sitemap.xml").iter(f"{SITEMAP}url")) == []


def test_sitemaps_follow_a_new_article_and_a_new_tag(client, noon):
    from articles.services import save_article

    make_article(tags=["old"])
    assert "/tag/old/" in client.get("/sitemap-tags.xml").content.decode()
    client.get("/sitemap.xml")
    article = make_article(tags=["fresh"])
    save_article(article)
    assert "/tag/fresh/" in client.get("/sitemap-tags.xml").content.decode()


def test_the_articles_section_pages_by_a_thousand(client, noon):
    from articles.sitemaps import ArticleSitemap

    assert ArticleSitemap.limit == 1000
    assert client.get("/sitemap-articles.xml?p=2").status_code == 404  # a single page so far
    assert client.get("/sitemap-articles.xml?p=x").status_code == 404


def test_the_newest_change_skips_scheduled_articles_changed_since(noon, time_machine):
    live = make_article(title="Live")
    time_machine.move_to(NOON + datetime.timedelta(minutes=5), tick=False)
    for n in range(3):
        make_article(title=f"Scheduled {n}", published_at=NOON + datetime.timedelta(days=1))
    make_article(title="A draft", status=Article.Status.DRAFT)
    live.refresh_from_db()
    # Found among the candidates, and by the full aggregate when every
    # candidate is scheduled.
    assert newest_published_change() == live.updated_at
    assert newest_published_change(candidates=(1, 2)) == live.updated_at
    assert newest_published_change(candidates=(2,)) == live.updated_at


def test_taxonomy_sections_leave_out_what_only_hidden_articles_use(client, noon):
    make_article(category=make_category(slug="shown"), authors=[make_author(slug="seen")])
    make_article(
        category=make_category(slug="secret"),
        authors=[make_author(slug="ghost")],
        tags=["embargo"],
        status=Article.Status.DRAFT,
    )
    make_article(tags=["later"], published_at=NOON + datetime.timedelta(hours=1))
    text = "".join(
        client.get(f"/sitemap-{section}.xml").content.decode()
        for section in ["categories", "tags", "authors"]
    )
    assert "/category/shown/" in text and "/author/seen/" in text
    for hidden in ["/category/secret/", "/author/ghost/", "/tag/embargo/", "/tag/later/"]:
        assert hidden not in text
