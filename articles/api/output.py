"""Articles, taxonomy and pictures as the content API's JSON, and its list cursors."""

from __future__ import annotations

import base64
import binascii
import datetime
import functools

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import imaging
from articles.api.schemas import CARD_KEYS, MAX_ID
from articles.images import extension_of, rendition_base
from articles.links import absolute_url
from articles.listing import cards
from articles.models import Article, Author, Category


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
        "url": lambda: absolute_url(article.get_absolute_url()),
        "published_at": lambda: iso(article.published_at),
        "category": lambda: category_out(article.category),
        "authors": lambda: [author_out(b.author) for b in article.bylines.all()],
        # taggit's prefetch takes no ordering of its own.
        "tags": lambda: [tag_out(t) for t in sorted(article.tags.all(), key=lambda t: t.name)],
        "image": lambda: image_out(article),
    }
    return {key: makers[key]() for key in keys}


def api_cards(articles: QuerySet[Article]) -> QuerySet[Article]:
    """List cards with their tags: a fixed number of queries for any page size."""
    return cards(articles).prefetch_related("tags")


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
