"""Live coverage (articles.live): posts on the page, the admin page, the JSON
the script polls, the JSON-LD, freezing, roles and hostile input."""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from articles.html import clean_text
from articles.live import services
from articles.live.models import LivePost
from articles.models import Article, Byline
from articles.services import TransitionRefused
from embeds.models import Embed
from tests.articles.conftest import NOON
from tests.articles.editorial import logged_in, make_editor, make_writer
from tests.articles.xss import VECTORS, parse, problems
from tests.factories import make_article, make_draft, make_scheduled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def editor():
    return make_editor()


@pytest.fixture
def writer():
    return make_writer()


@pytest.fixture
def live(editor, writer) -> Article:
    """A published article two hours old, its coverage live since an hour ago,
    with the writer on its byline."""
    article = make_article(
        title="Election night", slug="election-night", published_at=NOON - 2 * 60 * MINUTE
    )
    Byline.objects.create(article=article, author=writer.author)
    return services.start_coverage(article, editor, now=NOON - 60 * MINUTE)


def post(article, user, body="<p>Polls have closed.</p>", minutes_ago=0, **kwargs):
    return services.add_post(article, user, body=body, now=NOON - minutes_ago * MINUTE, **kwargs)


def live_url(article) -> str:
    return reverse("admin:articles_article_live", args=[article.pk])


def json_url(article, after="") -> str:
    url = article.get_absolute_url() + "live.json"
    return f"{url}?after={after}" if after != "" else url


def ids_on_page(content: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb'data-live-post="(\d+)"', content)]


def json_ld(content: bytes) -> dict:
    for element in parse(content).iter("script"):
        if element.get("type") == "application/ld+json":
            return json.loads(element.text)
    raise AssertionError("no JSON-LD")


def test_posts_appear_newest_first_with_pinned_posts_on_top(client, live, editor):
    old = post(live, editor, minutes_ago=30)
    pinned = post(live, editor, "<p>Read this first.</p>", minutes_ago=40, pinned=True)
    new = post(live, editor, minutes_ago=5)
    response = client.get(live.get_absolute_url())
    assert ids_on_page(response.content) == [pinned.pk, new.pk, old.pk]
    assert b"live__badge" in response.content
    assert b"/static/js/live." in response.content


def test_each_post_has_an_anchor_and_a_permalink_that_lands_on_its_page(client, live, editor):
    posts = [post(live, editor, f"<p>Update {n}.</p>", minutes_ago=50 - n) for n in range(5)]
    with override_settings(LIVE_PAGE_SIZE=2):
        oldest = posts[0]
        page = client.get(live.get_absolute_url()).content
        assert f'id="post-{posts[-1].pk}"'.encode() in page
        newest = posts[-1].pk
        permalink = f'href="{live.get_absolute_url()}?post={newest}#post-{newest}"'
        assert permalink.encode() in page
        landing = client.get(f"{live.get_absolute_url()}?post={oldest.pk}")
        assert ids_on_page(landing.content) == [oldest.pk]
        assert b"Newer updates" in landing.content


def test_older_updates_are_on_further_pages(client, live, editor):
    for n in range(7):
        post(live, editor, f"<p>Update {n}.</p>", minutes_ago=50 - n)
    with override_settings(LIVE_PAGE_SIZE=3):
        first = client.get(live.get_absolute_url()).content
        assert len(ids_on_page(first)) == 3
        assert f'href="{live.get_absolute_url()}?page=2#live"'.encode() in first
        assert b"Older updates" in first
        last = client.get(live.get_absolute_url() + "?page=3").content
        assert len(ids_on_page(last)) == 1
        # Only the first page polls for new posts.
        assert b"data-live-url" in first and b"data-live-url" not in last


@pytest.mark.parametrize(
    "query", ["page=0", "page=-1", "page=abc", "page=99999999999999999999", "page=%00", "post=x",
              "post=%00", "post=99999999999999999999999", "post=1e9", "page=3.5"]
)  # fmt: skip
def test_hostile_page_and_post_parameters_show_a_page(client, live, editor, query):
    post(live, editor)
    response = client.get(f"{live.get_absolute_url()}?{query}")
    assert response.status_code == 200
    assert len(ids_on_page(response.content)) == 1


def test_key_points_are_shown_above_the_posts(client, live, editor):
    services.set_key_points(live, editor, "Turnout is high\n\n<b>Counting</b> starts at ten\n")
    post(live, editor)
    content = client.get(live.get_absolute_url()).content.decode()
    assert content.index("Key points") < content.index("data-live-post=")
    assert "<li>Turnout is high</li>" in content
    assert "<li>&lt;b&gt;Counting&lt;/b&gt; starts at ten</li>" in content


def test_a_post_shows_at_once_through_the_page_cache(client, live, editor):
    first = post(live, editor, minutes_ago=10)
    assert ids_on_page(client.get(live.get_absolute_url()).content) == [first.pk]
    second = post(live, editor)
    assert ids_on_page(client.get(live.get_absolute_url()).content) == [second.pk, first.pk]
    edited = services.edit_post(second, editor, body="<p>Corrected.</p>")
    assert b"Corrected." in client.get(live.get_absolute_url()).content
    assert edited.created_at == NOON


def test_post_bodies_go_through_the_sanitizer_and_the_embed_registry(client, live, editor):
    body = (
        '<p onclick="x()">Look <script>alert(1)</script><a href="javascript:x">here</a></p>'
        "<p>https://www.instagram.com/p/LiveEmbed1/</p>"
    )
    stored = post(live, editor, body)
    assert "script" not in stored.body and "onclick" not in stored.body
    assert "javascript" not in stored.body
    assert Embed.objects.filter(url__contains="LiveEmbed1").exists()
    page = client.get(live.get_absolute_url()).content
    assert b"View this post on Instagram" in page
    assert problems(page) == []


def test_an_empty_or_oversized_post_is_refused(live, editor):
    for body in ["", "   ", "<p></p>", "<script>x</script>", "x" * 20_001]:
        with pytest.raises(TransitionRefused):
            post(live, editor, body)
    assert not LivePost.objects.exists()


# JSON-LD -------------------------------------------------------------------


def test_json_ld_is_a_live_blog_posting_with_its_updates(client, live, editor):
    post(live, editor, "<p>Polls have <em>closed</em>.</p>", headline="Polls closed", minutes_ago=9)
    post(live, editor, "<p>First results are in. More soon.</p>", minutes_ago=1)
    data = json_ld(client.get(live.get_absolute_url()).content)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LiveBlogPosting"
    for required in ("headline", "datePublished", "author", "publisher", "mainEntityOfPage"):
        assert data[required]
    start = datetime.datetime.fromisoformat(data["coverageStartTime"])
    end = datetime.datetime.fromisoformat(data["coverageEndTime"])
    assert start == NOON - 60 * MINUTE < end
    updates = data["liveBlogUpdate"]
    assert [u["@type"] for u in updates] == ["BlogPosting", "BlogPosting"]
    assert updates[1]["headline"] == "Polls closed"
    assert updates[1]["articleBody"] == "Polls have closed."
    assert updates[0]["headline"] == "First results are in. More soon."
    for update in updates:
        assert datetime.datetime.fromisoformat(update["datePublished"]).tzinfo is not None
        assert "#post-" in update["url"] and update["url"].startswith("http")


def test_json_ld_of_ended_coverage_has_its_end_time(client, live, editor):
    post(live, editor, minutes_ago=5)
    services.end_coverage(live, editor, now=NOON)
    data = json_ld(client.get(live.get_absolute_url()).content)
    assert datetime.datetime.fromisoformat(data["coverageEndTime"]) == NOON


def test_an_article_without_coverage_stays_a_news_article(client):
    article = make_article()
    page = client.get(article.get_absolute_url()).content
    assert json_ld(page)["@type"] == "NewsArticle"
    assert b"live.js" not in page and b'id="live"' not in page


# The JSON endpoint ------------------------------------------------------------


def test_the_endpoint_lists_posts_after_an_id_newest_first(client, live, editor):
    first = post(live, editor, minutes_ago=3)
    second = post(live, editor, "<p>Second.</p>", minutes_ago=2, pinned=True)
    third = post(live, editor, "<p>Third.</p>", minutes_ago=1)
    data = client.get(json_url(live, first.pk)).json()
    assert data["state"] == "live" and data["ended"] is False
    assert data["count"] == 2 and data["latest"] == third.pk and data["more"] is False
    assert [p["id"] for p in data["posts"]] == [third.pk, second.pk]
    assert data["posts"][1]["pinned"] is True
    assert f'id="post-{third.pk}"' in data["posts"][0]["html"]
    assert data["posts"][0]["url"] == f"{live.get_absolute_url()}?post={third.pk}#post-{third.pk}"
    nothing = client.get(json_url(live, third.pk)).json()
    assert nothing["count"] == 0 and nothing["latest"] == third.pk
    assert client.get(json_url(live)).json()["count"] == 3


def test_the_endpoint_is_cacheable_and_answers_304_to_a_known_copy(client, live, editor):
    post(live, editor)
    response = client.get(json_url(live, 0))
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=5, s-maxage=5"
    etag = response["ETag"]
    again = client.get(json_url(live, 0), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    post(live, editor, "<p>Newer.</p>")
    changed = client.get(json_url(live, 0), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["count"] == 2


def test_the_endpoint_says_when_coverage_has_ended(client, live, editor):
    post(live, editor)
    services.end_coverage(live, editor)
    data = client.get(json_url(live, 0)).json()
    assert data["ended"] is True and data["state"] == "ended" and data["count"] == 1
    page = client.get(live.get_absolute_url()).content
    assert b"data-live-url" not in page and b"Live coverage ended" in page


@pytest.mark.parametrize(
    "after",
    ["abc", "-1", "1.5", "1e3", "%00", "1%00", "99999999999999999999", "9223372036854775808",
     "%EF%BC%91", "0x10", "%20%201", "[]", "1,2", "' OR 1=1 --", "%3Cscript%3E"],
)  # fmt: skip
def test_a_garbage_after_is_a_400_never_a_500(client, live, editor, after):
    post(live, editor)
    response = client.get(f"{json_url(live)}?after={after}")
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.parametrize(
    "query", ["after=", "after=9223372036854775807", "x=%00", "after=0&after=abc"]
)
def test_other_after_values_are_answered(client, live, editor, query):
    post(live, editor)
    response = client.get(f"{json_url(live)}?{query}")
    assert response.status_code in {200, 400}
    assert response["Content-Type"] == "application/json"


def test_the_endpoint_only_answers_get_and_head(client, live):
    assert client.post(json_url(live, 0)).status_code == 405
    assert client.head(json_url(live, 0)).status_code == 200


def test_the_endpoint_is_404_for_articles_readers_cannot_see(client, editor):
    for article in [make_draft(slug="d"), make_scheduled(slug="s"), make_article(slug="plain")]:
        if article.status == Article.Status.PUBLISHED and article.slug == "plain":
            assert client.get(json_url(article, 0)).status_code == 404  # not live
            continue
        Article.objects.filter(pk=article.pk).update(is_live=True, coverage_started_at=NOON)
        LivePost.objects.create(article=article, body="<p>Secret post.</p>")
        assert client.get(json_url(article, 0)).status_code == 404
        assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get("/2024/02/31/x/live.json").status_code == 404


# Query counts ---------------------------------------------------------------


@pytest.fixture
def two_hundred_posts(live, editor):
    """200 posts, every tenth pinned, a few with an embed."""
    LivePost.objects.bulk_create(
        LivePost(
            article=live,
            author=editor.author,
            headline=f"Update {n}" if n % 2 else "",
            body=f"<p>Update {n}.</p>"
            + (f"<p>https://www.instagram.com/p/Live{n}/</p>" if n % 50 == 0 or n == 199 else ""),
            is_pinned=n % 10 == 0,
            created_at=NOON - (200 - n) * MINUTE,
        )
        for n in range(200)
    )
    cache.clear()
    return live


def captured_sql(client: Client, url: str) -> list[str]:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return [q["sql"][:150] for q in captured]


def queries(client: Client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.usefixtures("page_cache_off")
def test_query_counts_of_a_live_article_with_200_posts_are_pinned(client, two_hundred_posts):
    url = two_hundred_posts.get_absolute_url()
    counts = {}
    for size in (10, 50, 200):
        with override_settings(LIVE_PAGE_SIZE=size):
            counts[size] = (queries(client, url), queries(client, json_url(two_hundred_posts, 0)))
            assert len(ids_on_page(client.get(url).content)) == size
    # With an empty cache, both look up the publishing schedule and the article.
    # The page then has its own parts (tests/articles/test_queries.py) and the
    # posts: their count, a page of them with authors, that page's embeds. The
    # JSON: the posts after ``after`` with authors, and their embeds.
    assert counts == {10: (11, 4), 50: (11, 4), 200: (11, 4)}, captured_sql(client, url)
    # Kept with the content: a warm page or poll asks the database nothing more.
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
        client.get(json_url(two_hundred_posts, 0))
    assert len(warm) == 0, [q["sql"] for q in warm]


# The admin page ----------------------------------------------------------------


def test_a_writer_posts_on_their_own_live_article_from_the_admin_page(live, writer):
    client = logged_in(writer)
    page = client.get(live_url(live))
    assert page.status_code == 200
    assert b'name="body"' in page.content and b'value="start"' not in page.content
    response = client.post(
        live_url(live),
        {"action": "post", "headline": "Turnout", "body": "<p>Queues at every station.</p>"},
    )
    assert response.status_code == 302
    created = LivePost.objects.get()
    assert created.headline == "Turnout" and created.author == writer.author
    assert not created.is_pinned
    assert b"Queues at every station." in logged_in(writer).get(live_url(live)).content


def test_the_article_form_links_to_the_live_posts_page(live, editor):
    form = logged_in(editor).get(reverse("admin:articles_article_change", args=[live.pk]))
    assert live_url(live).encode() in form.content


def test_a_writer_may_not_post_on_someone_elses_article(live):
    other = make_writer("otto")
    client = logged_in(other)
    page = client.get(live_url(live))
    assert page.status_code == 200 and b'name="body"' not in page.content
    response = client.post(live_url(live), {"action": "post", "body": "<p>Not mine.</p>"})
    assert response.status_code == 403
    assert not LivePost.objects.exists()
    with pytest.raises(TransitionRefused):
        post(live, other)


def test_only_editors_start_and_end_coverage_and_write_key_points(editor, writer):
    article = make_article()
    Byline.objects.create(article=article, author=writer.author)
    client = logged_in(writer)
    for action in ("start", "end"):
        assert client.post(live_url(article), {"action": action}).status_code == 400
    response = client.post(live_url(article), {"action": "key_points", "key_points": "No"})
    assert response.status_code == 400
    article.refresh_from_db()
    assert not article.is_live and article.key_points == ""
    editors = logged_in(editor)
    assert editors.post(live_url(article), {"action": "start"}).status_code == 302
    response = editors.post(live_url(article), {"action": "key_points", "key_points": "One\nTwo"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_live and article.coverage_started_at == NOON
    assert article.key_points == "One\nTwo"


def test_posting_before_coverage_starts_is_refused(editor):
    article = make_article()
    response = logged_in(editor).post(live_url(article), {"action": "post", "body": "<p>x</p>"})
    assert response.status_code == 400
    assert not LivePost.objects.exists()


def test_ending_coverage_freezes_it(live, editor, writer):
    earlier = post(live, editor)
    client = logged_in(editor)
    assert client.post(live_url(live), {"action": "end"}).status_code == 302
    live.refresh_from_db()
    assert live.coverage_ended_at == NOON
    for user in (editor, writer):
        response = logged_in(user).post(
            live_url(live), {"action": "post", "body": "<p>After the end.</p>"}
        )
        assert response.status_code == 400
        assert b"has ended" in response.content
    edit = reverse("admin:articles_article_live_post", args=[live.pk, earlier.pk])
    assert client.post(edit, {"body": "<p>Changed.</p>"}).status_code == 400
    assert client.post(live_url(live), {"action": "start"}).status_code == 400
    with pytest.raises(services.CoverageEnded):
        post(live, editor)
    assert list(LivePost.objects.values_list("body", flat=True)) == [earlier.body]


def test_a_post_is_edited_in_place(live, editor):
    earlier = post(live, editor, minutes_ago=5)
    edit = reverse("admin:articles_article_live_post", args=[live.pk, earlier.pk])
    client = logged_in(editor)
    assert b"Polls have closed." in client.get(edit).content
    data = {"headline": "Fixed", "body": "<p>Polls closed at ten.</p>", "pinned": "on"}
    response = client.post(edit, data)
    assert response.status_code == 302
    earlier.refresh_from_db()
    assert (earlier.headline, earlier.is_pinned) == ("Fixed", True)
    assert earlier.created_at == NOON - 5 * MINUTE


def test_posts_of_another_article_cannot_be_edited_through_this_one(live, editor):
    other = services.start_coverage(make_article(), editor)
    foreign = post(other, editor)
    url = reverse("admin:articles_article_live_post", args=[live.pk, foreign.pk])
    assert logged_in(editor).get(url).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"action": "post", "body": ""},
        {"action": "post", "body": "<p>ok</p>", "headline": "h" * 201},
        {"action": "post", "body": "x" * 20_001},
        {"action": "post", "body": "<p>nul \x00 byte</p>"},
        {"action": "post", "body": "<p>ok</p>", "headline": "nul \x00"},
        {"action": "post", "body": "<script>alert(1)</script>"},
        {"action": "key_points", "key_points": "k" * 2001},
        {"action": "key_points", "key_points": "nul \x00"},
        {"action": "explode"},
        {},
    ],
)
def test_hostile_admin_posts_are_refused_with_nothing_written(live, editor, data):
    response = logged_in(editor).post(live_url(live), data)
    assert response.status_code == 400
    assert not LivePost.objects.exists()
    live.refresh_from_db()
    assert live.key_points == ""


@pytest.mark.parametrize("object_id", ["abc", "99999999999999999999999", "0", "%00"])
def test_hostile_admin_urls_are_404(editor, object_id):
    client = logged_in(editor)
    assert client.get(f"/admin/articles/article/{object_id}/live/").status_code in {302, 404}


# Hostile post bodies (tests/articles/xss.py) ------------------------------------


def test_no_vector_in_a_post_runs_on_the_page_the_json_or_the_admin(client, live, editor):
    LivePost.objects.bulk_create(
        LivePost(
            article=live,
            headline=clean_text(vector)[:200],
            body=services.clean_body(f"<p>{vector}</p>{vector}") or "<p>empty</p>",
            created_at=NOON - n * MINUTE,
        )
        for n, vector in enumerate(VECTORS)
    )
    with override_settings(LIVE_PAGE_SIZE=len(VECTORS)):
        page = client.get(live.get_absolute_url()).content
        assert problems(page) == []
        assert len(ids_on_page(page)) == len(VECTORS)
        data = client.get(json_url(live, 0)).json()
        assert data["count"] == len(VECTORS)
        assert problems("".join(p["html"] for p in data["posts"])) == []
    admin_page = logged_in(editor).get(live_url(live)).content
    assert problems(admin_page, script_src_prefixes=("/static/", "/admin/jsi18n/")) == []


def test_vectors_posted_through_the_admin_are_sanitized(client, live, editor):
    admin = logged_in(editor)
    for vector in VECTORS[:40]:
        admin.post(live_url(live), {"action": "post", "headline": vector, "body": vector})
    page = client.get(live.get_absolute_url()).content
    assert problems(page) == []


@pytest.mark.parametrize("post_id", ["99999999999999999999999", "9223372036854775808", "0"])
def test_hostile_post_ids_in_admin_urls_are_404(live, editor, post_id):
    url = f"/admin/articles/article/{live.pk}/live/{post_id}/"
    assert logged_in(editor).get(url).status_code == 404


def test_the_live_page_needs_a_login_and_hides_other_writers_drafts(client, editor):
    draft = make_draft()
    assert client.get(live_url(draft)).status_code == 302
    assert logged_in(make_writer("otto")).get(live_url(draft)).status_code == 404


def test_a_pinned_post_or_another_articles_post_lands_on_the_first_page(client, live, editor):
    pinned = post(live, editor, minutes_ago=50, pinned=True)
    for n in range(4):
        post(live, editor, f"<p>Update {n}.</p>", minutes_ago=40 - n)
    other = services.start_coverage(make_article(), editor)
    foreign = post(other, editor)
    with override_settings(LIVE_PAGE_SIZE=2):
        for post_id in (pinned.pk, foreign.pk):
            page = client.get(f"{live.get_absolute_url()}?post={post_id}").content
            assert ids_on_page(page)[0] == pinned.pk
