"""The content API, ``/api/v1/``: read-only JSON through the publish gate.

Every article comes from ``Article.objects.published()``; categories, tags
and authors are listed only while readers may see them (``articles.taxonomy``).
Lists page with an opaque cursor on (``published_at``, ``id``), so a page's
next page stays the same while new articles are published. Errors are RFC
9457 problem details. HTTP caching (ETag, Last-Modified, 304, Cache-Control
from the content generation) comes from ``newsroom.middleware.PageCacheMiddleware``
like every public page's.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError, ValidationError
from taggit.models import Tag

from articles import imaging, search
from articles.images import absolute_sources, extension_of, rendition_base
from articles.links import absolute_url
from articles.listing import cards
from articles.models import Article, Author, Byline, Category, TaggedArticle, category_family
from articles.sitemaps import used_by_published
from articles.taxonomy import public_categories
from embeds.models import Embed
from embeds.rendering import embed_matches

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_ID = 2**63 - 1
SLUG = r"^[-\w]{1,150}$"
Slug = Annotated[str, Field(pattern=SLUG, max_length=150)]
DateTimeText = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
PROBLEM = "application/problem+json"

api = NinjaAPI(
    title="newsroom content API",
    version="1",
    description="Read-only published content. Errors are RFC 9457 problem details.",
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


# Errors --------------------------------------------------------------------


def problem(status: int, title: str, detail: str = "", **extra: Any) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JsonResponse(body | extra, status=status, content_type=PROBLEM)


class BadRequest(Exception):
    def __init__(self, detail: str) -> None:
        self.detail = detail


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return problem(400, "Bad Request", "A parameter is not valid.", errors=errors)


@api.exception_handler(BadRequest)
def _bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
    return problem(400, "Bad Request", exc.detail)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, "Not Found")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, str(exc))


def allow_only(request: HttpRequest, names: set[str]) -> None:
    """Unknown parameters and NUL characters are mistakes worth a 400, not silence."""
    unknown = sorted(set(request.GET) - names)
    if unknown:
        raise BadRequest(f"Unknown parameter: {', '.join(unknown)[:200]}.")
    for key, values in request.GET.lists():
        if len(values) > 1:
            raise BadRequest(f"Parameter given more than once: {key}.")
        if any("\x00" in value for value in values):
            raise BadRequest(f"Parameter contains a NUL character: {key}.")


# Schemas -------------------------------------------------------------------


class Problem(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Bad Request",
                    "status": 400,
                    "detail": "Unknown parameter: colour.",
                }
            ]
        }
    }

    type: str
    title: str
    status: int
    detail: str | None = None


class CategoryOut(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"name": "News", "slug": "news", "url": "https://example.org/category/news/"}
            ]
        }
    }

    name: str
    slug: str
    url: str


class TagOut(Schema):
    name: str
    slug: str
    url: str


class AuthorOut(Schema):
    name: str
    slug: str
    url: str


class Rendition(Schema):
    url: str
    width: int
    type: str


class LeadImage(Schema):
    url: str
    width: int
    height: int
    alt: str
    caption: str
    credit: str
    renditions: list[Rendition]


class EmbedOut(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "provider": "instagram",
                    "url": "https://www.instagram.com/p/ABC123def/",
                    "author_name": "Ana Lens",
                    "author_handle": "analens",
                    "title": "",
                }
            ]
        }
    }

    provider: str
    url: str
    author_name: str
    author_handle: str
    title: str


class ArticleCard(Schema):
    """An article in a list; ``fields=`` may leave any field out."""

    id: int | None = None
    title: str | None = None
    dek: str | None = None
    summary: str | None = None
    url: str | None = None
    published_at: DateTimeText | None = None
    category: CategoryOut | None = None
    authors: list[AuthorOut] | None = None
    tags: list[TagOut] | None = None
    image: LeadImage | None = None


class ArticleDetail(Schema):
    id: int
    title: str
    dek: str
    summary: str
    url: str
    published_at: DateTimeText
    updated_at: DateTimeText
    category: CategoryOut
    authors: list[AuthorOut]
    tags: list[TagOut]
    image: LeadImage | None
    body: str = Field(description="Sanitized HTML.")
    embeds: list[EmbedOut]


class ArticlePage(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "results": [
                        {
                            "id": 42,
                            "title": "Council approves the new library",
                            "url": "https://example.org/2024/03/10/council-library/",
                            "published_at": "2024-03-10T08:41:55+00:00",
                        }
                    ],
                    "next": "https://example.org/api/v1/articles?cursor=MTcxMDA2MDExNS4wOjQy",
                }
            ]
        }
    }

    results: list[ArticleCard]
    next: str | None = Field(description="The next page's URL, or null on the last page.")


class SearchHit(Schema):
    rank: float
    article: ArticleCard


class SearchPage(Schema):
    results: list[SearchHit]
    more: bool = Field(description="Whether more articles match than were listed.")


class Site(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [{"name": "Newsroom", "url": "https://example.org", "language": "en-us"}]
        }
    }

    name: str
    url: str
    language: str


# Serialisation -------------------------------------------------------------

CARD_KEYS = tuple(ArticleCard.model_fields)


def iso(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def category_out(category: Category) -> dict:
    return {
        "name": category.name,
        "slug": category.slug,
        "url": absolute_url(category.get_absolute_url()),
    }


def tag_out(tag: Tag) -> dict:
    from django.urls import reverse

    url = absolute_url(reverse("articles:tag", kwargs={"slug": tag.slug}))
    return {"name": tag.name, "slug": tag.slug, "url": url}


def author_out(author: Author) -> dict:
    return {
        "name": author.name,
        "slug": author.slug,
        "url": absolute_url(author.get_absolute_url()),
    }


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


def encode_cursor(article: Article) -> str:
    raw = f"{article.published_at.timestamp():.6f}:{article.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        seconds, pk = raw.split(":")
        moment = datetime.datetime.fromtimestamp(float(seconds), tz=datetime.UTC)
        pk = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError, OSError) as exc:
        raise BadRequest("The cursor is not valid.") from exc
    if not 0 < pk <= MAX_ID:
        raise BadRequest("The cursor is not valid.")
    return moment, pk


# Endpoints -----------------------------------------------------------------

Ordering = Literal["-published_at", "published_at"]


class ArticleFilters(Schema):
    category: Slug | None = Field(None, description="A category's slug; includes subcategories.")
    tag: Slug | None = None
    author: Slug | None = None
    published_after: datetime.datetime | None = Field(
        None, description="Inclusive; a time without offset is UTC."
    )
    published_before: datetime.datetime | None = Field(
        None, description="Exclusive; a time without offset is UTC."
    )
    ordering: Ordering = "-published_at"
    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    fields: Annotated[str, Field(max_length=200)] | None = Field(
        None, description=f"Comma-separated subset of: {', '.join(CARD_KEYS)}."
    )


def chosen_fields(fields: str | None) -> tuple[str, ...]:
    if fields is None:
        return CARD_KEYS
    chosen = tuple(dict.fromkeys(name.strip() for name in fields.split(",") if name.strip()))
    unknown = [name for name in chosen if name not in CARD_KEYS]
    if unknown or not chosen:
        raise BadRequest(f"Unknown field in fields=; choose from {', '.join(CARD_KEYS)}.")
    return chosen


def aware(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, datetime.UTC)
    return moment


@api.get("/articles", response={200: ArticlePage, 400: Problem}, exclude_unset=True)
def article_list(request: HttpRequest, filters: Query[ArticleFilters]):
    """Published articles, newest first unless ``ordering`` says otherwise."""
    allow_only(request, set(ArticleFilters.model_fields))
    keys = chosen_fields(filters.fields)
    articles = Article.objects.published()
    if filters.category is not None:
        category = Category.objects.filter(
            slug=filters.category, pk__in=public_categories().ids
        ).first()
        if category is None:
            articles = articles.none()
        else:
            _ancestors, descendants = category_family(category)
            articles = articles.in_categories([category, *descendants])
    if filters.tag is not None:
        articles = articles.filter(tags__slug=filters.tag)
    if filters.author is not None:
        articles = articles.filter(bylines__author__slug=filters.author)
    if filters.published_after is not None:
        articles = articles.filter(published_at__gte=aware(filters.published_after))
    if filters.published_before is not None:
        articles = articles.filter(published_at__lt=aware(filters.published_before))
    newest_first = filters.ordering == "-published_at"
    if filters.cursor is not None:
        moment, pk = decode_cursor(filters.cursor)
        if newest_first:
            after = Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk)
        else:
            after = Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=pk)
        articles = articles.filter(after)
    order = ("-published_at", "-pk") if newest_first else ("published_at", "pk")
    page = list(api_cards(articles.order_by(*order))[: filters.limit + 1])
    following = None
    if len(page) > filters.limit:
        page = page[: filters.limit]
        query = request.GET.copy()
        query["cursor"] = encode_cursor(page[-1])
        following = absolute_url(f"{request.path}?{query.urlencode()}")
    return {"results": [card_out(a, keys) for a in page], "next": following}


def detail_out(article: Article) -> dict:
    matches = embed_matches(article.body)
    rows = {embed.url: embed for embed in Embed.objects.for_urls(matches)} if matches else {}
    embeds = []
    for found in matches:
        row = rows.get(found.url)
        embeds.append(
            {
                "provider": found.provider,
                "url": found.url,
                "author_name": row.author_name if row else "",
                "author_handle": row.author_handle if row else "",
                "title": row.title if row else "",
            }
        )
    return card_out(article) | {
        "updated_at": iso(article.updated_at),
        "body": absolute_sources(article.body),
        "embeds": embeds,
    }


def detail_queryset() -> QuerySet[Article]:
    return (
        Article.objects.published()
        .select_related("category", "image")
        .prefetch_related(
            Prefetch(
                "bylines",
                queryset=Byline.objects.select_related("author").order_by("position"),
            ),
            "tags",
        )
    )


@api.get("/articles/{article_id}", response={200: ArticleDetail, 400: Problem, 404: Problem})
def article_detail(request: HttpRequest, article_id: Path[Annotated[int, Field(ge=1, le=MAX_ID)]]):
    allow_only(request, set())
    article = detail_queryset().filter(pk=article_id).first()
    if article is None:
        raise Http404
    return detail_out(article)


@api.get(
    "/permalinks/{year}/{month}/{day}/{slug}",
    response={200: ArticleDetail, 400: Problem, 404: Problem},
)
def article_by_permalink(
    request: HttpRequest,
    year: Path[Annotated[int, Field(ge=1, le=9999)]],
    month: Path[Annotated[int, Field(ge=1, le=12)]],
    day: Path[Annotated[int, Field(ge=1, le=31)]],
    slug: Path[Slug],
):
    """The article at ``/<year>/<month>/<day>/<slug>/`` on the site."""
    allow_only(request, set())
    try:
        on = datetime.date(year, month, day)
    except ValueError as exc:
        raise BadRequest("No such date.") from exc
    article = detail_queryset().filter(published_on=on, slug=slug).first()
    if article is None:
        raise Http404
    return detail_out(article)


@api.get("/categories", response={200: list[CategoryOut], 400: Problem})
def category_list(request: HttpRequest):
    """Categories readers may see: with a published article, or marked public."""
    allow_only(request, set())
    public = Category.objects.filter(pk__in=public_categories().ids).order_by("name", "pk")
    return [category_out(c) for c in public.only("name", "slug")]


@api.get("/tags", response={200: list[TagOut], 400: Problem})
def tag_list(request: HttpRequest):
    """Tags that a published article uses."""
    allow_only(request, set())
    used = Tag.objects.filter(
        used_by_published(TaggedArticle.objects.all(), "tag", "content_object")
    )
    return [tag_out(t) for t in used.order_by("name", "pk")]


@api.get("/authors", response={200: list[AuthorOut], 400: Problem})
def author_list(request: HttpRequest):
    """Authors on a published article's byline, or marked public."""
    allow_only(request, set())
    shown = Author.objects.filter(
        Q(is_public=True) | Q(used_by_published(Byline.objects.all(), "author", "article"))
    )
    return [author_out(a) for a in shown.order_by("name", "pk").only("name", "slug")]


class SearchFilters(Schema):
    q: Annotated[str, Field(min_length=1, max_length=200)]
    category: Slug | None = None
    date_from: datetime.date | None = Field(None, description="Permalink date, inclusive.")
    date_to: datetime.date | None = Field(None, description="Permalink date, inclusive.")
    offset: Annotated[int, Field(ge=0, le=1000)] = 0
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT


@api.get("/search", response={200: SearchPage, 400: Problem})
def article_search(request: HttpRequest, filters: Query[SearchFilters]):
    """Full-text search over published articles, best match first."""
    allow_only(request, set(SearchFilters.model_fields))
    category = None
    if filters.category is not None:
        category = Category.objects.filter(
            slug=filters.category, pk__in=public_categories().ids
        ).first()
        if category is None:
            return {"results": [], "more": False}
    results = search.search(
        filters.q,
        category=category,
        date_from=filters.date_from,
        date_to=filters.date_to,
        cards=api_cards,
    )
    start, stop = filters.offset, filters.offset + filters.limit
    results.want(start, stop)
    hits = results[start:stop]
    return {
        "results": [{"rank": hit.rank, "article": card_out(hit.article)} for hit in hits],
        "more": results.count() > stop or results.more,
    }


@api.get("/site", response={200: Site, 400: Problem})
def site(request: HttpRequest):
    """What a front-end needs to present the site."""
    allow_only(request, set())
    return {
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL,
        "language": settings.LANGUAGE_CODE,
    }
