"""Articles, taxonomy and pictures as the content API's JSON, and its list cursors."""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch, QuerySet
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from taggit.models import Tag

from articles import imaging
from articles.api.schemas import CARD_KEYS, MAX_ID
from articles.images import extension_of, rendition_base
from articles.links import absolute_url
from articles.listing import cards
from articles.models import Article, Author, Byline, Category, TaggedArticle


class BadRequest(Exception):
    """A request the API refuses with 400 and ``detail``."""

    def __init__(self, detail: str) -> None:
        self.detail = detail


def iso(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat()


@functools.lru_cache(maxsize=8192)
def _taxonomy_url(route: str, slug: str, site_url: str) -> str:
    # A list of 100 cards names hundreds of tags and authors: reverse() each
    # once. SITE_URL is part of the key so a changed setting is never stale.
    return site_url + reverse(route, kwargs={"slug": slug})


def taxonomy_url(route: str, slug: str) -> str:
    """``reverse(route, slug=slug)`` on SITE_URL (what ``get_absolute_url`` gives)."""
    return _taxonomy_url(route, slug, settings.SITE_URL)


@functools.lru_cache(maxsize=4)
def _permalink_template(site_url: str, script_prefix: str) -> tuple[str, str]:
    # reverse() costs about as much as the rest of a card: once, with markers.
    path = reverse(
        "articles:detail", kwargs={"year": "1111", "month": "22", "day": "33", "slug": "slug"}
    )
    before, after = path.split("1111/22/33/slug")
    return site_url + before, after


def article_url(article: Article) -> str:
    """``absolute_url(article.get_absolute_url())``, quoted as ``reverse()`` quotes."""
    start, end = _permalink_template(settings.SITE_URL, get_script_prefix())
    day = article.published_on
    slug = quote(article.slug, safe=RFC3986_SUBDELIMS + "/~:@")
    return f"{start}{day.year:04d}/{day.month:02d}/{day.day:02d}/{slug}{end}"


def category_out(category: Category) -> dict:
    url = taxonomy_url("articles:category", category.slug)
    return {"name": category.name, "slug": category.slug, "url": url}


def tag_out(tag: Tag) -> dict:
    url = taxonomy_url("articles:tag", tag.slug)
    return {"name": tag.name, "slug": tag.slug, "url": url}


def author_out(author: Author) -> dict:
    url = taxonomy_url("articles:author", author.slug)
    return {"name": author.name, "slug": author.slug, "url": url}


def image_out(article: Article) -> dict | None:
    image = article.image
    if image is None:
        return None
    name = image.file.name
    base, extension = rendition_base(name), extension_of(name)
    fallback = "image/png" if extension == "png" else "image/jpeg"
    renditions = [
        {
            "url": absolute_url(default_storage.url(base + imaging.rendition_suffix(w, ext))),
            "width": w,
            "type": kind,
        }
        for w in imaging.widths_for(image.width)
        for ext, kind in (("webp", "image/webp"), (extension, fallback))
    ]
    return {
        "url": renditions[-1]["url"],
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
        "renditions": renditions,
    }


def card_out(article: Article, keys: tuple[str, ...] = CARD_KEYS) -> dict:
    makers = {
        "id": lambda: article.pk,
        "title": lambda: article.title,
        "dek": lambda: article.dek,
        "summary": lambda: article.summary,
        "url": lambda: article_url(article),
        "published_at": lambda: iso(article.published_at),
        "category": lambda: category_out(article.category),
        "authors": lambda: [author_out(b.author) for b in article.api_bylines],
        # By name as Python sorts (code points), whatever the database's collation.
        "tags": lambda: [
            tag_out(t.tag) for t in sorted(article.api_tags, key=lambda t: t.tag.name)
        ],
        "image": lambda: image_out(article),
    }
    return {key: makers[key]() for key in keys}


def with_names(articles: QuerySet[Article]) -> QuerySet[Article]:
    """``articles`` with their bylines (``api_bylines``, in order) and tags
    (``api_tags``, by name) as plain lists. Prefetched into lists, not
    managers: Django builds a queryset per article for a manager's cache,
    and taggit's costs more (a third of a list's time went there)."""
    return articles.prefetch_related(None).prefetch_related(
        Prefetch(
            "bylines",
            queryset=Byline.objects.select_related("author")
            .only("article_id", "position", "author__name", "author__slug")
            .order_by("position"),
            to_attr="api_bylines",
        ),
        Prefetch(
            "taggedarticle_set",
            queryset=TaggedArticle.objects.select_related("tag").only(
                "content_object_id", "tag__name", "tag__slug"
            ),
            to_attr="api_tags",
        ),
    )


def api_cards(articles: QuerySet[Article]) -> QuerySet[Article]:
    """List cards with their authors and tags: a fixed number of queries for any page size."""
    return with_names(cards(articles))


# Cursors -------------------------------------------------------------------


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def encode_cursor(article: Article) -> str:
    # Whole microseconds, not a float: the next page must start exactly after
    # this row even when others share its publish time.
    raw = f"{(article.published_at - EPOCH) // MICROSECOND}:{article.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        micros, pk = raw.split(":")
        if not (micros.isdigit() and pk.isdigit()):
            raise ValueError(raw)
        moment = EPOCH + int(micros) * MICROSECOND
        pk = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError, OSError) as exc:
        raise BadRequest("The cursor is not valid.") from exc
    if not 0 < pk <= MAX_ID:
        raise BadRequest("The cursor is not valid.")
    return moment, pk
