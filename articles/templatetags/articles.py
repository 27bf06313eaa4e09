"""Template helpers for reader pages: share links, JSON-LD, navigation."""

import datetime
import json
from urllib.parse import quote

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from articles.links import absolute_url
from articles.models import Article
from articles.taxonomy import public_categories

register = template.Library()

# Characters that could end a <script> element or start markup inside JSON-LD.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def absolute(path: str) -> str:
    """``path`` made absolute with SITE_URL (unchanged when it already is)."""
    return absolute_url(path)


def share_links(url: str, title: str, image_url: str = "") -> list[dict[str, str]]:
    """Share targets for a page, each carrying the absolute URL and title percent-encoded."""
    u, t = quote(url, safe=""), quote(title, safe="")
    links = [
        ("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={u}"),
        ("x", "X", f"https://x.com/intent/post?url={u}&text={t}"),
        ("linkedin", "LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={u}"),
        ("reddit", "Reddit", f"https://www.reddit.com/submit?url={u}&title={t}"),
        ("whatsapp", "WhatsApp", f"https://wa.me/?text={t}%20{u}"),
        ("telegram", "Telegram", f"https://t.me/share/url?url={u}&text={t}"),
        (
            "pinterest",
            "Pinterest",
            f"https://www.pinterest.com/pin/create/button/?url={u}&description={t}"
            + (f"&media={quote(image_url, safe='')}" if image_url else ""),
        ),
        ("email", "Email", f"mailto:?subject={t}&body={u}"),
    ]
    return [{"key": key, "name": name, "href": href} for key, name, href in links]


@register.inclusion_tag("includes/share.html")
def share(url: str, title: str, image_url: str = "") -> dict:
    return {"links": share_links(url, title, image_url), "url": url, "title": title}


def article_json_ld(
    article: Article, authors: list, image_url: str = "", corrections: list = ()
) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.meta_description,
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "datePublished": iso(article.published_at) or None,
        "dateModified": iso(max([article.updated_at, *(c.created_at for c in corrections)])),
        "articleSection": article.category.name,
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
            for author in authors
        ],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL + "/",
        },
    }
    if image_url:
        data["image"] = [image_url]
    fixes = [c for c in corrections if c.kind == c.Kind.CORRECTION]
    if fixes:
        data["correction"] = [
            {"@type": "CorrectionComment", "text": c.text, "datePublished": iso(c.created_at)}
            for c in fixes
        ]
    return {key: value for key, value in data.items() if value is not None}


@register.simple_tag
def json_ld(data: dict) -> SafeString:
    """A JSON-LD block; ``<``, ``>`` and ``&`` are escaped so no value can close the script."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(payload))


@register.simple_tag
def article_ld(
    article: Article, authors: list, image_url: str = "", corrections: list = ()
) -> SafeString:
    return json_ld(article_json_ld(article, authors, image_url, corrections))


@register.inclusion_tag("articles/tags/category_nav.html")
def category_nav() -> dict:
    """Top-level public categories for the header, kept with the content
    (``articles.taxonomy``): a section appears with its first published article."""
    return {"categories": public_categories().menu}


@register.filter
def iso(value: datetime.datetime | None) -> str:
    """ISO 8601 in the site's time zone, to the second: ``2022-05-03T08:41:55+00:00``."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.simple_tag(takes_context=True)
def page_ld(context, name: str = "") -> SafeString:
    """JSON-LD for a non-article page: the site (with its search) on the home page,
    a ``CollectionPage`` elsewhere."""
    request = context["request"]
    url = absolute(request.path)
    if not name:
        return json_ld(
            {
                "@context": "https://schema.org",
                "@type": "WebSite",
                "name": settings.SITE_NAME,
                "url": url,
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": absolute(reverse("articles:search")) + "?q={query}",
                    "query-input": "required name=query",
                },
            }
        )
    return json_ld(
        {
            "@context": "https://schema.org",
            "@type": "CollectionPage",
            "name": name,
            "url": url,
            "isPartOf": {"@type": "WebSite", "name": settings.SITE_NAME, "url": absolute("/")},
        }
    )
