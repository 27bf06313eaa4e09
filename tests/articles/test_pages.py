"""The article page's parts are cached with the content, never past a change."""

import datetime

import pytest

from articles.models import Article
from articles.services import save_article, unpublish
from tests.articles.conftest import NOON
from tests.articles.editorial import make_editor
from tests.factories import make_article, make_category

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon", "page_cache_off")]


def test_an_edit_shows_on_the_next_request(client):
    article = make_article(title="First title", tags=["gigs"])
    assert "First title" in client.get(article.get_absolute_url()).content.decode()
    article.title = "Second title"
    article.body = "<p>A new body.</p>"
    save_article(article)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Second title" in page and "A new body." in page and "First title" not in page


def test_an_unpublished_article_is_gone_on_the_next_request(client):
    article = make_article()
    assert client.get(article.get_absolute_url()).status_code == 200
    unpublish(article, make_editor())
    assert client.get(article.get_absolute_url()).status_code == 404


def test_related_and_neighbours_follow_a_new_article(client, time_machine):
    news = make_category()
    article = make_article(category=news, published_at=NOON - datetime.timedelta(hours=2))
    assert "Next article" not in client.get(article.get_absolute_url()).content.decode()
    newer = make_article(category=news, title="The newer one", published_at=NOON)
    save_article(newer)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Next article" in page and "The newer one" in page


def test_a_scheduled_neighbour_appears_at_its_time(client, time_machine):
    news = make_category()
    article = make_article(category=news)
    make_article(
        category=news, title="Later news", published_at=NOON + datetime.timedelta(minutes=30)
    )
    assert "Later news" not in client.get(article.get_absolute_url()).content.decode()
    time_machine.move_to(NOON + datetime.timedelta(minutes=31), tick=False)
    assert "Later news" in client.get(article.get_absolute_url()).content.decode()


def test_staff_see_a_draft_and_readers_never_get_it_from_the_cache(client, admin_client):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    assert admin_client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404
