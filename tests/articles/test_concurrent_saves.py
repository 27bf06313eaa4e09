"""Two people saving one article at the same moment, for real: two threads,
each with its own database connection, on a SQLite file and on PostgreSQL.
One save wins; the other is refused, so no edit is silently lost."""

import threading
from collections.abc import Callable
from contextlib import nullcontext

import pytest
from django.db import connection, connections
from reversion.models import Version

from articles.models import Article
from articles.services import StaleVersion, save_article
from tests.factories import make_draft

# Committed for real, and the tables emptied afterwards (the roles come back
# with post_migrate, as after tests/newsroom/test_health.py's). On SQLite the
# threads share a file instead (``sqlite_file``).
pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(database, *jobs: Callable[[], str]) -> list[str]:
    """Run each job in a thread of its own; what each returned, or its error."""
    outcomes: list[str] = [""] * len(jobs)

    def run(n: int) -> None:
        try:
            with database():
                outcomes[n] = jobs[n]()
        except StaleVersion:
            outcomes[n] = "refused"
        except Exception as error:  # noqa: BLE001 - the test reports it
            outcomes[n] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


class TestConcurrentSaves:
    def test_of_two_saves_from_one_loaded_version_one_is_refused_and_none_is_lost(
        self, shared_database
    ):
        article = make_draft(title="Original")
        both_loaded = threading.Barrier(2, timeout=60)

        def edit(title: str) -> Callable[[], str]:
            def job() -> str:
                copy = Article.objects.get(pk=article.pk)
                both_loaded.wait()  # both hold version 1 before either saves
                copy.title = title
                save_article(copy, comment=title)
                return "saved"

            return job

        outcomes = in_threads(shared_database, edit("Ann's"), edit("Ben's"))
        assert sorted(outcomes) == ["refused", "saved"], outcomes
        saved = ["Ann's", "Ben's"][outcomes.index("saved")]
        article.refresh_from_db()
        assert (article.title, article.version) == (saved, 2)
        kept = [v.field_dict["title"] for v in Version.objects.get_for_object(article)]
        assert kept == [saved]

    def test_a_save_waiting_on_another_is_refused_once_that_one_commits(self, shared_database):
        """The second save starts while the first holds the row (PostgreSQL's row
        lock, SQLite's write lock) and is refused when it gets it."""
        article = make_draft(title="Original")
        first_holds_the_row = threading.Event()
        second_is_waiting = threading.Event()

        def first() -> str:
            copy = Article.objects.get(pk=article.pk)
            copy.title = "First"

            def hold() -> None:
                first_holds_the_row.set()
                assert second_is_waiting.wait(timeout=60)
                wait_until_another_connection_waits()

            save_article(copy, save_related=hold)
            return "saved"

        def second() -> str:
            copy = Article.objects.get(pk=article.pk)
            copy.title = "Second"
            assert first_holds_the_row.wait(timeout=60)
            second_is_waiting.set()
            save_article(copy)
            return "saved"

        outcomes = in_threads(shared_database, first, second)
        assert outcomes == ["saved", "refused"]
        article.refresh_from_db()
        assert (article.title, article.version) == ("First", 2)


def wait_until_another_connection_waits() -> None:
    """On PostgreSQL, until another backend waits for a lock; SQLite shows no
    one waiting, so there the second thread's word that it is about to start
    its transaction is what the test has."""
    if connection.vendor != "postgresql":
        return
    import time

    deadline = time.monotonic() + 60
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second save never waited for the first")


@pytest.mark.usefixtures("plain_static")
class TestAdminSaveRace:
    def test_a_save_committed_while_the_form_was_saving_is_a_conflict_not_lost(self):
        """The form's check passed; the row moved before the form's save got it.
        Only on PostgreSQL: SQLite runs the whole admin save under its write lock."""
        from tests.articles.editorial import change_url, form_data, logged_in, make_editor

        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL; SQLite takes the write lock before the form's check")
        article = make_draft(title="Original")
        client = logged_in(make_editor())
        data = form_data(client.get(change_url(article)))
        data["title"] = "Mine"
        other = connections.create_connection("default")
        other.set_autocommit(False)
        with other.cursor() as cursor:  # someone's save, not yet committed
            cursor.execute(
                "UPDATE articles_article SET title = 'Theirs', version = version + 1 WHERE id = %s",
                [article.pk],
            )
        responses = []

        def post() -> str:
            responses.append(client.post(change_url(article), data))
            return "posted"

        poster = threading.Thread(target=lambda: in_threads(nullcontext, post))
        poster.start()
        try:
            wait_until_another_connection_waits()
        finally:
            other.commit()
            other.close()
        poster.join(timeout=120)
        [response] = responses
        assert response.status_code == 200
        assert "Not saved: someone outside the admin saved this article" in (
            response.content.decode()
        )
        article.refresh_from_db()
        assert (article.title, article.version) == ("Theirs", 2)
