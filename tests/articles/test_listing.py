"""List pages: narrow cards, deep pages by key, kept with the content."""

import datetime

import pytest
from django.core.paginator import Paginator

from articles import listing
from articles.listing import SEEK_FROM, ArticlePaginator, cards
from articles.models import Article
from articles.services import save_article
from tests.articles.conftest import NOON
from tests.factories import make_article, make_category

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon", "page_cache_off")]


@pytest.fixture
def many():
    news = make_category(slug="news")
    return [
        make_article(category=news, published_at=NOON - datetime.timedelta(minutes=n // 2))
        for n in range(SEEK_FROM + 30)
    ]


@pytest.mark.parametrize("seek_from", [SEEK_FROM, 24])
def test_deep_pages_hold_the_same_articles_as_a_plain_offset(many, monkeypatch, seek_from):
    # With 24, pages before the middle seek forwards and later ones backwards.
    monkeypatch.setattr(listing, "SEEK_FROM", seek_from)
    articles = cards(Article.objects.published()).order_by("-published_at", "-pk")
    plain, seek = Paginator(articles, 12, orphans=2), ArticlePaginator(articles, 12, orphans=2)
    for number in plain.page_range:
        assert list(seek.page(number)) == list(plain.page(number)), number


def test_the_last_page_and_bad_page_numbers(client, many):
    last = client.get("/category/news/?page=last")
    assert last.status_code == 200
    assert last.context["page_obj"].number == last.context["paginator"].num_pages
    for bad in ["0", "-1", "abc", "999999", "1" * 40, "1.5", "%00"]:
        assert client.get(f"/category/news/?page={bad}").status_code == 404, bad


def test_cards_leave_the_body_in_the_database():
    make_article()
    card = cards(Article.objects.published()).get()
    assert "body" in card.get_deferred_fields()


def test_an_edit_shows_on_the_next_list_request(client):
    article = make_article(title="Before the edit")
    assert "Before the edit" in client.get("/").content.decode()
    article.title = "After the edit"
    save_article(article)
    page = client.get("/").content.decode()
    assert "After the edit" in page and "Before the edit" not in page


def test_a_scheduled_article_joins_the_list_at_its_time(client, time_machine):
    make_article(title="Already out")
    make_article(title="Coming soon", published_at=NOON + datetime.timedelta(minutes=10))
    assert "Coming soon" not in client.get("/").content.decode()
    time_machine.move_to(NOON + datetime.timedelta(minutes=11), tick=False)
    assert "Coming soon" in client.get("/").content.decode()


def test_the_lead_summary_comes_from_the_body_when_cached(client):
    make_article(title="Lead", dek="", body="<p>First sentence here. Second one.</p>")
    client.get("/")
    assert "First sentence here." in client.get("/").content.decode()


@pytest.mark.parametrize("url", ["/2024/", "/2024/03/", "/2024/03/10/"])
def test_a_warm_archive_page_needs_no_query(client, django_assert_num_queries, url):
    make_article(published_at=NOON - datetime.timedelta(hours=1))
    make_article(published_at=NOON - datetime.timedelta(days=40))
    assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_an_archive_follows_the_content(client):
    assert client.get("/2024/02/").status_code == 404
    make_article(title="February story", published_at=NOON - datetime.timedelta(days=20))
    page = client.get("/2024/02/")
    assert page.status_code == 200 and "February story" in page.content.decode()
