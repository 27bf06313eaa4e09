"""Crawl the public site from its entry points; no unpublished article may show anywhere."""

import datetime
import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings

from articles.models import Article
from tests.articles.conftest import NOON
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

ENTRY_POINTS = ["/", "/sitemap.xml", "/news-sitemap.xml", "/feed/", "/feed/atom/", "/robots.txt"]
LINK = re.compile(r"""(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>|<link>([^<]+)</link>""")
MAX_PAGES = 400


def internal_path(url: str) -> str | None:
    """The local path of an in-site URL, or None for other sites, mailto: and the like."""
    url = unescape(url.strip())
    if url.startswith(settings.SITE_URL):
        url = url[len(settings.SITE_URL) :] or "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(("/static/", "/media/", "/admin/")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(ENTRY_POINTS)
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        text = response.content.decode()
        seen[path] = text
        for match in LINK.finditer(text):
            target = internal_path(urljoin(path, next(g for g in match.groups() if g)))
            if target and target not in seen:
                queue.append(target)
    assert len(seen) < MAX_PAGES, "crawl did not finish"
    return seen


@pytest.fixture
def site(noon):
    categories = [make_category(name=n, slug=n.lower()) for n in ("News", "Music", "City")]
    authors = [make_author(name=n, slug=n.lower()) for n in ("Ana", "Ben")]
    for n in range(15):
        make_article(
            title=f"Visible story {n}",
            category=categories[n % 3],
            authors=authors[: 1 + n % 2],
            tags=[f"tag-{n % 4}", "shared"],
            published_at=NOON - datetime.timedelta(hours=n * 5 + 1),
        )
    hidden = [
        make_article(title="Secret draft zebra", slug="secret-draft-zebra",
                     status=Article.Status.DRAFT, published_at=None, category=categories[0],
                     authors=authors, tags=["shared", "tag-0", "hidden-only-tag"]),
        make_article(title="Secret review yak", slug="secret-review-yak",
                     status=Article.Status.REVIEW, published_at=NOON - datetime.timedelta(hours=2),
                     category=categories[1], authors=authors, tags=["shared"]),
        make_article(title="Secret scheduled walrus", slug="secret-scheduled-walrus",
                     published_at=NOON + datetime.timedelta(minutes=30), category=categories[2],
                     authors=authors, tags=["shared", "tag-1"]),
    ]  # fmt: skip
    return hidden


def test_no_unpublished_article_is_reachable_from_any_public_page(client, site):
    pages = crawl(client)
    assert len(pages) > 40  # the crawl really walked the site
    for hidden in site:
        for path, text in pages.items():
            assert hidden.title not in text, (hidden.title, path)
            assert hidden.slug not in text, (hidden.slug, path)
    assert not any("hidden-only-tag" in text for text in pages.values())


def test_the_scheduled_article_is_reachable_once_its_time_has_come(client, site, time_machine):
    time_machine.move_to(NOON + datetime.timedelta(minutes=30), tick=False)
    pages = crawl(client)
    scheduled = site[2]
    assert scheduled.get_absolute_url() in pages
    for hidden in site[:2]:
        assert not any(hidden.slug in text for text in pages.values())
