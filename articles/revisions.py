"""What changed between two saved versions of an article, for people to read."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, Author, Byline, Category, TaggedArticle

# Shown in this order; derived and bookkeeping fields are left out.
FIELDS = [
    "title",
    "slug",
    "dek",
    "body",
    "status",
    "published_at",
    "category",
    "summary",
    "seo_title",
    "seo_description",
    "lead_image",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "source",
    "source_id",
]
# Markup counts as one token, so a changed link shows as its tag.
TOKEN = re.compile(r"<[^>]*>|[^\s<]+|\s+")


@dataclass
class Change:
    label: str
    chunks: list[tuple[str, str]]  # ("equal" | "delete" | "insert", text)


def article_versions(article_pk: int):
    return (
        Version.objects.get_for_object_reference(Article, article_pk)
        .select_related("revision__user")
        .order_by("-pk")
    )


def state(version: Version) -> dict[str, str]:
    """A version as text: its fields, plus the byline and tags saved with it."""
    data = version.field_dict
    text = {}
    for name in FIELDS:
        value = data.get(name, data.get(f"{name}_id"))
        if name == "status":
            value = Article.Status(value).label if value in Article.Status.values else value
        elif name == "published_at":
            value = date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""
        elif name == "category":
            category = Category.objects.filter(pk=value).first()
            value = category.name if category else ""
        text[name] = "" if value is None else str(value)
    siblings = version.revision.version_set.all()
    byline_type = ContentType.objects.get_for_model(Byline)
    tag_type = ContentType.objects.get_for_model(TaggedArticle)
    bylines = []
    tag_ids = []
    for sibling in siblings:
        if sibling.content_type_id == byline_type.pk:
            fields = sibling.field_dict
            if fields.get("article_id") == data.get("id"):
                bylines.append((fields.get("position", 0), fields.get("author_id")))
        elif sibling.content_type_id == tag_type.pk:
            fields = sibling.field_dict
            if fields.get("content_object_id") == data.get("id"):
                tag_ids.append(fields.get("tag_id"))
    names = dict(Author.objects.filter(pk__in=[a for _, a in bylines]).values_list("pk", "name"))
    text["authors"] = ", ".join(names.get(a, "?") for _, a in sorted(bylines))
    tags = Tag.objects.filter(pk__in=tag_ids).order_by("name").values_list("name", flat=True)
    text["tags"] = ", ".join(tags)
    return text


def label(name: str) -> str:
    if name == "authors":
        return str(Article._meta.get_field("authors").verbose_name).capitalize()
    if name == "tags":
        return str(Article._meta.get_field("tags").verbose_name).capitalize()
    return str(Article._meta.get_field(name).verbose_name).capitalize()


def diff_text(before: str, after: str) -> list[tuple[str, str]]:
    """Word-level difference of two texts as (operation, text) chunks."""
    a, b = TOKEN.findall(before), TOKEN.findall(after)
    chunks = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation in ("equal", "delete", "replace") and i2 > i1:
            chunks.append(("equal" if operation == "equal" else "delete", "".join(a[i1:i2])))
        if operation in ("insert", "replace") and j2 > j1:
            chunks.append(("insert", "".join(b[j1:j2])))
    return chunks


def compare(older: Version, newer: Version) -> list[Change]:
    """The fields that differ between two versions, each as a readable diff."""
    before, after = state(older), state(newer)
    return [
        Change(label(name), diff_text(before[name], after[name]))
        for name in [*FIELDS[:7], "authors", "tags", *FIELDS[7:]]
        if before[name] != after[name]
    ]
