"""The content API's request and response shapes; the OpenAPI schema is built from them."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_ID = 2**63 - 1
SLUG = r"^[-\w]{1,150}$"
Slug = Annotated[str, Field(pattern=SLUG, max_length=150)]
DateTimeText = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


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


class ApiIndex(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "Newsroom content API",
                    "version": "1",
                    "openapi": "https://example.org/api/v1/openapi.json",
                    "docs": "https://example.org/api/v1/docs",
                    "endpoints": {
                        "articles": "https://example.org/api/v1/articles",
                        "article": "https://example.org/api/v1/articles/{article_id}",
                        "site": "https://example.org/api/v1/site",
                    },
                }
            ]
        }
    }

    name: str
    version: str
    openapi: str = Field(description="The OpenAPI 3.1 schema of this version.")
    docs: str = Field(description="Interactive documentation of this version.")
    endpoints: dict[str, str] = Field(
        description="Each endpoint's address; `{name}` stands for a path parameter."
    )


CARD_KEYS = tuple(ArticleCard.model_fields)
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


class SearchFilters(Schema):
    q: Annotated[str, Field(min_length=1, max_length=200)]
    category: Slug | None = None
    date_from: datetime.date | None = Field(None, description="Permalink date, inclusive.")
    date_to: datetime.date | None = Field(None, description="Permalink date, inclusive.")
    offset: Annotated[int, Field(ge=0, le=1000)] = 0
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
