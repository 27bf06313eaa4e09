import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, Byline, State, category_family
from tests.articles.conftest import NOON
from tests.factories import (
    make_article,
    make_author,
    make_category,
    make_draft,
    make_scheduled,
)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("noon")
class PublishedGateTests:
    @pytest.fixture(autouse=True)
    def _clock(self, time_machine):
        self.time_machine = time_machine

    def test_published_includes_only_published_articles_whose_time_has_come(self):
        live = make_article(published_at=NOON - datetime.timedelta(minutes=1))
        make_draft()
        make_article(status=Article.Status.REVIEW, published_at=None)
        make_scheduled()
        assert list(Article.objects.published()) == [live]

    def test_scheduled_article_is_hidden_until_its_time(self):
        article = make_scheduled(delay=datetime.timedelta(hours=2))
        assert not Article.objects.published().exists()
        assert article.is_scheduled and not article.is_published
        self.time_machine.move_to(NOON + datetime.timedelta(hours=2), tick=False)
        assert list(Article.objects.published()) == [article]
        assert article.is_published and not article.is_scheduled

    def test_state_mirrors_the_queryset_for_every_state(self):
        articles = {
            State.DRAFT: make_draft(),
            State.REVIEW: make_article(status=Article.Status.REVIEW, published_at=None),
            State.SCHEDULED: make_scheduled(),
            State.PUBLISHED: make_article(),
        }
        for state, article in articles.items():
            assert article.state == state
            assert list(Article.objects.in_state(state)) == [article]
        self.time_machine.move_to(NOON + datetime.timedelta(hours=3), tick=False)
        assert articles[State.SCHEDULED].state == State.PUBLISHED
        assert Article.objects.in_state(State.PUBLISHED).count() == 2

    def test_a_status_outside_the_choices_is_refused_by_the_database(self):
        article = make_draft()
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(status="archived")

    def test_draft_with_a_past_date_stays_hidden(self):
        make_draft(published_at=NOON - datetime.timedelta(days=1))
        assert not Article.objects.published().exists()


@pytest.mark.usefixtures("noon")
class ArticleSaveTests:
    def test_body_is_sanitized_on_save(self):
        article = make_article(body='<p onclick="x()">Hi<script>bad()</script></p>')
        article.refresh_from_db()
        assert article.body == "<p>Hi</p>"

    def test_body_is_sanitized_when_saving_only_some_fields(self):
        article = make_article()
        article.body = "<p>ok</p><script>bad()</script>"
        article.save(update_fields=["body"])
        article.refresh_from_db()
        assert article.body == "<p>ok</p>"

    def test_slug_comes_from_the_title_and_allows_unicode(self):
        article = make_article(title="Björk plays Reykjavík", slug="")
        assert article.slug == "björk-plays-reykjavík"
        assert article.get_absolute_url() == "/2024/03/10/bj%C3%B6rk-plays-reykjav%C3%ADk/"

    def test_publishing_without_a_date_publishes_now_to_the_second(self):
        article = make_article(published_at=None)
        assert article.published_at == NOON
        moment = NOON + datetime.timedelta(microseconds=123456)
        article.published_at = moment
        article.save()
        assert article.published_at == NOON

    def test_permalink_date_follows_the_site_time_zone(self, settings):
        settings.TIME_ZONE = "America/New_York"
        with timezone.override("America/New_York"):
            article = make_article(
                published_at=datetime.datetime(2024, 3, 10, 2, tzinfo=datetime.UTC)
            )
        assert article.published_on == datetime.date(2024, 3, 9)

    def test_draft_permalink_uses_its_creation_date(self):
        assert make_draft().get_absolute_url().startswith("/2024/03/10/")

    def test_slug_is_unique_per_day_in_the_database(self):
        category = make_category()
        make_article(slug="same", category=category)
        with pytest.raises(IntegrityError), transaction.atomic():
            make_article(slug="same", category=category)

    def test_same_slug_on_another_day_is_allowed(self):
        make_article(slug="same")
        other = make_article(slug="same", published_at=NOON - datetime.timedelta(days=3))
        assert other.pk

    def test_source_ids_are_unique_per_source(self):
        make_article(source="wordpress", source_id="42")
        make_article(source="other", source_id="42")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_article(source="wordpress", source_id="42")

    def test_a_published_row_without_a_date_is_refused_by_the_database(self):
        article = make_article()
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(published_at=None)

    def test_summary_falls_back_to_the_body(self):
        article = make_article(summary="", body="<p>First sentence. Second one.</p>")
        assert article.get_summary() == "First sentence. Second one."
        article.summary = "Hand written."
        assert article.get_summary() == "Hand written."

    def test_meta_fields_prefer_the_seo_overrides(self):
        article = make_article(title="T", dek="D", seo_title="S", seo_description="SD")
        assert (article.meta_title, article.meta_description) == ("S", "SD")
        article.seo_title = article.seo_description = ""
        assert (article.meta_title, article.meta_description) == ("T", "D")


class BylineTests:
    def test_authors_keep_their_byline_order(self):
        first, second = make_author(name="Zed"), make_author(name="Abe")
        article = make_article(authors=[first, second])
        assert article.ordered_authors == [first, second]

    def test_an_author_appears_once_per_article(self):
        author = make_author()
        article = make_article(authors=[author])
        with pytest.raises(IntegrityError), transaction.atomic():
            Byline.objects.create(article=article, author=author, position=5)


class CategoryTests:
    def test_family_lists_ancestors_root_first_and_all_descendants(self):
        root = make_category(name="Root")
        child = make_category(name="Child", parent=root)
        grandchild = make_category(name="Grandchild", parent=child)
        make_category(name="Elsewhere")
        ancestors, descendants = category_family(child)
        assert ancestors == [root]
        assert descendants == [grandchild]
        assert category_family(grandchild)[0] == [root, child]
        assert set(category_family(root)[1]) == {child, grandchild}

    def test_family_survives_a_cycle(self):
        a = make_category()
        b = make_category(parent=a)
        a.parent = b
        a.save()
        # Bad data must not hang a page: each category is visited once.
        ancestors, descendants = category_family(a)
        assert ancestors == [b]
        assert descendants == []

    def test_a_category_cannot_be_its_own_parent(self):
        category = make_category()
        category.parent_id = category.pk
        with pytest.raises(IntegrityError), transaction.atomic():
            category.save()


def test_every_public_model_has_an_absolute_url(db):
    article = make_article(authors=[make_author(slug="ana")], category=make_category(slug="news"))
    assert article.category.get_absolute_url() == "/category/news/"
    assert article.ordered_authors[0].get_absolute_url() == "/author/ana/"


def test_bidi_and_control_characters_never_reach_plain_text_fields(db):
    from articles import services
    from articles.models import PLAIN_TEXT_FIELDS
    from embeds.models import Embed

    sneaky = "Evil\u202e\u2066txt.exe\u2069\x07"
    category = make_category(name=sneaky, description=sneaky)
    author = make_author(name=sneaky, bio=sneaky)
    article = make_article(category=category, **dict.fromkeys(PLAIN_TEXT_FIELDS, sneaky))
    services.save_article(article, tags=[sneaky])
    embed = Embed.objects.create(
        url="https://www.instagram.com/p/Bidi123/", author_name=sneaky, title=sneaky, caption=sneaky
    )
    for row in (category, author, article, embed):
        row.refresh_from_db()
    values = [getattr(article, name) for name in PLAIN_TEXT_FIELDS]
    values += [category.name, category.description, author.name, author.bio]
    values += [embed.author_name, embed.title, embed.caption, article.tags.get().name]
    assert set(values) == {"Eviltxt.exe"}
