"""An article's kept versions: who made the save that a stale form or copy
collides with (``Article.version`` tells that one happened), and what changed
between two versions, for people to read."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from reversion.models import Version
from taggit.models import Tag

from articles import diffs
from articles.images import Image
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
    "image",
    "lead_image",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "source",
    "source_id",
]


@dataclass
class Change:
    label: str
    html: SafeString  # the difference, escaped, with <ins> and <del>


def article_versions(article_pk: int):
    """The article's versions, newest first, with who saved each."""
    return (
        Version.objects.get_for_object_reference(Article, article_pk)
        .select_related("revision__user")
        .order_by("-pk")
    )


def latest_version(article_pk: int) -> Version | None:
    return article_versions(article_pk).first()


def version_number(version: Version) -> int | None:
    """The ``Article.version`` a kept version was saved as (None for versions
    kept before articles had one). Read from the stored data: ``field_dict``
    would fill a missing field with the model's default."""
    if version.format != "json":
        return None
    try:
        number = json.loads(version.serialized_data)[0]["fields"].get("version")
    except (ValueError, LookupError, TypeError):
        return None
    return number if isinstance(number, int) else None


# How far back the history is searched for the version a form was loaded at.
KEPT_VERSIONS_SEARCHED = 50


def kept_version(article_pk: int, number: int) -> Version | None:
    """The kept version saved as ``Article.version`` ``number``, if any: none
    is kept of a save made outside the write path."""
    for version in article_versions(article_pk)[:KEPT_VERSIONS_SEARCHED]:
        if version_number(version) == number:
            return version
    return None


@dataclass(frozen=True)
class Conflict:
    """A newer save than the one a form or an instance was loaded from."""

    saved_at: datetime.datetime
    saved_by: str
    version_id: int | None  # the kept version of the newer save
    loaded_version_id: int | None  # the kept version the caller had loaded


def find_conflict(article_pk: int, loaded: int | None) -> Conflict | None:
    """Who saved the article, and when, if it moved past version ``loaded``
    (the ``Article.version`` a form or an instance was loaded at)."""
    row = Article.objects.filter(pk=article_pk).values("version", "updated_at").first()
    if row is None or row["version"] == loaded:
        return None
    newest = latest_version(article_pk)
    if newest is not None and version_number(newest) == row["version"]:
        user = newest.revision.user
        if user is None:  # a revision from a command or an import
            saved_by = _("someone outside the admin")
        else:
            saved_by = user.get_full_name() or user.get_username()
    else:
        # Written without a revision at all (``Article.save()`` alone, an update).
        newest = None
        saved_by = _("someone outside the admin")
    loaded_version = kept_version(article_pk, loaded) if loaded else None
    return Conflict(
        saved_at=row["updated_at"],
        saved_by=saved_by,
        version_id=newest.pk if newest else None,
        loaded_version_id=loaded_version.pk if loaded_version else None,
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
        elif name == "image":
            image = Image.objects.filter(pk=value).first() if value else None
            value = str(image) if image else ""
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
    return str(Article._meta.get_field(name).verbose_name).capitalize()


def compare(older: Version, newer: Version) -> list[Change]:
    """The fields that differ between two versions, each as a readable diff."""
    before, after = state(older), state(newer)
    return [
        Change(
            label(name),
            diffs.diff_html(before[name], after[name])
            if name == "body"
            else diffs.diff_text(before[name], after[name]),
        )
        for name in [*FIELDS[:7], "authors", "tags", *FIELDS[7:]]
        if before[name] != after[name]
    ]
