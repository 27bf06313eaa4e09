"""The content API's endpoints, ``/api/v1/``: read-only, through the publish gate."""

from __future__ import annotations

import datetime
import functools
from typing import Annotated, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, NinjaAPI, Path, Query
from ninja.errors import HttpError, ValidationError
from taggit.models import Tag

from articles import search
from articles.api.output import (
    BadRequest,
    api_cards,
    author_out,
    card_out,
    category_out,
    decode_cursor,
    encode_cursor,
    iso,
    tag_out,
    with_names,
)
from articles.api.schemas import (
    CARD_KEYS,
    MAX_ID,
    ApiIndex,
    ArticleDetail,
    ArticleFilters,
    ArticlePage,
    AuthorOut,
    CategoryOut,
    Problem,
    SearchFilters,
    SearchPage,
    Site,
    Slug,
    TagOut,
)
from articles.images import absolute_sources
from articles.links import absolute_url
from articles.models import Article, Author, Byline, Category, TaggedArticle, category_family
from articles.sitemaps import used_by_published
from articles.taxonomy import public_categories
from embeds.models import Embed
from embeds.rendering import embed_matches

PROBLEM = "application/problem+json"


class ContentAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # The view's name, not its module path: clients generate code from it.
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's schema plus the optional partner key (``articles.api.keys``):
        two ways to send it, none required, and the 401 and 429 problems the
        rate limit answers on every operation."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"]["securitySchemes"] = {
            "bearerKey": {
                "type": "http",
                "scheme": "bearer",
                "description": "A partner API key, `Authorization: Bearer nrk_…`.",
            },
            "apiKeyHeader": {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key",
                "description": "The same partner API key in its own header.",
            },
        }
        # The empty requirement first: without a key, the anonymous limit applies.
        schema["security"] = [{}, {"bearerKey": []}, {"apiKeyHeader": []}]
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        refusals = {
            401: "The API key sent is not valid or has been revoked.",
            429: "Past the rate limit of the address or key; see Retry-After.",
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, description in refusals.items():
                    operation["responses"][status] = {
                        "description": description,
                        "content": {PROBLEM: {"schema": problem_ref}},
                    }
        return schema

    @property
    def urls(self) -> tuple[list, str, str]:
        """The API's URLs, answering HEAD as GET (the server drops the body),
        as the pages do; ninja itself would answer 405."""
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _head_as_get(pattern.callback)
        return patterns, app_name, namespace


def _head_as_get(view):
    @functools.wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "HEAD":
            request.method = "GET"
        return view(request, *args, **kwargs)

    return answer


api = ContentAPI(
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
    # Our own dicts of plain values, already in the schema's shape (the tests
    # check it): written out directly, not validated again field by field.
    return JsonResponse(
        {"results": [card_out(a, keys) for a in page], "next": following},
        content_type="application/json; charset=utf-8",
    )


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
    return with_names(Article.objects.published().select_related("category", "image"))


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


@api.get("/", response={200: ApiIndex, 400: Problem})
def api_index(request: HttpRequest):
    """Where everything in this version of the API is: each endpoint's
    address, the OpenAPI schema and the interactive documentation."""
    allow_only(request, set())

    def link(name: str, **kwargs: Any) -> str:
        return absolute_url(reverse(f"api-v1:{name}", kwargs=kwargs or None))

    return {
        "name": f"{settings.SITE_NAME} content API",
        "version": api.version,
        "openapi": link("openapi-json"),
        "docs": link("openapi-view"),
        "endpoints": {
            "articles": link("article_list"),
            "article": link("article_detail", article_id=1).removesuffix("1") + "{article_id}",
            "permalink": link(
                "article_by_permalink", year=2000, month=1, day=1, slug="slug"
            ).removesuffix("2000/1/1/slug")
            + "{year}/{month}/{day}/{slug}",
            "categories": link("category_list"),
            "tags": link("tag_list"),
            "authors": link("author_list"),
            "search": link("article_search"),
            "site": link("site"),
        },
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


@api.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown(request: HttpRequest, rest: str):
    """Any other address under /api/v1/: a problem, not the site's HTML 404 page.
    Registered last, so every route above is tried first."""
    raise Http404
