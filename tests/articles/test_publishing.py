"""The change form's publishing buttons, the times they take, the emails they
send, and the time zone beside every time in the article admin."""

import datetime
import email
import itertools

import pytest
from django.core import mail
from django.utils import timezone

from articles import notifications, services
from articles.models import Article
from tests.articles.editorial import (
    ADD_URL,
    CHANGELIST_URL,
    change_url,
    form_data,
    logged_in,
    make_editor,
    make_writer,
    new_article_data,
)
from tests.factories import make_article, make_category, make_draft, make_scheduled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]


def press(client, article, button: str, **changes):
    """Load the change form, as a browser would, and press ``button``."""
    data = form_data(client.get(change_url(article)))
    data.update({"_publishing": button, **changes})
    return client.post(change_url(article), data)


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def people():
    writer = make_writer("wanda")
    editor = make_editor("eddie")
    return writer, editor


class TestButtons:
    def test_a_writer_gets_save_draft_and_submit_only(self, people):
        writer, _editor = people
        article = make_draft(authors=[writer.author])
        html = text_of(logged_in(writer).get(change_url(article)))
        assert 'value="save"' in html and "Save draft" in html
        assert 'value="review"' in html
        for button in ("publish", "schedule", "unpublish", "return"):
            assert f'name="_publishing" value="{button}"' not in html
        assert 'name="status"' in html and 'type="hidden"' in html
        assert "<select" not in html.split('name="status"')[0][-200:]

    def test_an_editor_on_an_article_in_review(self, people):
        writer, editor = people
        article = make_draft(authors=[writer.author], status=Article.Status.REVIEW)
        html = text_of(logged_in(editor).get(change_url(article)))
        for button in ("save", "publish", "schedule", "return"):
            assert f'name="_publishing" value="{button}"' in html, button
        assert 'value="unpublish"' not in html
        assert "Schedule…" in html and 'type="datetime-local"' in html
        assert "UTC" in html  # the zone beside the time field

    def test_unpublish_only_on_live_or_scheduled(self, people):
        _writer, editor = people
        client = logged_in(editor)
        for article in (make_article(), make_scheduled()):
            assert 'value="unpublish"' in text_of(client.get(change_url(article)))
        assert 'value="unpublish"' not in text_of(client.get(change_url(make_draft())))

    def test_writer_saves_a_draft_then_submits(self, people, django_capture_on_commit_callbacks):
        writer, editor = people
        client = logged_in(writer)
        data = new_article_data(make_category(), _publishing="save")
        response = client.post(ADD_URL, data)
        article = Article.objects.get(title="A new article")
        assert response.status_code == 302 and response.url == change_url(article)
        assert article.status == Article.Status.DRAFT
        with django_capture_on_commit_callbacks(execute=True):
            response = press(client, article, "review", publishing_note="Ready for a look.")
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.status == Article.Status.REVIEW
        [message] = mail.outbox
        assert message.to == [editor.email]
        assert "Ready for a look." in message.body
        assert change_url(article) in message.body

    def test_editor_publishes_now_and_the_writer_hears(
        self, people, django_capture_on_commit_callbacks
    ):
        writer, editor = people
        article = make_draft(authors=[writer.author], status=Article.Status.REVIEW)
        before = timezone.now().replace(microsecond=0)
        with django_capture_on_commit_callbacks(execute=True):
            response = press(logged_in(editor), article, "publish", publishing_note="Lovely.")
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.is_published and article.published_at >= before
        [message] = mail.outbox
        assert message.to == [writer.email] and "Lovely." in message.body

    def test_editor_schedules_in_the_sites_zone(self, people, settings):
        settings.TIME_ZONE = "Europe/Paris"
        _writer, editor = people
        article = make_draft()
        at = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
        local = at.strftime("%Y-%m-%dT%H:%M")
        response = press(logged_in(editor), article, "schedule", publish_at=local)
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.is_scheduled
        assert timezone.localtime(article.published_at).strftime("%Y-%m-%dT%H:%M") == local
        page = text_of(logged_in(editor).get(change_url(article)))
        assert "Europe/Paris" in page

    def test_return_for_changes_with_a_note(self, people, django_capture_on_commit_callbacks):
        writer, editor = people
        article = make_draft(authors=[writer.author], status=Article.Status.REVIEW)
        with django_capture_on_commit_callbacks(execute=True):
            press(logged_in(editor), article, "return", publishing_note="Check the quote.")
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT
        [message] = mail.outbox
        assert message.to == [writer.email]
        assert "Check the quote." in message.body and "Returned" in message.subject

    def test_unpublish_takes_it_off(self, people):
        _writer, editor = people
        article = make_article()
        press(logged_in(editor), article, "unpublish")
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT

    @pytest.mark.parametrize("button", ["publish", "schedule", "unpublish", "return"])
    def test_writers_cannot_press_editor_buttons(self, people, button):
        writer, _editor = people
        article = make_draft(authors=[writer.author], status=Article.Status.REVIEW)
        response = press(logged_in(writer), article, button, publish_at="2999-01-01T10:00")
        assert response.status_code == 200
        assert "does not apply here" in text_of(response)
        article.refresh_from_db()
        assert article.status == Article.Status.REVIEW

    def test_a_refused_button_saves_nothing(self, people):
        _writer, editor = people
        article = make_article(title="Live")
        response = press(logged_in(editor), article, "publish", title="Changed")
        assert response.status_code == 200
        article.refresh_from_db()
        assert article.title == "Live"


# Every button and every kind of bad time: success or a clear form error,
# never a database constraint message, never a 500.
BAD_TIMES = {
    "empty": {"publish_at": "", "published_at_0": "", "published_at_1": ""},
    "garbage": {"publish_at": "next tuesday", "published_at_0": "soon", "published_at_1": "ish"},
    "far past": {
        "publish_at": "0001-01-01T00:00",
        "published_at_0": "0001-01-01",
        "published_at_1": "00:00",
    },
    "far future": {
        "publish_at": "9999-12-31T23:59",
        "published_at_0": "9999-12-31",
        "published_at_1": "23:59",
    },
    "nul": {"publish_at": "2030-01-01T10:00\x00", "published_at_0": "2030\x00-01-01"},
    "overflow": {
        "publish_at": "99999-01-01T00:00",
        "published_at_0": "99999-01-01",
        "published_at_1": "00:00",
    },
    "huge": {"publish_at": "9" * 5000, "published_at_0": "1" * 5000},
}
BUTTONS = ["save", "review", "publish", "schedule", "unpublish", "return", "bogus"]
STATUSES = ["draft", "review", "published", "nonsense"]
# A button decides the status, whatever is posted: each is tried with the
# riskiest one; a form posted without a button, with each status.
CASES = [
    *itertools.product(BUTTONS, ["published"], BAD_TIMES),
    *itertools.product([None], STATUSES, BAD_TIMES),
]


class TestNoConstraintMessages:
    @pytest.mark.parametrize(
        "button,status,times",
        CASES,
        ids=lambda v: v if isinstance(v, str) else str(v),
    )
    def test_every_button_status_and_time(self, people, settings, button, status, times):
        settings.TIME_ZONE = "Pacific/Kiritimati"  # far from UTC: overflow shows up
        _writer, editor = people
        client = logged_in(editor)
        article = make_draft(title="Before")
        data = form_data(client.get(change_url(article)))
        data.update({"status": status, "title": "After", **BAD_TIMES[times]})
        if button:
            data["_publishing"] = button
        response = client.post(change_url(article), data)
        assert response.status_code in (200, 302), response.status_code
        html = text_of(response)
        assert "Constraint" not in html and "violated" not in html
        article.refresh_from_db()
        if response.status_code == 200:
            assert response.context["errors"] or "errornote" in html
            assert article.title == "Before"  # nothing half-written
        if status == "published" and button is None and times == "empty":
            assert response.status_code == 302
            assert article.is_published  # "published" with no time means now

    def test_published_with_no_time_on_a_new_article_publishes_now(self, people):
        _writer, editor = people
        data = new_article_data(make_category(), status="published", published_at_0="")
        data["published_at_1"] = ""
        response = logged_in(editor).post(ADD_URL, data)
        assert response.status_code == 302
        assert Article.objects.get(title="A new article").is_published


class TestNotifications:
    def test_nothing_is_sent_when_the_transaction_rolls_back(self, people):
        writer, _editor = people
        article = make_draft(authors=[writer.author])
        from django.db import transaction

        with pytest.raises(RuntimeError), transaction.atomic():
            services.submit_for_review(article, writer)
            raise RuntimeError
        assert mail.outbox == []

    @pytest.mark.parametrize(
        "title",
        [
            "Evil\r\nBcc: victim@example.com",
            "<script>alert(1)</script> & <b>bold</b>",
            "Line\nbreak\u2028and\x85more",
            "x" * 300,
        ],
    )
    def test_hostile_titles_stay_on_one_header_line(self, people, title):
        writer, editor = people
        article = make_draft(authors=[writer.author], title=title[:200])
        assert notifications.submitted(article, writer, "note\r\nBcc: x@example.com") == 1
        [message] = mail.outbox
        assert "\n" not in message.subject and "\r" not in message.subject
        parsed = email.message_from_bytes(message.message().as_bytes())
        assert parsed.get_all("Bcc") is None and len(parsed.get_all("Subject")) == 1
        assert message.to == [editor.email] and message.bcc == []
        assert message.content_subtype == "plain"

    def test_a_failing_mail_server_does_not_undo_the_change(self, people, settings, caplog):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
        settings.EMAIL_TIMEOUT = 2
        writer, _editor = people
        article = make_draft(authors=[writer.author])
        notifications._safely(notifications.submitted, article, writer, "")
        assert "could not send" in caplog.text

    def test_inactive_and_addressless_editors_get_nothing(self, people):
        writer, editor = people
        quiet = make_editor("quiet")
        quiet.email = ""
        quiet.save()
        gone = make_editor("gone")
        gone.is_active = False
        gone.save()
        article = make_draft(authors=[writer.author])
        notifications.submitted(article, writer, "")
        assert [m.to for m in mail.outbox] == [[editor.email]]


class TestTimesWithTheirZone:
    def test_changelist_columns_name_the_zone(self, people, settings):
        settings.TIME_ZONE = "Europe/Paris"
        _writer, editor = people
        make_article()
        html = text_of(logged_in(editor).get(CHANGELIST_URL))
        assert "Publish time (Europe/Paris" in html
        assert "Updated (Europe/Paris" in html
        assert 'class="nr-time"' in html

    def test_schedule_rejects_past_and_far_future_times(self, people):
        _writer, editor = people
        article = make_draft()
        with pytest.raises(services.TransitionRefused):
            services.schedule(article, editor, timezone.now() - datetime.timedelta(minutes=1))
        with pytest.raises(services.TransitionRefused):
            services.schedule(article, editor, timezone.now() + datetime.timedelta(days=3650))
