"""Roles make the account work: a Writer or Editor is a staff account, New
writer / New editor make one, and the review queue greets them on the index."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from articles.roles import EDITOR, WRITER
from tests.articles.editorial import (
    ADD_URL,
    PASSWORD,
    change_url,
    form_data,
    logged_in,
    make_editor,
    make_writer,
    new_article_data,
)
from tests.factories import make_category, make_draft, make_scheduled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

LOGIN = "/admin/login/?next=/admin/"
INDEX = "/admin/"


@pytest.fixture
def root():
    return User.objects.create_superuser("root", "root@example.com", PASSWORD)


def role(name: str) -> Group:
    return Group.objects.get(name=name)


def staff(user: User) -> bool:
    user.refresh_from_db()
    return user.is_staff


class TestStaffFollowsRoles:
    def test_adding_a_role_in_code_makes_staff(self):
        user = User.objects.create_user("nina", password=PASSWORD)
        user.groups.add(role(WRITER))
        assert user.is_staff and staff(user)

    def test_from_the_groups_side_too(self):
        one = User.objects.create_user("one")
        two = User.objects.create_user("two")
        role(EDITOR).user_set.add(one, two)
        assert staff(one) and staff(two)
        role(EDITOR).user_set.remove(one)
        assert not staff(one) and staff(two)
        role(EDITOR).user_set.clear()
        assert not staff(two)

    def test_losing_the_last_role_takes_staff_away(self):
        user = User.objects.create_user("nina")
        user.groups.add(role(WRITER), role(EDITOR))
        user.groups.remove(role(EDITOR))
        assert staff(user)
        user.groups.remove(role(WRITER))
        assert not user.is_staff and not staff(user)
        user.groups.add(role(WRITER))
        user.groups.clear()
        assert not staff(user)

    def test_superusers_and_other_groups_are_left_alone(self):
        admin = User.objects.create_superuser("boss", "b@example.com", PASSWORD)
        admin.groups.add(role(WRITER))
        admin.groups.remove(role(WRITER))
        assert staff(admin)
        other = Group.objects.create(name="Readers' panel")
        user = User.objects.create_user("plain")
        user.groups.add(other)
        assert not staff(user)
        manual = User.objects.create_user("manual", is_staff=True)
        manual.groups.add(other)
        manual.groups.remove(other)
        assert staff(manual)

    def test_through_the_admin_user_form(self, root):
        user = User.objects.create_user("nina", "nina@example.com", PASSWORD)
        client = logged_in(root)
        url = reverse("admin:auth_user_change", args=[user.pk])
        data = form_data(client.get(url))
        data["groups"] = [str(role(WRITER).pk)]
        data.pop("is_staff", None)  # the box left unticked: the role is enough
        assert client.post(url, data).status_code == 302
        assert staff(user)
        data = form_data(client.get(url))
        data["groups"] = []
        assert client.post(url, data).status_code == 302
        assert not staff(user)


def test_a_writer_made_in_the_admin_signs_in_writes_and_submits(
    root, django_capture_on_commit_callbacks
):
    """The issue's must-hold: role through the admin, sign in through the
    login page, write, submit; the editor is emailed and sees it queued."""
    editor = make_editor("eddie")
    nina = User.objects.create_user("nina", "nina@example.com", PASSWORD, first_name="Nina")
    admin_client = logged_in(root)
    url = reverse("admin:auth_user_change", args=[nina.pk])
    data = form_data(admin_client.get(url))
    data["groups"] = [str(role(WRITER).pk)]
    data.pop("is_staff", None)
    assert admin_client.post(url, data).status_code == 302

    client = Client()
    response = client.post(LOGIN, {"username": "nina", "password": PASSWORD})
    assert response.status_code == 302 and response.url == INDEX
    # Asked once how her name reads on bylines, then on to the form.
    asked = client.get(ADD_URL)
    assert asked.status_code == 302 and "byline-name" in asked.url
    assert client.post(asked.url, {"name": "Nina Okafor"}).status_code == 302
    assert client.get(ADD_URL).status_code == 200
    data = new_article_data(make_category(), title="Tram strike ends", _publishing="save")
    assert client.post(ADD_URL, data).status_code == 302
    article = Article.objects.get(title="Tram strike ends")
    assert [author.name for author in article.ordered_authors] == ["Nina Okafor"]
    with django_capture_on_commit_callbacks(execute=True):
        form = form_data(client.get(change_url(article)))
        form.update({"_publishing": "review", "publishing_note": "Quotes checked."})
        assert client.post(change_url(article), form).status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW

    [message] = mail.outbox
    assert message.to == [editor.email]
    assert "Tram strike ends" in message.subject and "Quotes checked." in message.body
    assert change_url(article) in message.body

    index = logged_in(editor).get(INDEX).content.decode()
    queue = index.split('class="module nr-queue-review"')[1].split("</div>")[0]
    assert "Tram strike ends" in queue and change_url(article) in queue


class TestReviewQueue:
    def test_an_editor_sees_review_and_the_next_48_hours(self):
        import datetime

        editor = make_editor()
        writer = make_writer()
        make_draft(title="Waiting", status=Article.Status.REVIEW, authors=[writer.author])
        make_scheduled(title="Tomorrow", delay=datetime.timedelta(hours=20))
        make_scheduled(title="Next week", delay=datetime.timedelta(days=7))
        make_draft(title="Mine", authors=[editor.author])
        make_draft(title="Someone else's draft", authors=[writer.author])
        html = logged_in(editor).get(INDEX).content.decode()
        sections = dict(re.findall(r'class="module nr-queue-(\w+)">(.*?)</div>', html, re.S))
        assert "Waiting" in sections["review"]
        assert "Tomorrow" in sections["scheduled"] and "Next week" not in sections["scheduled"]
        assert "Mine" in sections["drafts"] and "Someone else" not in sections["drafts"]

    def test_a_writer_sees_only_their_own(self):
        writer = make_writer()
        other = make_writer("otto")
        make_draft(title="My draft", authors=[writer.author])
        make_draft(title="My submission", status=Article.Status.REVIEW, authors=[writer.author])
        make_draft(title="Otto's submission", status=Article.Status.REVIEW, authors=[other.author])
        make_scheduled(title="Embargoed")
        html = logged_in(writer).get(INDEX).content.decode()
        assert "My draft" in html and "My submission" in html
        assert "Otto" not in html and "Embargoed" not in html
        assert "nr-queue-scheduled" not in html

    def test_hostile_titles_are_escaped(self):
        editor = make_editor()
        make_draft(title="<script>alert(1)</script>", status=Article.Status.REVIEW)
        html = logged_in(editor).get(INDEX).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    @pytest.mark.parametrize("who", ["editor", "writer"])
    def test_the_index_query_count_does_not_grow_with_the_queue(self, who):
        import datetime

        user = make_editor() if who == "editor" else make_writer()
        client = logged_in(user)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(INDEX).status_code == 200
            return len(queries)

        def add(n: int) -> None:
            for _ in range(n):
                make_draft(status=Article.Status.REVIEW, authors=[user.author])
                make_draft(authors=[user.author])
                make_scheduled(delay=datetime.timedelta(hours=3))

        add(1)
        few = count()
        add(30)
        assert count() == few
        # Session, user, permissions (twice: the app list and the queue's
        # checks hit the cache after the first), and the queue's sections.
        assert few == QUERIES[who]


QUERIES = {"editor": 8, "writer": 7}


class TestNewMember:
    URL = "/admin/auth/user/new-writer/"

    def test_the_user_list_offers_both(self, root):
        html = logged_in(root).get("/admin/auth/user/").content.decode()
        assert 'href="/admin/auth/user/new-writer/"' in html
        assert 'href="/admin/auth/user/new-editor/"' in html

    def test_a_new_writer_with_a_password_can_sign_in(self, root):
        response = logged_in(root).post(
            self.URL,
            {
                "username": "wendy",
                "email": "wendy@example.com",
                "display_name": "Wendy Okafor",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert response.status_code == 302
        wendy = User.objects.get(username="wendy")
        assert wendy.is_staff and not wendy.is_superuser
        assert list(wendy.groups.values_list("name", flat=True)) == [WRITER]
        assert wendy.author.name == "Wendy Okafor"
        response = Client().post(LOGIN, {"username": "wendy", "password": PASSWORD})
        assert response.status_code == 302

    def test_a_new_editor_gets_a_link_to_set_a_password(
        self, root, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = logged_in(root).post(
                "/admin/auth/user/new-editor/",
                {
                    "username": "edna",
                    "email": "edna@example.com",
                    "display_name": "Edna",
                    "send_link": "on",
                },
            )
        assert response.status_code == 302
        edna = User.objects.get(username="edna")
        assert edna.is_staff and not edna.has_usable_password()
        assert edna.has_perm("articles.publish_article")
        [message] = mail.outbox
        assert message.to == ["edna@example.com"]
        link = re.search(r"http\S+/admin/password/set/\S+", message.body)[0]
        client = Client()
        page = client.get(urlsplit(link).path)
        assert page.status_code == 302  # Django swaps the token for a session
        form = client.get(page.url)
        assert form.status_code == 200 and "new_password1" in form.content.decode()
        new = "a brand new passphrase 42"
        done = client.post(page.url, {"new_password1": new, "new_password2": new})
        assert done.status_code == 302
        assert Client().post(LOGIN, {"username": "edna", "password": new}).status_code == 302

    @pytest.mark.parametrize(
        "data",
        [
            {},
            {"username": "root", "display_name": "Dup", "password1": PASSWORD},
            {"username": "ROOT", "display_name": "Dup", "password1": PASSWORD},
            {"username": "has space", "display_name": "X", "password1": PASSWORD},
            {"username": "x" * 200, "display_name": "X", "password1": PASSWORD},
            {"username": "nul\x00", "display_name": "X", "password1": PASSWORD},
            {"username": "ok", "display_name": "   ", "password1": PASSWORD},
            {"username": "ok", "display_name": "X", "password1": PASSWORD, "password2": "other"},
            {"username": "ok", "display_name": "X", "password1": "123", "password2": "123"},
            {"username": "ok", "display_name": "X"},
            {"username": "ok", "display_name": "X", "send_link": "on"},
            {"username": "ok", "display_name": "X", "send_link": "on", "email": "not-an-email"},
            {
                "username": "ok",
                "display_name": "X",
                "send_link": "on",
                "email": "ok@example.com",
                "password1": PASSWORD,
            },
            {"username": "ok", "display_name": "X\r\nBcc: a@b.c", "email": "a@b.c\r\nBcc: x"},
        ],
    )
    def test_bad_input_is_a_form_error_and_makes_nobody(self, root, data):
        before = User.objects.count()
        data = {"password2": data.get("password1", ""), **data}
        response = logged_in(root).post(self.URL, data)
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
        assert User.objects.count() == before

    def test_only_user_admins_may_and_only_two_kinds(self, root):
        writer = make_writer()
        assert logged_in(writer).get(self.URL).status_code == 403
        assert logged_in(root).get("/admin/auth/user/new-admin/").status_code == 404
        assert Client().get(self.URL).status_code == 302  # to the login page
