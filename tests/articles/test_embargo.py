"""Embargoes: never after the publish time, a banner and noindex on partner
previews, and no publishing ahead of one without saying so."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles import preview, services
from articles.models import Article
from tests.articles.editorial import (
    CHANGELIST_URL,
    change_url,
    form_data,
    logged_in,
    make_editor,
    make_writer,
)
from tests.factories import make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def editor():
    return make_editor()


def preview_path(article: Article) -> str:
    return reverse("articles:preview", kwargs={"token": preview.preview_token(article)})


def split(moment: datetime.datetime) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {"_0": local.date().isoformat(), "_1": local.time().replace(microsecond=0).isoformat()}


def dated(name: str, moment: datetime.datetime) -> dict[str, str]:
    return {f"{name}{suffix}": value for suffix, value in split(moment).items()}


class TestModel:
    def test_the_database_refuses_an_embargo_after_the_publish_time(self, noon):
        article = make_draft(published_at=noon + HOUR)
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(embargo_until=noon + 2 * HOUR)

    def test_an_embargo_equal_to_the_publish_time_is_fine(self, noon):
        article = make_draft(published_at=noon + HOUR, embargo_until=noon + HOUR)
        assert article.embargo_until == article.published_at

    def test_model_validation_says_it_plainly_never_naming_the_constraint(self, noon):
        from django.core.exceptions import ValidationError

        article = make_draft(published_at=noon + HOUR)
        article.embargo_until = noon + 2 * HOUR
        with pytest.raises(ValidationError) as caught:
            article.full_clean()
        messages = " ".join(caught.value.messages)
        assert "The embargo must end no later than the publish time." in messages
        assert "article_embargo" not in messages and "onstraint" not in messages


class TestServices:
    def test_publishing_before_the_embargo_is_refused_and_nothing_changes(self, noon, editor):
        article = make_draft(embargo_until=noon + HOUR)
        with pytest.raises(services.EmbargoBreach) as caught:
            services.publish_now(article, editor)
        assert "embargoed until March 10th, 2024, 13:00 UTC" in str(caught.value)
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT
        assert article.embargo_until == noon + HOUR

    def test_scheduling_before_the_embargo_through_save_article_is_refused(self, noon, editor):
        article = make_draft(embargo_until=noon + 2 * HOUR)
        article.status, article.published_at = Article.Status.PUBLISHED, noon + HOUR
        with pytest.raises(services.EmbargoBreach):
            services.save_article(article, user=editor)
        assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT

    def test_confirmed_publishing_lifts_the_embargo_and_says_so_in_history(self, noon, editor):
        from reversion.models import Version

        article = make_draft(embargo_until=noon + HOUR)
        article = services.publish_ahead_of_embargo(article, editor)
        assert article.is_published and article.embargo_until is None
        comment = Version.objects.get_for_object(article).first().revision.comment
        assert comment.startswith("Published ahead of the embargo")

    def test_after_the_embargo_publishing_needs_no_confirmation(self, noon, editor, time_machine):
        article = make_draft(embargo_until=noon + HOUR)
        time_machine.move_to(noon + 2 * HOUR, tick=False)
        article = services.publish_now(article, editor)
        assert article.is_published and article.embargo_until == noon + HOUR

    def test_scheduling_at_the_embargo_is_fine(self, noon, editor):
        article = make_draft(embargo_until=noon + HOUR)
        article.status, article.published_at = Article.Status.PUBLISHED, noon + HOUR
        services.save_article(article, user=editor)
        assert article.is_scheduled


class TestPreview:
    def test_partner_preview_shows_the_banner_with_its_zone_and_is_noindex(self, client, noon):
        article = make_draft(embargo_until=noon + 3 * HOUR, title="Embargoed scoop")
        response = client.get(preview_path(article))
        text = response.content.decode()
        assert response.status_code == 200
        assert "EMBARGOED UNTIL" in text
        assert (
            '<time datetime="2024-03-10T15:00:00+00:00">March 10th, 2024, 15:00 UTC</time>' in text
        )
        assert "noindex" in response["X-Robots-Tag"]
        assert '<meta name="robots" content="noindex, nofollow">' in text

    def test_no_banner_without_an_embargo_or_once_it_passed(self, client, noon, time_machine):
        plain = make_draft()
        over = make_draft(embargo_until=noon + HOUR)
        time_machine.move_to(noon + 2 * HOUR, tick=False)
        for article in (plain, over):
            text = client.get(preview_path(article)).content
            assert b"EMBARGOED UNTIL" not in text


class TestAdmin:
    def test_the_change_form_warns_while_the_embargo_holds(self, noon, editor, time_machine):
        client = logged_in(editor)
        article = make_draft(embargo_until=noon + HOUR)
        text = client.get(change_url(article)).content.decode()
        assert "Embargoed until March 10th, 2024, 13:00 UTC." in text
        time_machine.move_to(noon + 2 * HOUR, tick=False)
        assert "nr-embargo-warning" not in client.get(change_url(article)).content.decode()

    def test_scheduling_ahead_of_the_embargo_is_a_form_error_naming_the_checkbox(
        self, noon, editor
    ):
        client = logged_in(editor)
        article = make_draft(embargo_until=noon + 2 * HOUR)
        data = form_data(client.get(change_url(article)))
        data.update({"status": "published", **dated("published_at", noon + HOUR)})
        response = client.post(change_url(article), data)
        assert response.status_code == 200
        text = response.content.decode()
        assert "before its embargo ends" in text
        assert "Publish ahead of the embargo" in text
        assert "onstraint" not in text
        assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT

    def test_with_the_checkbox_it_publishes_and_lifts_the_embargo(self, noon, editor):
        client = logged_in(editor)
        article = make_draft(embargo_until=noon + 2 * HOUR)
        data = form_data(client.get(change_url(article)))
        data.update({"status": "published", "break_embargo": "on", **dated("published_at", noon)})
        assert client.post(change_url(article), data).status_code == 302
        article.refresh_from_db()
        assert article.is_published and article.embargo_until is None

    def test_an_embargo_after_the_planned_time_is_an_error_on_the_field(self, noon, editor):
        client = logged_in(editor)
        article = make_draft(published_at=noon + HOUR)
        data = form_data(client.get(change_url(article)))
        data.update(dated("embargo_until", noon + 5 * HOUR))
        response = client.post(change_url(article), data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert errors["embargo_until"] == ["The embargo must end no later than the publish time."]
        assert Article.objects.get(pk=article.pk).embargo_until is None

    @pytest.mark.parametrize(
        "sent",
        [
            {"embargo_until_0": "2024-13-45", "embargo_until_1": "25:61"},
            {"embargo_until_0": "<script>", "embargo_until_1": "'; DROP TABLE x;--"},
            {"embargo_until_0": "9" * 40, "embargo_until_1": "12:00"},
            {"embargo_until_0": "0000-01-01", "embargo_until_1": "00:00"},
            {"embargo_until_0": "\x00", "embargo_until_1": "\x00"},
            {"embargo_until_0": "2024-03-10"},
        ],
    )
    def test_malformed_embargo_input_is_a_clear_error_and_writes_nothing(self, noon, editor, sent):
        client = logged_in(editor)
        article = make_draft()
        version = article.version
        data = form_data(client.get(change_url(article)))
        data.update(sent)
        response = client.post(change_url(article), data)
        assert response.status_code == 200
        assert "embargo_until" in response.context["adminform"].form.errors
        article.refresh_from_db()
        assert (article.version, article.embargo_until) == (version, None)

    def test_a_writer_cannot_set_an_embargo_whatever_they_post(self, noon):
        writer = make_writer()
        client = logged_in(writer)
        article = make_draft(authors=[writer.author])
        data = form_data(client.get(change_url(article)))
        assert "embargo_until_0" not in data
        data.update(dated("embargo_until", noon + HOUR))
        client.post(change_url(article), data)
        assert Article.objects.get(pk=article.pk).embargo_until is None

    def test_the_publish_action_refuses_and_the_confirmed_action_publishes(self, noon, editor):
        client = logged_in(editor)
        article = make_draft(embargo_until=noon + HOUR, title="Held story")
        post = {"_selected_action": [str(article.pk)], "index": "0"}
        response = client.post(CHANGELIST_URL, {**post, "action": "publish_now"}, follow=True)
        assert "is embargoed until" in response.content.decode()
        assert not Article.objects.get(pk=article.pk).is_published
        client.post(CHANGELIST_URL, {**post, "action": "publish_ahead_of_embargo"})
        assert Article.objects.get(pk=article.pk).is_published
