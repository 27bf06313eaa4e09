"""newsroom/cache.py: one content generation, its schedule, and where it lives."""

import datetime
import logging
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils.http import http_date

from newsroom import cache as content
from tests.factories import make_article, make_draft

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2024, 3, 10, 12, 0, tzinfo=datetime.UTC)
T = NOON.timestamp()


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOON, tick=False)
    return time_machine


def at(**delta) -> float:
    return (NOON + datetime.timedelta(**delta)).timestamp()


class GenerationTests:
    def test_saving_content_starts_a_new_generation(self, clock):
        before = content.current().key
        make_article()
        assert content.current().key != before

    def test_a_change_bumps_again_once_its_transaction_commits(
        self, clock, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            content.changed()
            during = content.current().key
        assert content.current().key != during

    def test_a_batch_of_changes_bumps_once_when_it_ends(
        self, clock, monkeypatch, django_capture_on_commit_callbacks
    ):
        bumps = []
        real_bump = content.bump
        monkeypatch.setattr(content, "bump", lambda: bumps.append(1) or real_bump())
        with django_capture_on_commit_callbacks(execute=True) as callbacks, content.batched():
            for _ in range(50):
                make_article()
            assert bumps == []
        assert len(bumps) == 2  # at the end and, again, when the transaction commits
        assert len(callbacks) == 1

    def test_a_batch_without_changes_does_not_bump(self, clock):
        before = content.current().key
        with content.batched():
            pass
        assert content.current().key == before

    def test_every_bump_starts_later_than_the_last_even_on_a_standing_clock(self, clock):
        starts = []
        for _ in range(3):
            content.bump()
            starts.append(content.current().since)
        assert starts == sorted(set(starts))

    def test_fragment_keys_follow_the_generation(self, clock):
        key = content.content_key("nav")
        assert key == content.content_key("nav")
        content.bump()
        assert content.content_key("nav") != key

    def test_a_request_keeps_one_generation_throughout(self, clock):
        value, shared = content.token()
        with content.pinned(value, shared):
            content.bump()
            assert content.current().key == value
        assert content.current().key != value


class ScheduleTests:
    def test_the_next_scheduled_article_ends_the_generation(self, clock):
        make_article(published_at=NOON + datetime.timedelta(minutes=10))
        make_draft(published_at=NOON + datetime.timedelta(minutes=5))
        generation = content.current()
        assert generation.expires == at(minutes=10)
        assert generation.seconds_left(T) == 600

    def test_passing_a_publish_time_moves_to_a_new_key_without_a_write(self, clock):
        make_article(published_at=NOON + datetime.timedelta(minutes=10))
        make_article(published_at=NOON + datetime.timedelta(minutes=20))
        before = content.current()
        after = content.current(at(minutes=10))
        assert after.key == f"{before.key}.1"
        assert after.since == at(minutes=10)
        assert after.expires == at(minutes=20)
        assert content.current(at(minutes=30)).expires is None

    def test_the_schedule_is_read_once_per_generation_and_shared(
        self, clock, django_assert_num_queries
    ):
        make_article(published_at=NOON + datetime.timedelta(minutes=10))
        with django_assert_num_queries(1):
            content.current()
        with django_assert_num_queries(0):
            content.current()
        content.reset_process_state()  # another process: it finds it in the cache
        with django_assert_num_queries(0):
            content.current()

    def test_a_process_that_reads_the_schedule_late_agrees_with_the_others(self, clock):
        make_article(published_at=NOON + datetime.timedelta(minutes=10))
        early = content.current(at(minutes=15))
        content.reset_process_state()
        cache.delete(content.SCHEDULE_KEY.format(token=content.token()[0]))
        late = content.current(at(minutes=15))
        assert late == early

    def test_more_live_articles_than_the_schedule_holds_start_a_new_generation(
        self, clock, monkeypatch
    ):
        monkeypatch.setattr(content, "SCHEDULE_SIZE", 2)
        for minutes in (1, 2, 3):
            make_article(published_at=NOON + datetime.timedelta(minutes=minutes))
        first = content.current(at(minutes=1, seconds=30))
        assert first.expires == at(minutes=2)
        clock.move_to(NOON + datetime.timedelta(minutes=2, seconds=30), tick=False)
        passing = content.current()
        assert not passing.shared  # nothing is stored under it
        fresh = content.current()
        assert fresh.shared
        assert fresh.expires == at(minutes=3)
        assert fresh.key.split(".")[0] != first.key.split(".")[0]


class LastModifiedTests:
    def test_last_modified_names_the_second_after_the_content_began(self):
        assert content.last_modified(since=T + 0.25, now=T + 60) == T + 1

    def test_last_modified_is_never_later_than_now(self):
        assert content.last_modified(since=T + 0.25, now=T + 0.5) == T

    def test_only_a_date_after_the_content_began_proves_a_copy_current(self):
        assert content.modified_since(since=T + 0.25, moment=int(T))
        assert not content.modified_since(since=T + 0.25, moment=int(T) + 1)

    def test_an_http_date_round_trips_to_the_same_decision(self):
        header = http_date(content.last_modified(since=T + 0.9, now=T + 5))
        assert header == "Sun, 10 Mar 2024 12:00:01 GMT"


class FileStoreTests:
    @pytest.fixture
    def generation_file(self, settings, tmp_path) -> Path:
        settings.CONTENT_GENERATION_FILE = str(tmp_path / "db.sqlite3.generation")
        return Path(settings.CONTENT_GENERATION_FILE)

    def test_the_generation_lives_in_the_file(self, clock, generation_file):
        value, shared = content.token()
        assert shared
        assert generation_file.read_text() == value
        content.bump()
        assert generation_file.read_text() != value

    def test_a_bump_by_another_process_is_seen_on_the_next_request(self, clock, generation_file):
        value, _ = content.token()
        generation_file.write_text("0123456789abcdef-1710072000.000000")
        assert content.token() == ("0123456789abcdef-1710072000.000000", True)
        assert content.token()[0] != value

    def test_an_unwritable_file_is_logged_and_pages_go_uncached(
        self, clock, settings, tmp_path, caplog
    ):
        settings.CONTENT_GENERATION_FILE = str(tmp_path / "missing-folder" / "generation")
        with caplog.at_level(logging.WARNING, logger="newsroom.cache"):
            content.bump()
            value, shared = content.token()
        assert not shared
        assert "could not write the content generation" in caplog.text


class UnavailableCacheTests:
    @pytest.fixture
    def dead_cache(self, settings):
        # Reads answer nothing and writes vanish, as django-redis does with
        # IGNORE_EXCEPTIONS while Redis is down.
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    def test_a_cache_that_keeps_nothing_gives_an_unshared_generation_and_one_log_line(
        self, clock, dead_cache, caplog
    ):
        with caplog.at_level(logging.WARNING, logger="newsroom.cache"):
            first = content.token()
            second = content.token()
        assert first == second
        assert first[1] is False
        assert caplog.text.count("the cache does not answer") == 1

    def test_once_the_cache_answers_again_the_generation_is_bumped(
        self, clock, dead_cache, settings
    ):
        content.token()
        # The cache comes back with the generation it had: saves made meanwhile
        # could not bump it.
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        before = "0123456789abcdef-1710072000.000000"
        cache.set(content.GENERATION_KEY, before, None)
        assert content.token() == (content.token()[0], False)  # not asked again yet
        clock.move_to(NOON + datetime.timedelta(seconds=content.RETRY_SECONDS), tick=False)
        value, shared = content.token()
        assert shared
        assert value != before
