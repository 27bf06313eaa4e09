"""Import a WordPress export: posts become articles through the one write path.

Two passes over the file. The first reads it to the end without writing:
a malformed, truncated or hostile file fails here with nothing touched, and
it collects the small things later items refer to (attachments, categories).
The second writes, in one transaction, so a failure half-way (a database
error) leaves the database as it was, and ``--dry-run`` is the same run
rolled back. One transaction rather than batches: the import is idempotent,
so a failed run is simply run again, and no partial state or checkpoint has
to be explained to anyone. Nothing is held per article beyond a few ids, so
memory stays flat however large the export.

Each post is keyed by the export's site URL and post id (``Article.source``
and ``source_id``); an attachment's library image likewise (``Image.source``),
stored once when the first post shows it, and found again on a re-run.
Storage is outside the transaction, so the files of a run that fails are
deleted again, and a dry run stores none.

The importer's revisions carry a fingerprint of what it wrote; a re-run
skips a post whose fingerprint is unchanged, updates one the export changed,
and leaves alone an article whose latest revision is not the importer's
(edited in newsroom since) unless ``force``.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Max
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from reversion.models import Version
from taggit.models import Tag

from articles import images, imaging
from articles.html import plain_text
from articles.models import Article, Author, Byline, Category, Redirect, TaggedArticle
from articles.services import MissingAltText, save_article
from articles.wordpress import content, media, reader
from embeds.models import Embed
from embeds.rendering import embed_urls
from newsroom import cache as content_cache

SOURCE = "wordpress"
COMMENT = "Imported from WordPress post {post_id} [wxr:{fingerprint}]"
FINGERPRINT = re.compile(r"\[wxr:([0-9a-f]{16,64})\]")
STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "private": Article.Status.DRAFT,  # never public
    "pending": Article.Status.REVIEW,
}
SKIPPED_STATUSES = {"trash", "auto-draft"}
FALLBACK_CATEGORY = ("uncategorized", "Uncategorized")
REDIRECT_BATCH = 500
MAX_PATH = Redirect._meta.get_field("old_path").max_length

# A revision is created in the same transaction as the row's save, a moment
# after it; ``updated_at`` further ahead of the import's revision than this
# means a write without a revision (``QuerySet.update()``, raw SQL) since.
SAME_SAVE_WINDOW = datetime.timedelta(seconds=5)


@dataclass
class Attachment:
    url: str
    file: str  # relative to the uploads folder (``_wp_attached_file``)
    alt: str
    caption: str
    parent_id: int


@dataclass
class Summary:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def warn(self, post_id: int | None, message: str) -> None:
        self.warnings.append(f"post {post_id}: {message}" if post_id is not None else message)

    def lines(self) -> list[str]:
        kinds = sorted(
            set(self.created) | set(self.updated) | set(self.unchanged) | set(self.skipped)
        )
        return [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged, {self.skipped[kind]} skipped"
            for kind in kinds
        ]


@dataclass
class Scan:
    """What the first pass learns: the site, sizes, attachments and terms."""

    site: reader.Site
    items: int = 0
    attachments: dict[int, Attachment] = field(default_factory=dict)
    # An attachment's URL path (and the same without ``-scaled``) -> its id,
    # and the hosts its files were served from: how a body <img> is recognised.
    attachment_paths: dict[str, int] = field(default_factory=dict)
    upload_hosts: set[str] = field(default_factory=set)
    children: dict[int, list[int]] = field(default_factory=dict)
    categories: list[reader.Term] = field(default_factory=list)
    term_slugs: dict[int, str] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)


def scan(path: Path) -> Scan:
    """Read the whole export once, writing nothing; raises ``WXRError``."""
    result: Scan | None = None
    for entry in reader.read(path):
        if isinstance(entry, reader.Site):
            result = Scan(site=entry)
        elif isinstance(entry, reader.Author):
            result.authors[entry.login] = entry.display_name or entry.login
        elif isinstance(entry, reader.Term):
            if entry.taxonomy == "category":
                result.categories.append(entry)
            if entry.term_id:
                result.term_slugs[entry.term_id] = entry.slug
        elif isinstance(entry, reader.Item):
            result.items += 1
            if entry.post_type == "attachment":
                result.attachments[entry.post_id] = Attachment(
                    url=entry.attachment_url,
                    file=entry.meta.get("_wp_attached_file", ""),
                    alt=entry.meta.get("_wp_attachment_image_alt", ""),
                    caption=html.unescape(entry.excerpt).strip(),
                    parent_id=entry.parent_id,
                )
                if entry.parent_id:
                    result.children.setdefault(entry.parent_id, []).append(entry.post_id)
                parts = urlsplit(entry.attachment_url)
                if parts.path:
                    path = unquote(parts.path)
                    result.attachment_paths.setdefault(path, entry.post_id)
                    result.attachment_paths.setdefault(SCALED.sub("", path), entry.post_id)
                if parts.hostname:
                    result.upload_hosts.add(parts.hostname.lower().removeprefix("www."))
    return result


# WordPress's resized copies (``x-300x200.jpg``) and its cap on big uploads
# (``x-scaled.jpg``) stand for the attachment's own file.
SIZE_VARIANT = re.compile(r"-\d{1,5}x\d{1,5}(?=\.\w+$)")
SCALED = re.compile(r"-scaled(?=\.\w+$)")
BODY_IMAGE = re.compile(
    r"(?P<open><a\b[^>]*>\s*)?(?P<img><img\b[^>]*>)(?P<close>\s*</a>)?", re.IGNORECASE
)
EMPTY_FIGURE = re.compile(
    r"<figure>\s*\x01\s*(?:<figcaption>(?P<caption>.*?)</figcaption>)?\s*</figure>\n?",
    re.IGNORECASE | re.DOTALL,
)
UPLOADS = "/wp-content/uploads/"
DRY_RUN = object()  # an image a dry run would have stored


def image_source(site_url: str, attachment_id: int) -> str:
    """A library image's key: where the attachment came from, as an article's."""
    return f"{SOURCE}:{source_id(site_url, attachment_id)}"


def _slug(value: str) -> str:
    """A WordPress slug (percent-encoded when not ASCII) as our slugs are."""
    return slugify(unquote(value or ""), allow_unicode=True)[:100]


def source_id(site_url: str, post_id: int) -> str:
    """The article's key: the site (scheme dropped) and the post id, within 100
    characters; a long site URL is replaced by its digest."""
    parts = urlsplit(site_url)
    site = f"{parts.netloc}{parts.path}".rstrip("/").lower() or "wordpress"
    key = f"{site}?p={post_id}"
    if len(key) > 100:
        key = f"{hashlib.sha256(site.encode()).hexdigest()[:32]}?p={post_id}"
    return key


def aware(value: datetime.datetime | None, utc: bool) -> datetime.datetime | None:
    if value is None:
        return None
    if utc:
        return value.replace(tzinfo=datetime.UTC)
    return timezone.make_aware(value, timezone.get_current_timezone())


class Importer:
    def __init__(
        self,
        path: Path,
        *,
        site_url: str = "",
        media_dir: Path | None = None,
        force: bool = False,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.site_url = site_url
        self.media_dir = media_dir
        self.force = force
        self.dry_run = dry_run
        self.progress = progress or (lambda done, total: None)
        self.summary = Summary()
        self._categories: dict[str, Category] = {}
        self._tags: dict[str, Tag] = {}
        self._authors: dict[str, Author] = {}
        self._redirects: dict[str, tuple[int | None, str]] = {}
        self._existing: dict[str, int] = {}
        self._last_revisions: dict[str, tuple[str, datetime.datetime | None]] = {}
        # Attachment id -> its library image (or ``DRY_RUN``), or why it has none.
        self._images: dict[int, images.Image | object | str] = {}
        self._stored_files: list[str] = []

    # The run ---------------------------------------------------------------------

    def run(self) -> Summary:
        """Import the export; raises ``reader.WXRError`` (nothing written)."""
        self.scan = scan(self.path)
        self.site = (self.site_url or self.scan.site.url).rstrip("/")
        self.site_path = urlsplit(self.site).path.rstrip("/")
        self._site_hosts = {urlsplit(self.site).hostname or ""} | self.scan.upload_hosts
        self._site_hosts = {host.lower().removeprefix("www.") for host in self._site_hosts if host}
        try:
            self._write()
        except BaseException:
            # Storage is outside the transaction: files of a rolled-back run go.
            images.delete_files(self._stored_files)
            raise
        return self.summary

    def _write(self) -> None:
        done = 0
        with content_cache.batched(), transaction.atomic():
            # Which posts exist already, in one query rather than one per post.
            prefix = source_id(self.site, 0).removesuffix("0")
            self._existing = dict(
                Article.objects.filter(source=SOURCE, source_id__startswith=prefix).values_list(
                    "source_id", "pk"
                )
            )
            self._load_last_revisions(prefix)
            self._import_categories()
            for entry in reader.read(self.path):
                if isinstance(entry, reader.Item):
                    self._item(entry)
                    done += 1
                    self.progress(done, self.scan.items)
                    if len(self._redirects) >= REDIRECT_BATCH:
                        self._flush_redirects()
            self._flush_redirects()
            if self.dry_run:
                transaction.set_rollback(True)

    def _item(self, item: reader.Item) -> None:
        if item.post_type != "post":
            # Pages, menu items and the rest are counted; an attachment joins
            # the media library when a post shows it (``_library_image``).
            self.summary.skipped[item.post_type or "untyped"] += 1
            return
        if item.status in SKIPPED_STATUSES or item.status not in STATUSES:
            self.summary.skipped["post"] += 1
            if item.status not in SKIPPED_STATUSES:
                self.summary.warn(item.post_id, f"unknown status {item.status!r}, skipped")
            return
        self._post(item)

    # Taxonomy ----------------------------------------------------------------------

    def _import_categories(self) -> None:
        by_slug = {_slug(term.slug): term for term in self.scan.categories if _slug(term.slug)}
        for slug in by_slug:
            self._category(slug, by_slug)
        # Nested archives lived at /category/parent/child/; ours are flat.
        for slug in by_slug:
            category = self._categories[slug]
            chain = [category.slug]
            seen = {slug}
            term = by_slug[slug]
            while term.parent and _slug(term.parent) in by_slug:
                parent = _slug(term.parent)
                if parent in seen:
                    break
                seen.add(parent)
                chain.insert(0, self._categories[parent].slug)
                term = by_slug[parent]
            old = f"{self.site_path}/category/{'/'.join(chain)}/"
            self._redirect(old, new_path=category.get_absolute_url())

    def _category(
        self, slug: str, terms: dict[str, reader.Term] | None = None, name: str = ""
    ) -> Category:
        slug = _slug(slug) or FALLBACK_CATEGORY[0]
        if slug in self._categories:
            return self._categories[slug]
        term = (terms or {}).get(slug)
        category = Category.objects.filter(slug=slug).first()
        created = category is None
        if created:
            name = html.unescape(term.name if term else name).strip()
            category = Category(slug=slug, name=(name or slug)[:100])
            if term is not None:
                category.description = html.unescape(term.description).strip()
        self._categories[slug] = category
        parent = None
        if term is not None and term.parent and _slug(term.parent) != slug:
            parent = self._category(term.parent, terms)
        if created or (parent is not None and category.parent_id is None):
            category.parent = parent
            category.save()
            self.summary.created["category"] += int(created)
        return category

    def _tag(self, slug: str, name: str) -> Tag:
        slug = _slug(slug) or _slug(name)
        if slug in self._tags:
            return self._tags[slug]
        name = (html.unescape(name).strip() or slug)[:100]
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=slug)
            self.summary.created["tag"] += 1
        self._tags[slug] = tag
        self._redirect(
            f"{self.site_path}/tag/{slug}/",
            new_path=reverse("articles:tag", kwargs={"slug": tag.slug}),
        )
        return tag

    def _author(self, login: str) -> Author | None:
        if not login:
            return None
        if login in self._authors:
            return self._authors[login]
        name = (self.scan.authors.get(login) or login)[:150]
        slug = slugify(login, allow_unicode=True)[:150] or "author"
        author = Author.objects.filter(slug=slug).first()
        if author is None:
            author = Author.objects.create(name=name, slug=slug)
            self.summary.created["author"] += 1
        self._authors[login] = author
        return author

    def _redirect(self, old_path: str, *, article: Article | None = None, new_path: str = ""):
        """Record a legacy URL; rows are written in batches (``_flush_redirects``)."""
        target = new_path or (article.get_absolute_url() if article else "")
        old_path = unquote(old_path or "")
        if not old_path or old_path == unquote(target):
            return
        # No request path holds a NUL, and PostgreSQL refuses one in text.
        if len(old_path) > MAX_PATH or "\x00" in old_path:
            self.summary.warn(
                None, f"legacy address not kept (too long or unusable): {old_path[:80]!r}"
            )
            return
        self._redirects[old_path] = (article.pk if article else None, new_path)

    def _flush_redirects(self) -> None:
        """What ``redirects.add_redirect`` does, for a batch: a legacy path
        already recorded is pointed at the new target."""
        rows = [
            Redirect(old_path=old, article_id=article_id, new_path=new_path)
            for old, (article_id, new_path) in self._redirects.items()
        ]
        Redirect.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["old_path"],
            update_fields=["article", "new_path"],
        )
        self._redirects.clear()

    # Posts -------------------------------------------------------------------------

    def _post(self, item: reader.Item) -> None:
        key = source_id(self.site, item.post_id)
        converted = content.convert(
            item.content,
            images={
                pk: content.Image(a.url, a.alt, a.caption)
                for pk in self.scan.children.get(item.post_id, []) + _gallery_ids(item.content)
                if (a := self.scan.attachments.get(pk)) is not None
            },
            children=self.scan.children.get(item.post_id, []),
        )
        for warning in converted.warnings:
            self.summary.warn(item.post_id, warning)
        fields = self._fields(item, converted.body)
        _embeds_from_meta(item, converted)
        logins = [item.creator]
        if bylines := item.meta.get("_newsroom_bylines", "").strip():
            logins = [login.strip() for login in bylines.split(",")][:20]
        terms = [t for t in item.terms if t[0] == "category"]
        category_slug = self._primary_category(item, terms)
        tags = [
            (slug, name)
            for taxonomy, slug, name in item.terms
            if taxonomy == "post_tag" and (_slug(slug) or _slug(name))
        ]
        thumbnail_id = item.meta_int("_thumbnail_id") or 0
        thumbnail = self.scan.attachments.get(thumbnail_id)
        used = {pk for pk in map(self._attachment_for, _image_sources(converted.body)) if pk}
        if thumbnail is not None:
            used.add(thumbnail_id)
        fingerprint = hashlib.sha256(
            json.dumps(
                [
                    fields,
                    category_slug,
                    sorted(tags),
                    logins,
                    thumbnail.file if thumbnail else "",
                    {url: vars(meta) for url, meta in sorted(converted.embeds.items())},
                ]
                # A re-run that finds files it lacked before brings them in
                # (left out without images: earlier imports' prints still hold).
                + ([[(pk, self._available(pk)) for pk in sorted(used)]] if used else []),
                default=str,
                sort_keys=True,
            ).encode()
        ).hexdigest()[:32]

        known = self._existing.get(key)
        article = Article.objects.filter(pk=known).first() if known else None
        if article is not None:
            previous = self._last_import(article)
            if previous == fingerprint and not self.force:
                self.summary.unchanged["post"] += 1
                return
            if previous is None and not self.force:
                self.summary.skipped["post"] += 1
                self.summary.warn(
                    item.post_id, "edited in newsroom since the last import; kept (use --force)"
                )
                return
        created = article is None
        if created:
            article = Article(source=SOURCE, source_id=key)
        fields["body"] = self._body_images(item.post_id, fields["body"])
        for name, value in fields.items():
            setattr(article, name, value)
        article.category = self._category(category_slug)
        if not item.slug:
            article.slug = ""
        self._free_slug(article)
        if thumbnail is not None and article.image_id is None:
            image = self._library_image(item.post_id, thumbnail_id)
            if isinstance(image, images.Image):
                article.image = image
        if item.sticky:
            self.summary.warn(item.post_id, "sticky in WordPress; newsroom has no sticky articles")
        authors = [a for login in logins if (a := self._author(login)) is not None]
        save_comment = COMMENT.format(post_id=item.post_id, fingerprint=fingerprint)
        tag_ids = {self._tag(slug, name).pk for slug, name in tags}
        try:
            save_article(
                article,
                comment=save_comment,
                save_related=lambda: _set_related(article, authors, tag_ids, created),
            )
        except MissingAltText as refusal:
            # Nothing goes live without alt text, imports included; the post
            # is kept, as a draft for an editor to describe and publish.
            self.summary.warn(item.post_id, f"{refusal} Imported as a draft.")
            article.status = Article.Status.DRAFT
            save_article(
                article,
                comment=save_comment,
                save_related=lambda: _set_related(article, authors, tag_ids, created),
            )
        self._embed_metadata(converted.embeds)
        if item.link and urlsplit(item.link).path not in ("", "/"):
            self._redirect(urlsplit(item.link).path, article=article)
        self._redirects[f"/?p={item.post_id}"] = (article.pk, "")
        self._existing[key] = article.pk
        # A post listed twice in one export is ours the second time too.
        self._last_revisions[str(article.pk)] = (save_comment, None)
        (self.summary.created if created else self.summary.updated)["post"] += 1

    def _fields(self, item: reader.Item, body: str) -> dict:
        status = STATUSES[item.status]
        gmt = reader.parse_date(item.date_gmt)
        published_at = aware(gmt, utc=True)
        if published_at is None and item.status in ("publish", "future"):
            published_at = aware(reader.parse_date(item.date_local), utc=False)
        if published_at is None and status == Article.Status.PUBLISHED:
            self.summary.warn(item.post_id, "published without a readable date; dated now")
            published_at = timezone.now()
        title = html.unescape(item.title).strip()
        if not title:
            self.summary.warn(item.post_id, "has no title; saved as “Untitled”")
            title = "Untitled"
        return {
            "title": title[:200],
            "slug": slugify(unquote(item.slug), allow_unicode=True)[:200],
            "body": body,
            "summary": plain_text(item.excerpt),
            "status": status,
            "published_at": published_at,
        }

    def _primary_category(self, item: reader.Item, terms: list[tuple[str, str, str]]) -> str:
        """The category's slug: Yoast's primary category, else the first listed."""
        slugs = [self._category(slug, name=name).slug for _, slug, name in terms if slug]
        primary = self.scan.term_slugs.get(item.meta_int("_yoast_wpseo_primary_category") or 0)
        primary = _slug(primary or "")
        if primary and primary in slugs:
            return primary
        if len(slugs) > 1:
            self.summary.warn(
                item.post_id, f"in {len(slugs)} categories; “{slugs[0]}” kept, the others left out"
            )
        return (
            slugs[0]
            if slugs
            else self._category(*FALLBACK_CATEGORY[:1], name=FALLBACK_CATEGORY[1]).slug
        )

    def _free_slug(self, article: Article) -> None:
        """A slug no other article has on the permalink's day (WordPress allows
        the same slug for drafts; our permalinks need it unique per day)."""
        article.fill_permalink()
        base, n = article.slug, 1
        while (
            Article.objects.filter(published_on=article.published_on, slug=article.slug)
            .exclude(pk=article.pk)
            .exists()
        ):
            n += 1
            article.slug = f"{base[:190]}-{n}"

    def _last_import(self, article: Article) -> str | None:
        """The fingerprint of the import that wrote ``article`` last, or ``None``
        if anything else saved it since."""
        last = self._last_revisions.get(str(article.pk))
        if last is None:
            return None
        comment, saved_at = last
        found = FINGERPRINT.search(comment)
        if found is None or (
            saved_at is not None and saved_at < article.updated_at - SAME_SAVE_WINDOW
        ):
            return None
        return found[1]

    def _load_last_revisions(self, prefix: str) -> None:
        """Each known article's latest revision (comment, time), in one query.

        One lookup per article would do too, but on SQLite the planner takes
        reversion's (content type, db) index for it and reads every article's
        versions each time: a re-run of 10,000 posts then cost more than the
        first import."""
        ours = (
            Article.objects.filter(source=SOURCE, source_id__startswith=prefix)
            .annotate(text_pk=Cast("pk", output_field=CharField()))
            .values("text_pk")
        )
        latest = (
            Version.objects.get_for_model(Article)
            .filter(object_id__in=ours)
            .values("object_id")
            .annotate(last=Max("pk"))
            .values("last")
        )
        self._last_revisions = {
            object_id: (comment, saved_at)
            for object_id, comment, saved_at in Version.objects.filter(pk__in=latest).values_list(
                "object_id", "revision__comment", "revision__date_created"
            )
        }

    # Media ---------------------------------------------------------------------

    def _attachment_for(self, src: str) -> int | None | bool:
        """The attachment an image URL shows (its file or a resized copy of
        it, on the old site or a path alone): its id; ``None`` for another
        file on the old site, which must not stay on a page either; ``False``
        for anything else (another host, a library image)."""
        src = html.unescape(src or "").strip()
        if src.startswith("//"):
            src = f"https:{src}"
        parts = urlsplit(src)
        host = (parts.hostname or "").lower().removeprefix("www.")
        if parts.scheme not in ("", "http", "https") or (host and host not in self._site_hosts):
            return False
        path = unquote(parts.path)
        paths = self.scan.attachment_paths
        found = paths.get(path) or paths.get(SIZE_VARIANT.sub("", path))
        if found is not None:
            return found
        return None if host or UPLOADS in path else False

    def _available(self, pk: int) -> bool:
        known = self._images.get(pk)
        if known is not None:
            return not isinstance(known, str)
        if self.media_dir is None:
            return False
        try:
            media.find(self.media_dir, self.scan.attachments[pk].file)
        except media.MediaError:
            return False
        return True

    def _library_image(self, post_id: int, pk: int) -> images.Image | object | None:
        """Attachment ``pk``'s library image, stored on first use: one per
        attachment however many posts show it, found again on a re-run by
        its ``source``. ``None`` (with a warning naming the post and the
        file) when it cannot be had; ``DRY_RUN`` in a dry run."""
        known = self._images.get(pk)
        if known is None:
            known = self._images[pk] = self._load_image(pk)
        if isinstance(known, str):
            self.summary.warn(post_id, known)
            return None
        return known

    def _load_image(self, pk: int) -> images.Image | object | str:
        attachment = self.scan.attachments[pk]
        source = image_source(self.site, pk)
        found = images.Image.objects.filter(source=source).first()
        if found is not None:
            self.summary.unchanged["image"] += 1
            return found
        name = attachment.file or attachment.url
        if self.media_dir is None:
            return f"image {name} not imported (no --media-dir)"
        try:
            path = media.find(self.media_dir, attachment.file)
            imaging.check_size(path.stat().st_size)
            prepared = imaging.prepare(path.read_bytes())
        except media.MediaError as error:
            return f"image not imported: {error}"
        except ValidationError as error:
            return f"image {name} refused: {' '.join(error.messages)}"
        self.summary.created["image"] += 1
        if self.dry_run:
            return DRY_RUN  # storage is outside the transaction: a dry run stores nothing
        image = images.add(
            prepared,
            alt=attachment.alt[:250],
            caption=plain_text(attachment.caption)[:300],
            source=source,
        )
        self._stored_files += [image.file.name, *image.rendition_names()]
        return image

    def _body_images(self, post_id: int, body: str) -> str:
        """Each image of the old site in ``body`` points at its library image
        (``save_article`` then sizes it and the page shows a <picture>); one
        that cannot be had is left out, its caption kept, so no page asks the
        old site for anything. A link around it to the file goes too."""
        dropped = "\x01"

        def replace(match: re.Match[str]) -> str:
            src = content.attributes(match["img"][4:]).get("src", "")
            pk = self._attachment_for(src)
            if pk is False:
                return match[0]
            image = self._library_image(post_id, pk) if pk else None
            if pk is None:
                self.summary.warn(post_id, f"image {src[:200]} is not in the export; left out")
            if image is DRY_RUN:
                return match[0]
            before, after = match["open"] or "", match["close"] or ""
            if before and after:
                href = content.attributes(before[2:]).get("href", "")
                if image is None or self._attachment_for(href) is not False:
                    before = after = ""
            if image is None:
                return f"{before}{dropped}{after}"
            alt = content.attributes(match["img"][4:]).get("alt", "")
            img = f'<img src="{html.escape(image.file.url)}" alt="{html.escape(alt)}">'
            return f"{before}{img}{after}"

        body = BODY_IMAGE.sub(replace, body)
        if dropped not in body:
            return body
        body = EMPTY_FIGURE.sub(
            lambda m: f"<p>{m['caption']}</p>\n" if (m["caption"] or "").strip() else "", body
        )
        body = re.sub(rf"<p>\s*{dropped}\s*</p>\n?", "", body)
        return body.replace(dropped, "")

    def _embed_metadata(self, embeds: dict[str, content.EmbedMetadata]) -> None:
        """What the export says about an embed fills the row's empty fields:
        metadata an editor typed, or fetched from the provider, is kept."""
        wanted = {url: meta for url, meta in embeds.items() if any(vars(meta).values())}
        if not wanted:
            return
        for row in Embed.objects.filter(url__in=wanted):
            meta = wanted[row.url]
            changed = []
            for name in ("author_name", "author_handle", "player_id", "title"):
                if getattr(meta, name) and not getattr(row, name):
                    setattr(row, name, getattr(meta, name))
                    changed.append(name)
            if changed:
                row.save(update_fields=[*changed, "updated_at"])


def _set_related(article: Article, authors: list[Author], tag_ids: set[int], created: bool) -> None:
    """The byline becomes ``author`` and the tags ``tag_ids``, a few queries in
    all. Run as ``save_article``'s ``save_related``, so the revision records
    them; taggit's manager and the byline helper ask per row, which was most
    of an import's time."""
    bylines = Byline.objects.filter(article=article)
    wanted = list(dict.fromkeys(author.pk for author in authors))
    if created or list(bylines.order_by("position").values_list("author_id", flat=True)) != wanted:
        if not created:
            bylines.delete()
        Byline.objects.bulk_create(
            [Byline(article=article, author_id=pk, position=n) for n, pk in enumerate(wanted)]
        )
    rows = TaggedArticle.objects.filter(content_object=article)
    current = set() if created else set(rows.values_list("tag_id", flat=True))
    if current - tag_ids:
        rows.exclude(tag_id__in=tag_ids).delete()
    TaggedArticle.objects.bulk_create(
        [TaggedArticle(content_object=article, tag_id=pk) for pk in sorted(tag_ids - current)]
    )


def _embeds_from_meta(item: reader.Item, converted: content.Converted) -> None:
    """Metadata ``export_wordpress`` wrote for the post's embeds (postmeta
    ``_newsroom_embeds``), for the embeds the body really has; anything
    malformed is ignored."""
    try:
        stored = json.loads(item.meta.get("_newsroom_embeds") or "{}")
    except ValueError:
        return
    if not isinstance(stored, dict):
        return
    in_body = set(embed_urls(converted.body))
    for url, fields in stored.items():
        if url not in in_body or not isinstance(fields, dict):
            continue
        meta = converted.embeds.setdefault(url, content.EmbedMetadata())
        name, handle = fields.get("author_name"), fields.get("author_handle")
        player_id = fields.get("player_id")
        if isinstance(name, str) and not meta.author_name:
            meta.author_name = name[:200]
        if isinstance(handle, str) and content.HANDLE.fullmatch(handle) and not meta.author_handle:
            meta.author_handle = handle
        if isinstance(player_id, str) and player_id.isdigit() and not meta.player_id:
            meta.player_id = player_id[:20]
        if isinstance(title := fields.get("title"), str):
            meta.title = title[:300]


def _gallery_ids(text: str) -> list[int]:
    ids: list[int] = []
    for found in re.finditer(r"\[gallery\b[^\]]*\bids=[\"']?([\d,\s]+)", text or "", re.I):
        ids += [int(n) for n in re.findall(r"\d+", found[1])]
    return ids


def _image_sources(body: str) -> list[str]:
    return [content.attributes(m["img"][4:]).get("src", "") for m in BODY_IMAGE.finditer(body)]
