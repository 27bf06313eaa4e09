"""Which categories, tags and authors readers may see.

Private until published: a tag, author or category exists publicly only
while a published article uses it, or, for categories and authors, while an
editor has marked it public (``is_public``, e.g. a section before launch).
Otherwise its page and feed are 404s and the menu leaves it out.

Tags have no such mark: a tag page without a published article would be an
empty list, and keeping taggit's ``Tag`` as it is spares a model and an
admin of its own. Pages and feeds apply the rule to the articles they list
anyway (``PublishedArticlesMixin.shown_when_empty``, ``ScopedFeed.items``),
so it costs them no query; the category tree below is one query per content
generation, shared by the header menu and the category page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from articles.models import Article, Category
from newsroom.cache import remember

TREE_TIMEOUT = 60 * 60


@dataclass(frozen=True)
class PublicCategories:
    ids: frozenset[int]
    #: Top-level public categories for the header menu, by name: dicts of name and slug.
    menu: tuple[dict[str, str], ...]


def public_categories() -> PublicCategories:
    """The public categories: marked public, or a published article in them
    or in one of their subcategories. Kept with the content, so a scheduled
    article going live (a new generation) brings its category at that time."""
    return remember(_public_categories, "public-categories", timeout=TREE_TIMEOUT)


def _public_categories() -> PublicCategories:
    live = Article.objects.published().filter(category=OuterRef("pk"))
    rows = list(
        Category.objects.annotate(live=Exists(live))
        .order_by("name", "pk")
        .values("pk", "parent_id", "name", "slug", "is_public", "live")
    )
    parent = {row["pk"]: row["parent_id"] for row in rows}
    public = {row["pk"] for row in rows if row["is_public"]}
    for row in rows:
        if not row["live"]:
            continue
        node, seen = row["pk"], set()
        # Up the tree: a section with a live subsection is live. ``seen`` guards
        # against a cycle the database constraint alone does not prevent.
        while node is not None and node not in seen:
            seen.add(node)
            public.add(node)
            node = parent.get(node)
    menu = tuple(
        {"name": row["name"], "slug": row["slug"]}
        for row in rows
        if row["parent_id"] is None and row["pk"] in public
    )
    return PublicCategories(frozenset(public), menu)
