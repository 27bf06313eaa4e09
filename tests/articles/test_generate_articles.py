"""`manage.py generate_articles`: bulk benchmark data that behaves like real articles."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from articles.html import sanitize, word_count
from articles.management.commands.generate_articles import (
    COMMON_WORD,
    RARE_WORD,
    VOCABULARY,
)
from articles.models import Article, Byline, Category, TaggedArticle
from embeds.models import Embed
from embeds.rendering import embed_urls
from newsroom import cache as content

pytestmark = pytest.mark.django_db

COUNT = 40


@pytest.fixture
def generated(noon) -> list[Article]:
    # A batch smaller than the count, so several batches run.
    call_command("generate_articles", str(COUNT), "--seed", "7", "--batch-size", "15", verbosity=0)
    return list(Article.objects.all())


def test_it_adds_the_requested_number_of_articles_with_tags_authors_and_embeds(generated):
    assert len(generated) == COUNT
    tags = {a.pk: a.tags.count() for a in generated}
    assert all(3 <= n <= 8 for n in tags.values())
    assert TaggedArticle.objects.count() == sum(tags.values())
    bylines = {a.pk: a.bylines.count() for a in generated}
    assert all(1 <= n <= 3 for n in bylines.values())
    assert Byline.objects.count() == sum(bylines.values())
    urls = {url for article in generated for url in embed_urls(article.body)}
    assert urls, "some articles carry embeds"
    assert set(Embed.objects.values_list("url", flat=True)) == urls


def test_categories_form_a_two_level_hierarchy(generated):
    categories = list(Category.objects.select_related("parent"))
    assert any(c.parent is None for c in categories)
    assert any(c.parent is not None for c in categories)
    assert all(c.parent is None or c.parent.parent is None for c in categories)


def test_rows_are_stored_as_article_save_would_store_them(generated):
    for article in generated:
        assert sanitize(article.body) == article.body
        words = word_count(article.body) - len(embed_urls(article.body))
        assert 500 <= words <= 1500
        stored = Article.objects.get(pk=article.pk)
        stored.fill_permalink()
        assert (stored.slug, stored.published_on) == (article.slug, article.published_on)
        assert stored.published_at == article.published_at
        assert article.preview_nonce
    assert len({a.preview_nonce for a in generated}) == COUNT
    assert {a.version for a in generated} == {1}


def test_a_generated_article_saves_through_the_write_path_from_its_version(generated):
    from articles.services import StaleVersion, save_article

    article, stale = generated[0], Article.objects.get(pk=generated[0].pk)
    save_article(article)
    assert Article.objects.get(pk=article.pk).version == 2
    with pytest.raises(StaleVersion):
        save_article(stale)


def test_most_articles_are_published_with_a_few_drafts_and_scheduled(generated, noon):
    published = Article.objects.published()
    assert published.count() >= COUNT * 0.9
    assert Article.objects.filter(status=Article.Status.DRAFT).exists()
    assert Article.objects.scheduled().exists()
    years = {a.published_at.year for a in published}
    assert len(years) >= 3 and max(a.published_at for a in published) <= timezone.now()


def test_published_articles_render_with_their_embed_cards(generated, client: Client):
    for article in Article.objects.published():
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        if "instagram.com/" in article.body:
            assert "View this post on Instagram" in response.content.decode()
            assert "A post shared by " in response.content.decode()


def test_unpublished_articles_stay_off_every_public_page(generated, client: Client):
    hidden = list(Article.objects.exclude(pk__in=Article.objects.published()))
    assert hidden
    pages = ["/feed/", "/feed/atom/", "/sitemap-articles.xml", "/news-sitemap.xml"]
    pages += [f"/?page={n}" for n in range(1, COUNT // 12 + 2)]
    for article in hidden:
        assert client.get(article.get_absolute_url()).status_code == 404
        pages.append(article.category.get_absolute_url())
        pages += [f"/tag/{tag.slug}/" for tag in article.tags.all()]
    for page in dict.fromkeys(pages):
        response = client.get(page)
        assert response.status_code in (200, 404), page
        for article in hidden:
            assert article.get_absolute_url() not in response.content.decode(), page


def test_running_again_adds_articles_without_slug_clashes(generated):
    # Same seed, same clock: every title and day repeats, so every slug is taken.
    call_command("generate_articles", str(COUNT), "--seed", "7", verbosity=0)
    assert Article.objects.count() == 2 * COUNT
    permalinks = list(Article.objects.values_list("published_on", "slug"))
    assert len(set(permalinks)) == len(permalinks)
    assert Article.objects.filter(slug__endswith="-2").count() >= COUNT - 2


def test_it_retires_cached_pages_like_a_save_would(generated):
    before = content.current().key
    call_command("generate_articles", "1", verbosity=0)
    assert content.current().key != before


def test_the_benchmark_search_words_are_common_and_rare(generated):
    assert Article.objects.filter(body__contains=COMMON_WORD).count() >= COUNT * 0.8
    assert not any(RARE_WORD in word.lower() for word in VOCABULARY)


@pytest.mark.parametrize("count", ["-1", "0", "abc", "1.5", "", "99999999999"])
def test_a_count_that_is_not_a_positive_whole_number_is_refused(count):
    with pytest.raises(CommandError, match="argument count"):
        call_command("generate_articles", count)
    assert not Article.objects.exists()


@pytest.mark.parametrize("size", ["0", "-5", "many"])
def test_a_bad_batch_size_is_refused(size):
    with pytest.raises(CommandError, match="batch-size"):
        call_command("generate_articles", "5", "--batch-size", size)
    assert not Article.objects.exists()
