"""What readers get of live coverage: the posts section of the article page,
the JSON the polling script reads, and the ``LiveBlogPosting`` JSON-LD.

Callers pass an article they selected through the gate
(``Article.objects.published()``, or the editors' preview); nothing here
selects articles. Both the section and the JSON are kept with the content
(``newsroom.cache.remember``): a post bumps the generation, so a warm page or
poll costs no query and a new post shows at once.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from articles.html import first_sentences, plain_text
from articles.links import absolute_url
from articles.live.models import LivePost
from articles.models import Article
from articles.templatetags.articles import article_json_ld, iso, json_ld
from embeds.rendering import render_bodies
from newsroom.cache import remember

# Posts on one page of the article; older ones are on ?page=2 and on.
PAGE_SIZE = 50
# Seconds between the script's polls (the section's data-live-interval).
POLL_SECONDS = 15
# How long browsers and shared caches may keep the JSON.
JSON_MAX_AGE = 5
# Google wants an end time while coverage runs: the expected end, this long
# after the newest post.
EXPECTED_HOURS = 24
KEPT_SECONDS = 60 * 60
# The largest id a query parameter may name (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def page_size() -> int:
    return getattr(settings, "LIVE_PAGE_SIZE", PAGE_SIZE)


def poll_seconds() -> float:
    return getattr(settings, "LIVE_POLL_SECONDS", POLL_SECONDS)


def parse_id(value: str | None) -> int | None:
    """A post id from a query parameter, or ``None`` when it is not one."""
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def post_url(article: Article, post: LivePost) -> str:
    """The permalink of a post: the page that holds it, scrolled to it."""
    return f"{article.get_absolute_url()}?post={post.pk}#{post.anchor}"


@dataclass(frozen=True)
class LiveSection:
    html: SafeString
    json_ld: SafeString


def section(article: Article, params: QueryDict, *, polling: bool, parts) -> LiveSection:
    """The posts section (key points, posts, pager) and the page's JSON-LD, for
    the page named by ``?page=`` or holding ``?post=``."""
    number = _page_number(article, params)
    return remember(
        lambda: _build(article, number, polling, parts),
        "live-section",
        article.pk,
        f"{article.updated_at.timestamp():.6f}",
        number,
        polling,
        get_language(),
        timeout=KEPT_SECONDS,
    )


def _page_number(article: Article, params: QueryDict) -> int | str:
    post_id = parse_id(params.get("post"))
    if post_id is not None:
        return f"post-{post_id}"
    number = parse_id(params.get("page"))
    return number if number else 1


def _page(article: Article, number: int | str) -> Page:
    posts = LivePost.objects.filter(article=article).in_page_order().select_related("author")
    paginator = Paginator(posts, page_size())
    if isinstance(number, str):  # "post-<id>": the page that holds it
        number = _page_of(article, int(number.removeprefix("post-")))
    return paginator.get_page(number)


def _page_of(article: Article, post_id: int) -> int:
    post = (
        LivePost.objects.filter(article=article, pk=post_id)
        .values("is_pinned", "created_at")
        .first()
    )
    if post is None:
        return 1
    posts = LivePost.objects.filter(article=article)
    if post["is_pinned"]:
        before = posts.filter(is_pinned=True).filter(_later(post["created_at"], post_id)).count()
    else:
        before = (
            posts.filter(is_pinned=True).count()
            + posts.filter(is_pinned=False).filter(_later(post["created_at"], post_id)).count()
        )
    return before // page_size() + 1


def _later(moment: datetime.datetime, post_id: int) -> Q:
    return Q(created_at__gt=moment) | Q(created_at=moment, pk__gt=post_id)


def _build(article: Article, number: int | str, polling: bool, parts) -> LiveSection:
    page = _page(article, number)
    posts = list(page.object_list)
    bodies = render_bodies([post.body for post in posts])
    items = [_item(article, post, body) for post, body in zip(posts, bodies, strict=True)]
    # The script asks for posts after the newest one the page was built with:
    # page one holds it, pinned or not (unpinned posts follow newest first).
    newest = max((post.pk for post in posts), default=0) if page.number == 1 else 0
    html = render_to_string(
        "articles/live/section.html",
        {
            "article": article,
            "items": items,
            "page_obj": page,
            "key_points": [line for line in article.key_points.splitlines() if line.strip()],
            "ended": article.coverage_ended_at is not None,
            "poll": polling and page.number == 1 and article.coverage_ended_at is None,
            "json_url": json_url(article),
            "after": newest,
            "interval_ms": int(poll_seconds() * 1000),
        },
    )
    data = live_json_ld(article, parts, posts)
    return LiveSection(SafeString(html), json_ld(data))


def _item(article: Article, post: LivePost, body: SafeString) -> dict:
    return {"post": post, "body": body, "url": post_url(article, post)}


def json_url(article: Article) -> str:
    day = article.published_on
    return reverse(
        "articles:live-json",
        kwargs={
            "year": f"{day.year:04d}",
            "month": f"{day.month:02d}",
            "day": f"{day.day:02d}",
            "slug": article.slug,
        },
    )


def live_json_ld(article: Article, parts, posts: list[LivePost]) -> dict:
    """``NewsArticle``'s properties as ``LiveBlogPosting`` (a subtype), with the
    coverage times and this page's posts as ``liveBlogUpdate``."""
    data = article_json_ld(article, parts.authors, parts.lead_image_url)
    data["@type"] = "LiveBlogPosting"
    started = article.coverage_started_at or article.published_at or article.created_at
    data["coverageStartTime"] = iso(started)
    if article.coverage_ended_at is not None:
        data["coverageEndTime"] = iso(article.coverage_ended_at)
    else:
        newest = max((post.created_at for post in posts), default=started)
        data["coverageEndTime"] = iso(newest + datetime.timedelta(hours=EXPECTED_HOURS))
    updates = []
    for post in posts:
        text = plain_text(post.body)
        update = {
            "@type": "BlogPosting",
            "headline": (post.headline or first_sentences(post.body, 100) or article.title)[:110],
            "articleBody": text,
            "datePublished": iso(post.created_at),
            "dateModified": iso(post.updated_at),
            "url": absolute_url(post_url(article, post)),
        }
        if post.author is not None:
            update["author"] = {"@type": "Person", "name": post.author.name}
        updates.append(update)
    data["liveBlogUpdate"] = updates
    return data


# The polling script's JSON --------------------------------------------------


def updates_after(article: Article, after: int) -> tuple[bytes, str]:
    """The JSON of the posts newer than ``after`` (at most a page of them,
    newest first) and its ETag, kept with the content."""
    return remember(
        lambda: _updates(article, after),
        "live-json",
        article.pk,
        f"{article.updated_at.timestamp():.6f}",
        after,
        get_language(),
        timeout=KEPT_SECONDS,
    )


def _updates(article: Article, after: int) -> tuple[bytes, str]:
    size = page_size()
    posts = list(
        LivePost.objects.filter(article=article, pk__gt=after)
        .select_related("author")
        .order_by("-pk")[: size + 1]
    )
    more, posts = len(posts) > size, posts[:size]
    bodies = render_bodies([post.body for post in posts])
    ended = article.coverage_ended_at is not None
    data = {
        "state": "ended" if ended else "live",
        "ended": ended,
        "latest": max([after, *(post.pk for post in posts)]),
        "count": len(posts),
        "more": more,
        "posts": [
            {
                "id": post.pk,
                "url": post_url(article, post),
                "pinned": post.is_pinned,
                "published": iso(post.created_at),
                "html": render_to_string("articles/live/post.html", _item(article, post, body)),
            }
            for post, body in zip(posts, bodies, strict=True)
        ],
    }
    payload = json.dumps(data, ensure_ascii=False).encode()
    etag = f'"{hashlib.md5(payload, usedforsecurity=False).hexdigest()}"'
    return payload, etag
