"""Crawl the public site from its entry points; no unpublished article may show anywhere."""

import datetime
import json
import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings

from articles.models import Article
from tests.articles.conftest import NOON
from tests.articles.editorial import logged_in, make_writer
from tests.factories import make_article, make_author, make_category

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

ENTRY_POINTS = ["/", "/sitemap.xml", "/news-sitemap.xml", "/feed/", "/feed/atom/", "/robots.txt"]
LINK = re.compile(r"""(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>|<link>([^<]+)</link>""")
MAX_PAGES = 400


# What a logged-in writer's crawl also walks: the article admin's pages, each
# without the sorting and filter links (their combinations are endless; the
# entry points below try the filters that matter).
ADMIN_ARTICLES = "/admin/articles/article/"
ADMIN_ENTRY_POINTS = [
    ADMIN_ARTICLES,
    *(f"{ADMIN_ARTICLES}?state={state}" for state in ("draft", "review", "scheduled")),
    f"{ADMIN_ARTICLES}?q=secret",
]


def internal_path(url: str, *, admin: bool = False) -> str | None:
    """The local path of an in-site URL, or None for other sites, mailto: and the like."""
    url = unescape(url.strip())
    if url.startswith(settings.SITE_URL):
        url = url[len(settings.SITE_URL) :] or "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(ADMIN_ARTICLES) and admin:
        if parts.query or parts.path.endswith(("/delete/", "/add/", "/recover/")):
            return None
        return parts.path
    if parts.path.startswith(("/static/", "/media/", "/admin/")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, *, admin: bool = False) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque([*ENTRY_POINTS, *(ADMIN_ENTRY_POINTS if admin else [])])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        text = response.content.decode()
        seen[path] = text
        for match in LINK.finditer(text):
            found = next(g for g in match.groups() if g)
            target = internal_path(urljoin(path, found), admin=admin)
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
    # Taxonomy that only the hidden articles use: each must stay unnamed too.
    owner = make_writer("owner")
    owner.author.name, owner.author.slug = "Hidden Hortensia", "hidden-hortensia"
    owner.author.save()
    hidden_author = make_author(name="Hidden Hugo", slug="hidden-hugo", bio="Hidden bio")
    hidden_category = make_category(
        name="Hidden Section", slug="hidden-section", description="Hidden description"
    )
    hidden_child = make_category(
        name="Hidden Subsection", slug="hidden-subsection", parent=categories[0]
    )
    hidden = [
        make_article(title="Secret draft zebra", slug="secret-draft-zebra",
                     status=Article.Status.DRAFT, published_at=None, category=hidden_category,
                     authors=[*authors, owner.author],
                     tags=["shared", "tag-0", "hidden-only-tag"]),
        make_article(title="Secret review yak", slug="secret-review-yak",
                     status=Article.Status.REVIEW, published_at=NOON - datetime.timedelta(hours=2),
                     category=hidden_child, authors=[owner.author, hidden_author],
                     tags=["shared", "hidden-review-tag"]),
        make_article(title="Secret scheduled walrus", slug="secret-scheduled-walrus",
                     published_at=NOON + datetime.timedelta(minutes=30), category=categories[2],
                     authors=[*authors, owner.author, hidden_author],
                     tags=["shared", "tag-1", "hidden-scheduled-tag"]),
    ]  # fmt: skip
    # Live coverage on a visible story and on the hidden ones: the crawl walks
    # the posts' permalinks, and no hidden article's post may show.
    from articles.live.models import LivePost

    visible = Article.objects.get(title="Visible story 0")
    for article in [visible, *hidden]:
        Article.objects.filter(pk=article.pk).update(is_live=True, coverage_started_at=NOON)
        LivePost.objects.create(article=article, body=f"<p>Live post of {article.slug}.</p>")
    return hidden


# Names and addresses of what only the hidden articles use.
HIDDEN_TAXONOMY = [
    "hidden-only-tag",
    "hidden-review-tag",
    "hidden-scheduled-tag",
    "Hidden Hortensia",
    "hidden-hortensia",
    "Hidden Hugo",
    "hidden-hugo",
    "Hidden bio",
    "Hidden Section",
    "hidden-section",
    "Hidden description",
    "Hidden Subsection",
    "hidden-subsection",
]


def test_no_unpublished_article_is_reachable_from_any_public_page(client, site):
    pages = crawl(client)
    assert len(pages) > 40  # the crawl really walked the site
    visible = Article.objects.get(title="Visible story 0")
    assert any(f"Live post of {visible.slug}." in text for text in pages.values())
    assert any("?post=" in path for path in pages)
    for hidden in site:
        for path, text in pages.items():
            assert hidden.title not in text, (hidden.title, path)
            assert hidden.slug not in text, (hidden.slug, path)
    for path, text in pages.items():
        for name in HIDDEN_TAXONOMY:
            assert name not in text, (name, path)


@pytest.mark.parametrize(
    "path",
    [
        f"/{kind}/{slug}/{feed}"
        for kind, slug in [
            ("tag", "hidden-only-tag"),
            ("tag", "hidden-review-tag"),
            ("tag", "hidden-scheduled-tag"),
            ("author", "hidden-hortensia"),
            ("author", "hidden-hugo"),
            ("category", "hidden-section"),
            ("category", "hidden-subsection"),
        ]
        for feed in ("", "feed/")
    ],
)
def test_taxonomy_of_hidden_articles_only_is_not_found(client, site, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Hidden" not in response.content.decode()


def test_a_second_writer_finds_no_other_writers_draft_in_the_admin_or_at_permalinks(site):
    """Logged in, the crawl also walks the article admin: list, filters, search,
    change, history and compare pages, as a writer who is on no hidden byline."""
    other = logged_in(make_writer("other"))
    pages = crawl(other, admin=True)
    assert sum(path.startswith(ADMIN_ARTICLES) for path in pages) > 20
    for hidden in site:
        for path, text in pages.items():
            assert hidden.title not in text, (hidden.title, path)
        for path in (hidden.get_absolute_url(), f"{ADMIN_ARTICLES}{hidden.pk}/history/"):
            response = other.get(path)
            assert response.status_code == 404, path
            assert hidden.title not in response.content.decode()


def test_the_writer_on_the_byline_does_find_their_hidden_articles(site):
    from django.contrib.auth.models import User

    owner = logged_in(User.objects.get(username="owner"))
    changelist = owner.get(ADMIN_ARTICLES).content.decode()
    for hidden in site:
        assert hidden.title in changelist
        assert owner.get(hidden.get_absolute_url()).status_code == 200


def crawl_api(client) -> dict[str, str]:
    """Every API answer reachable from /api/v1/: lists, their next pages, each
    article by id and permalink, and the lists filtered by each listed name."""
    seen: dict[str, str] = {}
    queue = deque(
        f"/api/v1/{path}"
        for path in ("articles?limit=4", "categories", "tags", "authors", "site", "search?q=story")
    )
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        seen[path] = text = response.content.decode()
        body = json.loads(text)
        if isinstance(body, list):  # categories, tags, authors: list each one's articles
            kind = path.rsplit("/", 1)[-1].rstrip("s").replace("categorie", "category")
            queue.extend(f"/api/v1/articles?{kind}={item['slug']}" for item in body)
            continue
        if body.get("next"):
            queue.append(internal_path(body["next"]))
        for item in body.get("results", []):
            article = item.get("article", item)
            queue.append(f"/api/v1/articles/{article['id']}")
            queue.append("/api/v1/permalinks" + urlsplit(article["url"]).path.rstrip("/"))
    assert len(seen) < MAX_PAGES, "crawl did not finish"
    return seen


def test_no_unpublished_article_or_its_taxonomy_shows_in_the_api(client, site):
    answers = crawl_api(client)
    assert sum("/api/v1/articles/" in path for path in answers) == 15
    for path, text in answers.items():
        for hidden in site:
            assert hidden.title not in text, (hidden.title, path)
            assert hidden.slug not in text, (hidden.slug, path)
        for name in HIDDEN_TAXONOMY:
            assert name not in text, (name, path)
    for hidden in site:
        assert client.get(f"/api/v1/articles/{hidden.pk}").status_code == 404
