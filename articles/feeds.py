"""RSS 2.0 and Atom feeds: the site's, and per category, tag and author.

Feed readers decode an item's description, an Atom summary or content and,
in most readers, a channel's description as HTML. Every such field is built
by ``as_html``: plain text escaped, then through the body's sanitizer, so no
writer's text turns into markup once a reader decodes it. Titles, names and
categories are plain text and stay so.

Embeds in a body reach feed readers as plain linked cards (provider, title,
author, link; ``embeds/feed_card.html``), their rows fetched in one query
per feed. ``FEED_CONTENT`` (settings) chooses whether items carry the full
body (``"full"``) or only the summary (``"summary"``).
"""

import io
import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from taggit.models import Tag

from articles import images
from articles.html import clean_text, sanitize
from articles.links import absolute_url
from articles.models import Article, Author, Category, category_family
from embeds import rendering
from newsroom.cache import remember

FEED_SIZE = 20
FEED_CONTENT_TIMEOUT = 24 * 60 * 60


def _contents(items: list[Article]) -> dict[int, str]:
    """Each item's body as a feed carries it: sanitized on save, again here
    for bodies stored under older rules, with the embeds as quoted cards (one
    query for all of them) and library images given absolute addresses."""
    rows = rendering.embed_rows(item.body for item in items)
    return {
        item.pk: images.absolute_sources(
            sanitize(rendering.render_body(item.body, rows=rows, template=rendering.FEED_TEMPLATE))
        )
        for item in items
    }


def as_html(text: str) -> str:
    """Plain ``text`` as the HTML a feed field carries: escaped, then sanitized."""
    return sanitize(escape(text))


class BufferedFeed:
    """Write the document to the response once: the XML writer's many small
    writes each cost an encode and a list append on an HttpResponse."""

    def write(self, outfile, encoding):
        buffer = io.StringIO()
        super().write(buffer, encoding)
        outfile.write(buffer.getvalue())


class ContentRssFeed(BufferedFeed, Rss201rev2Feed):
    """RSS whose items also carry the full body in ``content:encoded``
    (items without ``content``, under ``FEED_CONTENT = "summary"``, do not)."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])


class ContentAtomFeed(BufferedFeed, Atom1Feed):
    """Atom whose entries carry the full body as ``<content type="html">``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class LatestArticlesFeed(Feed):
    feed_type = ContentRssFeed

    def title(self, obj=None) -> str:
        return settings.SITE_NAME

    def description(self, obj=None) -> str:
        return as_html(self.subtitle(obj))

    def subtitle(self, obj=None) -> str:
        """The channel's description as plain text (an Atom subtitle is text)."""
        return _("The latest articles from %(site)s.") % {"site": settings.SITE_NAME}

    def link(self, obj=None) -> str:
        return absolute_url("/")

    def articles(self, obj=None):
        return Article.objects.published()

    def items(self, obj=None):
        articles = self.articles(obj).for_listing().select_related("image")
        items = list(articles.with_tags()[:FEED_SIZE])
        if settings.FEED_CONTENT == "full":
            # Bodies with their embed cards, built once per content generation
            # (each body is scanned for embeds and sanitized): kept with the
            # generation like the article page's parts. They ride on the items,
            # never on this instance, which every request shares.
            contents = remember(
                lambda: _contents(items),
                "feed-content",
                *(item.pk for item in items),
                timeout=FEED_CONTENT_TIMEOUT,
            )
            for item in items:
                item.feed_content = contents[item.pk]
        return items

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        # The summary is plain text, as on the article's card.
        return as_html(item.get_summary())

    def item_link(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str | None:
        return ", ".join(a.name for a in item.ordered_authors) or None

    def item_categories(self, item: Article) -> list[str]:
        # Tags made outside the write path may hold control characters, which
        # XML cannot carry: the feed would be a 500.
        return [item.category.name, *(clean_text(tag.name) for tag in item.tag_list)]

    def item_extra_kwargs(self, item: Article) -> dict:
        if settings.FEED_CONTENT != "full":
            return {}
        return {"content": item.feed_content}

    def item_enclosure_url(self, item: Article) -> str | None:
        if item.image:
            return absolute_url(item.image.social_url)
        return absolute_url(item.lead_image.url) if item.lead_image else None

    def item_enclosure_length(self, item: Article) -> int:
        try:
            if item.image:
                return default_storage.size(images.rendition_base(item.image.file.name) + "og.jpg")
            return item.lead_image.size
        except OSError:
            return 0

    def item_enclosure_mime_type(self, item: Article) -> str:
        if item.image:
            return "image/jpeg"  # the social crop
        return mimetypes.guess_type(item.lead_image.name)[0] or "image/jpeg"


class AtomFeedMixin:
    """The same feed as Atom, with its own address as the ``self`` link."""

    feed_type = ContentAtomFeed

    def get_feed(self, obj, request):
        # One Feed instance serves every request (and thread): the request's
        # path goes into this feed only, never onto the shared instance.
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = absolute_url(request.path)
        return feed


class LatestArticlesAtomFeed(AtomFeedMixin, LatestArticlesFeed):
    pass


class ScopedFeed(LatestArticlesFeed):
    """The latest articles of one category, tag or author, found by slug."""

    model: type

    def get_object(self, request, slug: str):
        return get_object_or_404(self.model, slug=slug)

    def items(self, obj):
        items = list(super().items(obj))
        if not items and not getattr(obj, "is_public", False):
            # Private until published (articles.taxonomy): no published article,
            # no feed, unless an editor marked the category or author public.
            raise Http404("No articles available")
        return items

    def title(self, obj) -> str:
        return f"{obj.name} · {settings.SITE_NAME}"

    def link(self, obj) -> str:
        return absolute_url(obj.get_absolute_url())


class CategoryFeed(ScopedFeed):
    model = Category

    def subtitle(self, obj: Category) -> str:
        return obj.description or _("The latest %(name)s articles from %(site)s.") % {
            "name": obj.name,
            "site": settings.SITE_NAME,
        }

    def articles(self, obj: Category):
        _, descendants = category_family(obj)
        return Article.objects.published().in_categories([obj, *descendants])


class TagFeed(ScopedFeed):
    model = Tag

    def subtitle(self, obj: Tag) -> str:
        return _("Articles tagged %(name)s from %(site)s.") % {
            "name": obj.name,
            "site": settings.SITE_NAME,
        }

    def link(self, obj: Tag) -> str:
        # taggit's Tag has no get_absolute_url.
        return absolute_url(reverse("articles:tag", kwargs={"slug": obj.slug}))

    def articles(self, obj: Tag):
        return Article.objects.published().filter(tags=obj)


class AuthorFeed(ScopedFeed):
    model = Author

    def subtitle(self, obj: Author) -> str:
        return _("Articles by %(name)s from %(site)s.") % {
            "name": obj.name,
            "site": settings.SITE_NAME,
        }

    def articles(self, obj: Author):
        return Article.objects.published().filter(authors=obj)


class CategoryAtomFeed(AtomFeedMixin, CategoryFeed):
    pass


class TagAtomFeed(AtomFeedMixin, TagFeed):
    pass


class AuthorAtomFeed(AtomFeedMixin, AuthorFeed):
    pass
