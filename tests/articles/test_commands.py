import pytest
from django.core.management import call_command

from articles.models import Article, Author, Category, Correction
from embeds.models import Embed

pytestmark = pytest.mark.django_db


def test_load_demo_writes_a_varied_site_once(capsys):
    call_command("load_demo")
    articles = Article.objects.all()
    assert articles.count() >= 6
    assert Category.objects.count() >= 3 and Author.objects.count() >= 2
    assert Article.objects.published().count() == articles.count() - 2
    assert Article.objects.scheduled().count() == 1
    assert articles.filter(status=Article.Status.DRAFT).count() == 1
    seed = articles.get(source_id="tour-announcement")
    assert seed.get_absolute_url() == "/2022/05/03/the-lanterns-announce-tour/"
    assert seed.body.count("instagram.com/") == 3 and "open.spotify.com/track/" in seed.body

    assert Embed.objects.filter(author_handle="thelanternsband").count() == 2
    # Every article has a drawn lead image with alt text, and the home page shows them.
    assert not articles.filter(image__isnull=True).exists()
    assert not articles.filter(image__alt="").exists()
    # One article carries a correction and an update, on the log too.
    assert Correction.objects.public().get().article.source_id == "council-buses"
    assert Correction.objects.count() == 2

    call_command("load_demo")
    call_command("load_demo", "--if-empty")
    assert Article.objects.count() == articles.count()
    assert Correction.objects.count() == 2
    assert "not loaded" in capsys.readouterr().out


def test_load_demo_if_empty_leaves_an_existing_site_alone(capsys):
    from tests.factories import make_article

    make_article()
    call_command("load_demo", "--if-empty")
    assert Article.objects.count() == 1


def test_demo_seed_article_shows_its_instagram_cards(client):
    call_command("load_demo")
    html = client.get("/2022/05/03/the-lanterns-announce-tour/").content.decode()
    assert html.count("View this post on Instagram") == 3
    assert "A post shared by The Lanterns (@thelanternsband)" in html
    assert "Listen on Spotify" in html


def test_the_demo_home_page_has_pictures(client):
    call_command("load_demo")
    html = client.get("/").content.decode()
    assert html.count("<picture>") == Article.objects.published().count()
    assert 'fetchpriority="high"' in html  # the lead story's picture
