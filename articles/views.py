"""Reader pages. Every public query starts from ``Article.objects.published()``."""

import datetime
import hashlib

from django.conf import settings
from django.contrib.sitemaps.views import SitemapIndexItem, sitemap
from django.core.paginator import InvalidPage, Page
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView
from django.views.generic.dates import DayArchiveView, MonthArchiveView, YearArchiveView
from taggit.models import Tag

from articles import redirects, search
from articles.links import absolute_url
from articles.listing import (
    LIST_TIMEOUT,
    ArticlePaginator,
    by_slug,
    cached_page,
    cards,
    list_key,
)
from articles.live import pages as live_pages
from articles.models import Article, Author, Category, category_family
from articles.pages import article_parts, published_article_at
from articles.sitemaps import news_articles, sitemaps
from articles.taxonomy import public_categories
from embeds.csp import allow_embed_frames
from newsroom.cache import remember

LIST_SIZE = 12


class PublishedArticlesMixin:
    """Lists, archives and pages built on them: only what readers may see.

    A page of the list is kept with the content (``articles.listing``): the
    first reader after a change pays for the queries, the others do not.
    """

    model = Article
    paginate_by = LIST_SIZE
    paginate_orphans = 2
    paginator_class = ArticlePaginator

    def get_queryset(self):
        return cards(Article.objects.published())

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        number = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg) or 1
        key = list_key(type(self).__name__, self.request.path, number)
        try:
            paginator, page = cached_page(paginator, number, key, self.prepare_page)
        except InvalidPage as error:
            raise Http404(_("Invalid page: %(message)s") % {"message": error}) from None
        if paginator.count == 0 and not self.shown_when_empty():
            # Private until published (articles.taxonomy): the count is the
            # paginator's own, kept with the page, so the rule costs no query.
            raise Http404(_("No articles available"))
        return paginator, page, page.object_list, page.has_other_pages()

    def shown_when_empty(self) -> bool:
        """Whether the page exists while no published article is on it."""
        return True

    def prepare_page(self, articles: list[Article], page: Page) -> None:
        """Load what the template needs of ``articles`` before they are kept."""


class HomeView(PublishedArticlesMixin, ListView):
    template_name = "articles/home.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # WordPress's short links (/?p=123) answer with the imported article's
        # 301 (articles/wordpress); the home page itself never looks.
        if "p" in request.GET:
            post_id = request.GET["p"]
            if post_id.isascii() and post_id.isdigit() and len(post_id) <= 19:
                target = redirects.resolve(f"/?p={int(post_id)}")
                if target is None:
                    raise Http404(_("No article has this address."))
                return HttpResponsePermanentRedirect(target)
        return super().get(request, *args, **kwargs)

    def prepare_page(self, articles: list[Article], page: Page) -> None:
        if page.number == 1 and articles:
            articles[0].get_summary()  # the lead card's summary may come from its body

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        first_page = page.number == 1
        # Callables, which templates call: a cached list fragment never needs them.
        context["lead"] = lambda: page.object_list[0] if first_page and page.object_list else None
        context["latest"] = lambda: page.object_list[1:] if first_page else page.object_list
        return context


class ArticleArchiveMixin(PublishedArticlesMixin):
    """Django's date archives over ``published_at``, numeric months, no future.

    Django asks the database on every request whether the period is empty,
    which days or months it has and where the neighbouring periods are; the
    answers change only with the content, so they are kept with it.
    """

    date_field = "published_at"
    month_format = "%m"
    allow_future = False
    allow_empty = False

    def kept(self, compute, *parts):
        key = ("archive", type(self).__name__, self.request.path, *parts)
        return remember(compute, *key, timeout=LIST_TIMEOUT)

    def get_dated_queryset(self, **lookup):
        allow_empty, self.allow_empty = self.allow_empty, True
        try:
            articles = super().get_dated_queryset(**lookup)
        finally:
            self.allow_empty = allow_empty
        if not allow_empty and not self.kept(articles.exists, "exists"):
            raise Http404(_("No articles available"))
        return articles

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        parent = super()
        return self.kept(
            lambda: list(parent.get_date_list(queryset, date_type, ordering)),
            "dates",
            date_type,
            ordering,
        )

    def kept_neighbour(self, method: str, date):
        """Django's next or previous period holding articles, kept with the content."""
        parent = getattr(super(), method)
        return self.kept(lambda: parent(date), method, date)

    def get_next_year(self, date):
        return self.kept_neighbour("get_next_year", date)

    def get_previous_year(self, date):
        return self.kept_neighbour("get_previous_year", date)

    def get_next_month(self, date):
        return self.kept_neighbour("get_next_month", date)

    def get_previous_month(self, date):
        return self.kept_neighbour("get_previous_month", date)

    def get_next_day(self, date):
        return self.kept_neighbour("get_next_day", date)

    def get_previous_day(self, date):
        return self.kept_neighbour("get_previous_day", date)


class ArticleYearArchiveView(ArticleArchiveMixin, YearArchiveView):
    make_object_list = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = _("Articles from %(year)s") % {"year": context["year"].year}
        return context


class ArticleMonthArchiveView(ArticleArchiveMixin, MonthArchiveView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = date_format(context["month"], "F Y")
        context["heading"] = _("Articles from %(month)s") % {"month": month}
        return context


class ArticleDayArchiveView(ArticleArchiveMixin, DayArchiveView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = date_format(context["day"], "F jS, Y")
        context["heading"] = _("Articles from %(day)s") % {"day": day}
        return context


@method_decorator(allow_embed_frames, name="dispatch")
class ArticleDetailView(DetailView):
    """An article at its permalink.

    Readers get published articles only. Editors also see drafts and
    scheduled ones, and writers those whose byline they are on, marked "Not
    published", never cached or indexed; everyone else gets a 404 for those.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def can_preview(self) -> bool:
        return self.request.user.has_perm("articles.change_article")

    def visible_articles(self):
        """Editors open every article here, writers also their own (``visible_to``)."""
        if self.can_preview():
            return Article.objects.visible_to(self.request.user)
        return Article.objects.published()

    def get_queryset(self):
        return self.visible_articles().select_related("category", "image").with_neighbours()

    def get_object(self, queryset=None):
        try:
            day = datetime.date(
                int(self.kwargs["year"]), int(self.kwargs["month"]), int(self.kwargs["day"])
            )
        except ValueError:
            raise Http404("No such date") from None
        if not self.can_preview():
            return published_article_at(day, self.kwargs["slug"])
        return get_object_or_404(self.get_queryset(), published_on=day, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        parts = article_parts(article)
        context.update(vars(parts), not_published=not article.is_published)
        if article.is_live:
            # The posts section, and JSON-LD as LiveBlogPosting (articles.live).
            live = live_pages.section(
                article, self.request.GET, polling=article.is_published, parts=parts
            )
            context.update(live_section=live.html, json_ld=live.json_ld)
        return context

    def is_private(self, context) -> bool:
        """Whether this response must stay out of shared caches and search engines."""
        return context["not_published"]

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        response = super().render_to_response(context, **response_kwargs)
        if self.is_private(context):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class CategoryView(PublishedArticlesMixin, ListView):
    """A category's articles, including those of its descendants."""

    template_name = "articles/category_detail.html"

    def get_queryset(self):
        self.category = by_slug(Category, self.kwargs["slug"])
        self.ancestors, descendants = remember(
            lambda: category_family(self.category),
            "category-family",
            self.category.pk,
            timeout=LIST_TIMEOUT,
        )
        self.subcategories = [c for c in descendants if c.parent_id == self.category.pk]
        return super().get_queryset().in_categories([self.category, *descendants])

    def shown_when_empty(self) -> bool:
        return self.category.is_public

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Only public sections are named or linked (articles.taxonomy).
        public = public_categories().ids
        return {
            **context,
            "heading": self.category.name,
            "category": self.category,
            "ancestors": [c for c in self.ancestors if c.pk in public],
            "subcategories": sorted(
                (c for c in self.subcategories if c.pk in public), key=lambda c: c.name
            ),
        }


class TagView(PublishedArticlesMixin, ListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = by_slug(Tag, self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def shown_when_empty(self) -> bool:
        return False  # tags have no "public" mark (articles.taxonomy)

    def get_context_data(self, **kwargs):
        heading = _("Tagged “%(name)s”") % {"name": self.tag.name}
        return super().get_context_data(heading=heading, tag=self.tag, **kwargs)


class AuthorView(PublishedArticlesMixin, ListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = by_slug(Author, self.kwargs["slug"])
        return super().get_queryset().filter(authors=self.author)

    def shown_when_empty(self) -> bool:
        return self.author.is_public

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.author.name, author=self.author, **kwargs)


class SearchView(ListView):
    """Published articles matching the query, best first (``articles.search``),
    with highlighted snippets and optional category and date filters.

    Filters that do not parse are ignored and said so; a query without words
    gets the empty state. Queries are endless and each is rare, so the page of
    results is not kept like other lists (the page cache still keeps the page).
    """

    template_name = "articles/search.html"
    paginate_by = LIST_SIZE
    context_object_name = "hits"

    def get_queryset(self) -> search.Results:
        params = self.request.GET
        self.query = search.clean_query(params.get("q", ""))
        self.notes: list[str] = []
        self.categories = remember(search_sections, "search-categories", timeout=LIST_TIMEOUT)
        self.category = self.date_from = self.date_to = None
        if slug := params.get("category", ""):
            self.category = next((c for c in self.categories if c.slug == slug), None)
            if self.category is None:
                self.notes.append(_("There is no such section, so all sections were searched."))
        self.date_from = self.date_param("from")
        self.date_to = self.date_param("to")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            self.date_from, self.date_to = self.date_to, self.date_from
        return search.search(
            self.query,
            category=self.category,
            date_from=self.date_from,
            date_to=self.date_to,
            cards=cards,
        )

    def date_param(self, name: str) -> datetime.date | None:
        value = self.request.GET.get(name, "").strip()
        if not value:
            return None
        try:
            day = datetime.date.fromisoformat(value[:10])
        except ValueError:
            day = None
        if day is None or len(value) != 10:
            self.notes.append(
                _("“%(value)s” is not a date like 2024-03-10, so it was ignored.")
                % {"value": value[:20]}
            )
            return None
        return day

    def paginate_queryset(self, queryset, page_size):
        number = self.request.GET.get(self.page_kwarg) or "1"
        if number.isascii() and number.isdigit() and 0 < int(number) <= search.CANDIDATES:
            # The page's hits and the count then come from one query.
            queryset.want((int(number) - 1) * page_size, int(number) * page_size)
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            raise Http404(_("No such page of results")) from None

    def get_context_data(self, **kwargs):
        results = self.object_list
        return super().get_context_data(
            query=self.query,
            searched=bool(results.query),
            results=results,
            categories=self.categories,
            category=self.category,
            date_from=self.date_from,
            date_to=self.date_to,
            notes=self.notes,
            **kwargs,
        )


def search_sections() -> list[Category]:
    """Sections holding a published article, themselves or below them: the
    search form's choices, by name."""
    filed = Exists(Article.objects.published().filter(category=OuterRef("pk")))
    sections = Category.objects.only("pk", "name", "slug", "parent_id").annotate(live=filed)
    every = {c.pk: c for c in sections}
    live = [pk for pk, c in every.items() if c.live]
    shown: set[int] = set()
    for pk in live:
        while pk is not None and pk not in shown and pk in every:
            shown.add(pk)
            pk = every[pk].parent_id
    return sorted((every[pk] for pk in shown), key=lambda c: (c.name.lower(), c.pk))


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('articles:search')}",
        # The preview route's prefix, whatever its token.
        f"Disallow: {reverse('articles:preview', kwargs={'token': '-'}).removesuffix('-/')}",
        "",
        f"Sitemap: {absolute_url(reverse('articles:sitemap-index'))}",
        f"Sitemap: {absolute_url(reverse('articles:news-sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def sitemap_index_items() -> list[SitemapIndexItem]:
    items = []
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        location = absolute_url(reverse("articles:sitemap-section", args=[section]))
        last_mod = sitemap.get_latest_lastmod()
        for page in range(1, sitemap.paginator.num_pages + 1):
            items.append(
                SitemapIndexItem(f"{location}?p={page}" if page > 1 else location, last_mod)
            )
    return items


def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The sitemap index, with absolute URLs from SITE_URL and each section's
    lastmod; rendered once per content generation, like the sections: at 100k
    articles it lists about a hundred files, 6 ms of template a request."""

    def render() -> HttpResponse:
        return TemplateResponse(
            request,
            "sitemap_index.xml",
            {"sitemaps": sitemap_index_items()},
            content_type="application/xml",
        ).render()

    return remember(render, "sitemap-index", timeout=LIST_TIMEOUT)


def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """A sitemap section as Django's view renders it, kept with the content.

    The articles section lists up to 5,000 addresses a page, each a reverse()
    and a template row: rendered once per content generation, not per request.
    Unknown sections and pages are 404s, which are not kept.
    """
    page = hashlib.sha256(request.GET.get("p", "1").encode()).hexdigest()[:16]

    def render() -> HttpResponse:
        return sitemap(request, sitemaps=sitemaps, section=section).render()

    return remember(render, "sitemap-section", section, page, timeout=LIST_TIMEOUT)


def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Google News sitemap: articles published in the last 48 hours."""
    return TemplateResponse(
        request,
        "articles/news_sitemap.xml",
        {"articles": news_articles(), "language": settings.LANGUAGE_CODE.split("-")[0]},
        content_type="application/xml",
    )
