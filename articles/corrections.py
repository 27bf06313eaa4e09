"""The site-wide corrections log: a page and its feeds.

Only corrections and clarifications of published articles are listed
(``CorrectionQuerySet.public()``, which goes through the one gate), so a
note on a draft, an article in review or a scheduled one appears nowhere.
The page is kept with the content like other lists (``articles.listing``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _
from django.views.generic import ListView

from articles.feeds import BufferedFeed, as_html
from articles.links import absolute_url
from articles.listing import cached_page, list_key
from articles.models import Correction

PAGE_SIZE = 20
FEED_SIZE = 20


def public_corrections():
    """Newest first, each with its article and the article's section."""
    return (
        Correction.objects.public()
        .select_related("article", "article__category")
        .defer("article__body")
        .order_by("-created_at", "-pk")
    )


class CorrectionsView(ListView):
    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return public_corrections()

    def paginate_queryset(self, queryset, page_size):
        paginator = Paginator(queryset, page_size)
        number = self.request.GET.get(self.page_kwarg) or 1
        key = list_key(type(self).__name__, self.request.path, number)
        try:
            paginator, page = cached_page(paginator, number, key)
        except InvalidPage as error:
            raise Http404(_("Invalid page: %(message)s") % {"message": error}) from None
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Corrections"), **kwargs)


class CorrectionsFeed(Feed):
    feed_type = type("CorrectionsRss", (BufferedFeed, Rss201rev2Feed), {})

    def title(self) -> str:
        return _("Corrections · %(site)s") % {"site": settings.SITE_NAME}

    def subtitle(self) -> str:
        return _("Corrections and clarifications to articles on %(site)s.") % {
            "site": settings.SITE_NAME
        }

    def description(self) -> str:
        return as_html(self.subtitle())

    def link(self) -> str:
        return absolute_url(reverse("articles:corrections"))

    def items(self):
        return public_corrections()[:FEED_SIZE]

    def item_title(self, item: Correction) -> str:
        return f"{item.get_kind_display()}: {item.article.title}"

    def item_description(self, item: Correction) -> str:
        return as_html(item.text)

    def item_link(self, item: Correction) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item: Correction) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Correction):
        return item.created_at

    def item_updateddate(self, item: Correction):
        return item.edited_at or item.created_at

    def item_categories(self, item: Correction) -> list[str]:
        return [item.article.category.name]


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = type("CorrectionsAtom", (BufferedFeed, Atom1Feed), {})

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = absolute_url(request.path)
        return feed
