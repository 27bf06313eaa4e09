"""newsroom/middleware.py: whole pages for anonymous readers, and the headers around them."""

import datetime
import gzip
from urllib.parse import urlsplit

import brotli
import pytest
from django.contrib.auth.models import Permission, User
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import path
from django.utils.http import http_date

from articles.models import Article, Byline, Category, Redirect
from articles.preview import preview_url
from articles.services import save_article
from embeds.models import Embed
from newsroom.urls import urlpatterns as site_urlpatterns
from tests.factories import make_article, make_author, make_category, make_draft

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2024, 3, 10, 12, 0, tzinfo=datetime.UTC)
INSTAGRAM = "https://www.instagram.com/p/CdKJx1xLk2A/"


def sets_a_cookie(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("<p>" + "hello " * 100 + "</p>")
    response.set_cookie("seen", "1")
    return response


def uses_a_csrf_token(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"<form><input value='{get_token(request)}'></form>" + " " * 300)


def counts(request: HttpRequest) -> HttpResponse:
    counts.calls += 1
    return HttpResponse("<p>" + "counted " * 100 + "</p>")


counts.calls = 0

# The URLconf of the tests that need views of their own: the site plus these.
urlpatterns = [
    path("test-cache/cookie/", sets_a_cookie),
    path("test-cache/csrf/", uses_a_csrf_token),
    path("test-cache/counted/", counts),
    *site_urlpatterns,
]


@pytest.fixture
def clock(time_machine):
    """The clock stands still at NOON; ``clock.move_to(...)`` moves it."""
    time_machine.move_to(NOON, tick=False)
    return time_machine


@pytest.fixture
def news(clock) -> Category:
    return make_category(name="News", slug="news")


@pytest.fixture
def story(news) -> Article:
    return make_article(
        title="Published story",
        category=news,
        tags=["music"],
        authors=[make_author(name="Ada Writer", slug="ada")],
        body=f"<p>Intro.</p><p>{INSTAGRAM}</p>",
    )


@pytest.fixture
def editor(db) -> Client:
    user = User.objects.create_user("editor", password="pw-for-tests", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_article", "publish_article"])
    )
    client = Client()
    client.force_login(user)
    return client


PUBLIC_URLS = [
    "/",
    "ARTICLE",
    "/category/news/",
    "/tag/music/",
    "/author/ada/",
    "/2024/03/10/",
    "/search/?q=story",
    "/feed/",
    "/feed/atom/",
    "/category/news/feed/",
    "/category/news/feed/atom/",
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/news-sitemap.xml",
    "/robots.txt",
]


def url_of(name: str, article: Article) -> str:
    return article.get_absolute_url() if name == "ARTICLE" else name


class HitTests:
    @pytest.mark.parametrize("name", PUBLIC_URLS)
    def test_a_second_request_is_answered_from_the_cache_without_a_query(
        self, client, story, name, django_assert_num_queries
    ):
        url = url_of(name, story)
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.status_code == 200
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]
        assert second["ETag"] == first["ETag"]

    def test_a_hit_keeps_the_headers_of_the_page(self, client, story):
        first = client.get(story.get_absolute_url())
        second = client.get(story.get_absolute_url())
        for header in ("Content-Security-Policy", "X-Frame-Options", "Vary", "Content-Length"):
            assert second[header] == first[header]

    def test_head_is_answered_from_the_page_get_stored(
        self, client, story, django_assert_num_queries
    ):
        client.get("/")
        with django_assert_num_queries(0):
            response = client.head("/")
        assert response.status_code == 200
        assert response.content == b""

    def test_the_query_string_is_part_of_the_key(self, client, news):
        for n in range(20):
            make_article(
                title=f"Story {n:02d}",
                category=news,
                published_at=NOON - datetime.timedelta(hours=20 - n),
            )
        first_page = client.get("/").content.decode()
        second_page = client.get("/?page=2").content.decode()
        assert "Story 19" in first_page
        assert "Story 19" not in second_page
        assert "Story 00" in second_page

    @pytest.mark.parametrize(
        "query", ["?%ff%fe=%00%c0%af", "?<script>=1", "?q=" + "x" * 8000, "?%", "?page=%e2%82%ac"]
    )
    def test_hostile_query_strings_are_keys_like_any_other(self, client, story, query):
        first = client.get("/" + query)
        assert first.status_code in (200, 404)
        second = client.get("/" + query)
        assert second.status_code == first.status_code
        assert second.content == first.content

    def test_a_forged_host_is_refused_before_the_cache_is_asked(self, client, story):
        client.get("/")
        assert client.get("/", headers={"host": "evil.example"}).status_code == 400

    def test_without_the_page_cache_every_request_builds_the_page(
        self, client, story, page_cache_off
    ):
        client.get("/")
        second = client.get("/")
        assert second.context is not None  # rendered, not replayed
        assert second["ETag"].startswith('W/"')
        assert second["Cache-Control"].startswith("public, ")


class SchedulingTests:
    @pytest.mark.parametrize(
        "url", ["/", "/category/news/", "/feed/", "/category/news/feed/", "/sitemap-articles.xml"]
    )
    def test_a_scheduled_article_appears_on_a_cached_page_at_its_time(
        self, client, clock, story, news, url
    ):
        make_article(
            title="Scheduled scoop",
            slug="scheduled-scoop",
            category=news,
            published_at=NOON + datetime.timedelta(hours=2),
        )
        assert b"scheduled-scoop" not in client.get(url).content
        clock.move_to(NOON + datetime.timedelta(hours=1, minutes=59, seconds=59), tick=False)
        assert b"scheduled-scoop" not in client.get(url).content
        clock.move_to(NOON + datetime.timedelta(hours=2), tick=False)
        assert b"scheduled-scoop" in client.get(url).content

    def test_its_own_page_goes_from_404_to_200_at_its_time(self, client, clock, news):
        scheduled = make_article(category=news, published_at=NOON + datetime.timedelta(seconds=30))
        url = scheduled.get_absolute_url()
        assert client.get(url).status_code == 404
        clock.move_to(NOON + datetime.timedelta(seconds=30), tick=False)
        assert client.get(url).status_code == 200

    def test_lifetimes_end_when_the_next_scheduled_article_goes_live(self, client, clock, story):
        make_article(published_at=NOON + datetime.timedelta(seconds=25))
        assert "max-age=25, s-maxage=10," in client.get("/")["Cache-Control"]
        clock.move_to(NOON + datetime.timedelta(seconds=20), tick=False)
        # A hit: the lifetime left, not the one it was stored with.
        assert "max-age=5, s-maxage=5," in client.get("/")["Cache-Control"]
        clock.move_to(NOON + datetime.timedelta(seconds=25), tick=False)
        assert "max-age=60, s-maxage=10," in client.get("/")["Cache-Control"]

    def test_a_second_scheduled_article_bounds_the_page_after_the_first(self, client, clock, story):
        make_article(slug="first-one", published_at=NOON + datetime.timedelta(minutes=1))
        second_time = NOON + datetime.timedelta(minutes=1, seconds=40)
        make_article(slug="second-one", published_at=second_time)
        client.get("/")
        clock.move_to(NOON + datetime.timedelta(minutes=1, seconds=10), tick=False)
        response = client.get("/")
        assert b"first-one" in response.content
        assert b"second-one" not in response.content
        assert "max-age=30," in response["Cache-Control"]
        clock.move_to(second_time, tick=False)
        assert b"second-one" in client.get("/").content

    def test_an_unpublished_article_is_only_a_draft_not_a_schedule(self, client, clock, story):
        make_draft(published_at=NOON + datetime.timedelta(seconds=5))
        assert "max-age=60," in client.get("/")["Cache-Control"]


class EditTests:
    def test_an_edit_shows_on_the_next_request(self, client, story):
        for url in ("/", story.get_absolute_url(), "/feed/"):
            client.get(url)
        story.title = "Corrected headline"
        save_article(story)
        for url in ("/", story.get_absolute_url(), "/feed/"):
            assert b"Corrected headline" in client.get(url).content, url

    def test_unpublishing_takes_the_article_off_every_page_at_once(self, client, story):
        url = story.get_absolute_url()
        client.get(url)
        client.get("/")
        story.status = Article.Status.DRAFT
        story.save()
        assert client.get(url).status_code == 404
        assert b"Published story" not in client.get("/").content

    def test_a_deleted_article_is_gone_on_the_next_request(self, client, story):
        url = story.get_absolute_url()
        client.get(url)
        story.delete()
        assert client.get(url).status_code == 404

    def test_a_renamed_category_shows_in_the_navigation_and_its_page(self, client, story, news):
        client.get("/")
        client.get("/category/news/")
        news.name = "Latest news"
        news.save()
        assert b"Latest news" in client.get("/").content
        assert b"Latest news" in client.get("/category/news/").content

    def test_a_renamed_author_shows_on_the_article(self, client, story):
        client.get(story.get_absolute_url())
        author = story.bylines.get().author
        author.name = "Ada Lovelace"
        author.save()
        assert b"Ada Lovelace" in client.get(story.get_absolute_url()).content

    def test_a_new_byline_shows_on_the_article(self, client, story):
        client.get(story.get_absolute_url())
        Byline.objects.create(article=story, author=make_author(name="Second Writer"), position=1)
        assert b"Second Writer" in client.get(story.get_absolute_url()).content

    def test_a_new_tag_gets_its_page_at_once(self, client, story):
        assert client.get("/tag/jazz/").status_code == 404
        story.tags.add("jazz")
        assert client.get("/tag/jazz/").status_code == 200
        story.tags.remove("jazz")
        assert b"Published story" not in client.get("/tag/jazz/").content

    def test_edited_embed_metadata_shows_on_the_article(self, client, story):
        client.get(story.get_absolute_url())
        embed, _ = Embed.objects.get_or_create(url=INSTAGRAM)
        embed.author_name, embed.author_handle = "Renamed Band", "renamed"
        embed.save()
        assert b"Renamed Band" in client.get(story.get_absolute_url()).content

    def test_a_new_redirect_replaces_a_cached_404(self, client, story):
        assert client.get("/old-address/").status_code == 404
        Redirect.objects.create(old_path="/old-address/", article=story)
        response = client.get("/old-address/")
        assert response.status_code == 301
        assert response["Location"] == story.get_absolute_url()


class ConditionalGetTests:
    @pytest.mark.parametrize("name", ["/", "ARTICLE", "/category/news/", "/feed/", "/sitemap.xml"])
    def test_an_unchanged_page_answers_304_to_its_etag(self, client, story, name):
        url = url_of(name, story)
        etag = client.get(url)["ETag"]
        response = client.get(url, headers={"if-none-match": etag})
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == etag
        assert response["Cache-Control"].startswith("public, ")

    @pytest.mark.parametrize("name", ["/", "ARTICLE", "/feed/"])
    def test_a_changed_page_never_answers_304(self, client, story, name):
        url = url_of(name, story)
        before = client.get(url)
        story.title = "Changed in the same second"
        story.save()
        response = client.get(
            url,
            headers={
                "if-none-match": before["ETag"],
                "if-modified-since": before["Last-Modified"],
            },
        )
        assert response.status_code == 200
        assert b"Changed in the same second" in response.content

    def test_if_modified_since_alone_answers_304_once_the_content_is_a_second_old(
        self, client, clock, story
    ):
        clock.move_to(NOON + datetime.timedelta(minutes=5), tick=False)
        last_modified = client.get("/")["Last-Modified"]
        response = client.get("/", headers={"if-modified-since": last_modified})
        assert response.status_code == 304

    def test_if_modified_since_alone_never_hides_a_change_within_one_second(
        self, client, clock, story
    ):
        # The clock stands still: the copy and the change share their second.
        last_modified = client.get("/")["Last-Modified"]
        story.title = "Changed within the second"
        story.save()
        response = client.get("/", headers={"if-modified-since": last_modified})
        assert response.status_code == 200
        assert b"Changed within the second" in response.content

    def test_if_modified_since_alone_after_a_change_gets_the_new_page(self, client, clock, story):
        clock.move_to(NOON + datetime.timedelta(minutes=5), tick=False)
        last_modified = client.get("/")["Last-Modified"]
        clock.move_to(NOON + datetime.timedelta(minutes=10), tick=False)
        story.title = "Changed later"
        story.save()
        response = client.get("/", headers={"if-modified-since": last_modified})
        assert response.status_code == 200
        assert b"Changed later" in response.content

    def test_a_scheduled_article_going_live_changes_the_validators(self, client, clock, story):
        make_article(title="Went live", published_at=NOON + datetime.timedelta(minutes=1))
        before = client.get("/")
        clock.move_to(NOON + datetime.timedelta(minutes=2), tick=False)
        response = client.get(
            "/",
            headers={
                "if-none-match": before["ETag"],
                "if-modified-since": before["Last-Modified"],
            },
        )
        assert response.status_code == 200
        assert b"Went live" in response.content

    def test_an_if_modified_since_in_the_future_is_ignored(self, client, clock, story):
        client.get("/")
        future = http_date((NOON + datetime.timedelta(days=1)).timestamp())
        assert client.get("/", headers={"if-modified-since": future}).status_code == 200

    def test_last_modified_never_passes_the_response_date(self, client, clock, story):
        response = client.get("/")
        assert response["Last-Modified"] == http_date(NOON.timestamp())


class PrivateTests:
    def test_staff_get_drafts_and_no_reader_ever_gets_their_copy(self, client, editor, clock):
        draft = make_draft(category=make_category(), published_at=NOON)
        url = draft.get_absolute_url()
        staff_response = editor.get(url)
        assert staff_response.status_code == 200
        assert "private" in staff_response["Cache-Control"]
        assert "no-store" in staff_response["Cache-Control"]
        assert client.get(url).status_code == 404

    def test_logged_in_readers_skip_the_cache_and_get_private_pages(self, client, editor, story):
        client.get("/")  # stored for readers
        response = editor.get("/", headers={"accept-encoding": "br"})
        assert response.context is not None  # built for them, not replayed
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert "Content-Encoding" not in response

    def test_preview_links_are_never_stored_or_compressed(self, client, clock):
        draft = make_draft(title="Embargoed story", category=make_category())
        url = urlsplit(preview_url(draft)).path
        for _ in range(2):
            response = client.get(url, headers={"accept-encoding": "br, gzip"})
            assert response.status_code == 200
            assert response.context is not None
            assert "private" in response["Cache-Control"]
            assert "no-store" in response["Cache-Control"]
            assert "Content-Encoding" not in response
            assert "ETag" not in response

    def test_admin_pages_are_private_and_never_compressed(self, client):
        # The login form carries a CSRF token: compressing it would invite BREACH.
        response = client.get("/admin/login/", headers={"accept-encoding": "br, gzip"})
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert "Content-Encoding" not in response

    def test_post_answers_are_private(self, client, story):
        response = client.post("/search/", {"q": "story"})
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]

    @pytest.mark.urls(__name__)
    def test_a_response_that_sets_a_cookie_is_never_stored(self, client):
        for _ in range(2):
            response = client.get("/test-cache/cookie/", headers={"accept-encoding": "br"})
            assert response.cookies["seen"].value == "1"
            assert "private" in response["Cache-Control"]
            assert "Content-Encoding" not in response

    @pytest.mark.urls(__name__)
    def test_a_page_with_a_csrf_token_is_private_and_never_compressed(self, client):
        response = client.get("/test-cache/csrf/", headers={"accept-encoding": "br"})
        assert "private" in response["Cache-Control"]
        assert "Content-Encoding" not in response

    @pytest.mark.urls(__name__)
    def test_a_plain_public_view_is_stored_once(self, client):
        counts.calls = 0
        client.get("/test-cache/counted/")
        client.get("/test-cache/counted/")
        assert counts.calls == 1

    def test_health_checks_pass_by_the_page_cache(self, client):
        assert "no-store" in client.get("/healthz")["Cache-Control"]


class StatusTests:
    def test_a_404_is_stored_for_a_minute_at_most(
        self, client, clock, story, django_assert_num_queries
    ):
        first = client.get("/no/such/page/")
        assert first.status_code == 404
        assert "max-age=60, s-maxage=10," in first["Cache-Control"]
        with django_assert_num_queries(0):
            assert client.get("/no/such/page/").status_code == 404
        clock.move_to(NOON + datetime.timedelta(seconds=61), tick=False)
        with django_assert_num_queries(1):  # the redirect lookup again
            assert client.get("/no/such/page/").status_code == 404

    def test_a_301_from_an_old_permalink_is_stored(self, client, story, django_assert_num_queries):
        old = story.get_absolute_url()
        story.slug = "moved-story"
        save_article(story)
        assert client.get(old).status_code == 301
        with django_assert_num_queries(0):
            response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == story.get_absolute_url()

    @pytest.mark.urls("tests.newsroom.test_error_pages")
    def test_server_errors_are_never_stored(self):
        response = Client(raise_request_exception=False).get("/test-errors/500/")
        assert response.status_code == 500
        assert "no-store" in response["Cache-Control"]


class CompressionTests:
    @pytest.mark.parametrize("name", ["/", "ARTICLE", "/feed/", "/sitemap-articles.xml"])
    def test_brotli_and_gzip_when_accepted_with_the_same_page_inside(self, client, story, name):
        url = url_of(name, story)
        plain = client.get(url)
        assert "Content-Encoding" not in plain
        assert "Accept-Encoding" in plain["Vary"]
        br = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
        assert br["Content-Encoding"] == "br"
        assert brotli.decompress(br.content) == plain.content
        assert int(br["Content-Length"]) == len(br.content) < len(plain.content)
        gz = client.get(url, headers={"accept-encoding": "gzip"})
        assert gz["Content-Encoding"] == "gzip"
        assert gzip.decompress(gz.content) == plain.content
        assert br["ETag"] == gz["ETag"] == plain["ETag"]

    def test_each_encoding_is_stored_apart(self, client, story, django_assert_num_queries):
        for encoding in ("br", "gzip", ""):
            client.get("/", headers={"accept-encoding": encoding})
        with django_assert_num_queries(0):
            assert client.get("/", headers={"accept-encoding": "br"})["Content-Encoding"] == "br"
            assert client.get("/", headers={"accept-encoding": "gzip"})["Content-Encoding"] == (
                "gzip"
            )
            assert "Content-Encoding" not in client.get("/", headers={"accept-encoding": "br;q=0"})

    def test_small_responses_stay_plain(self, client, story):
        response = client.get("/robots.txt", headers={"accept-encoding": "br"})
        assert len(response.content) < 200
        assert "Content-Encoding" not in response
        assert "Accept-Encoding" in response["Vary"]
