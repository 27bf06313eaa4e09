"""The media library: ``Image`` rows, their files in storage, their markup.

An image's renditions have names derived from its original's name and width
(``images/2026/12/<token>/w800.webp``), so a page needs the row alone to link
every rendition: no rendition table, no storage lookup while rendering. They
are made on upload, from pixels already decoded for the checks, so no reader
ever waits for one and no lock is needed; ``images_rebuild`` remakes them.
Files go through Django's storage API (filesystem, or S3 via django-storages).
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles import imaging
from articles.html import clean_text
from articles.links import absolute_url

logger = logging.getLogger(__name__)

FOLDER = "images"
# Fields a card or a picture needs; lists select these and nothing else.
PICTURE_FIELDS = ("file", "width", "height", "alt", "caption", "credit")


TEXT_FIELDS = ("alt", "caption", "credit")


class Image(models.Model):
    file = models.FileField(_("file"), max_length=200, editable=False)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    alt = models.CharField(
        _("alt text"),
        max_length=250,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it. Required to publish."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=150, blank=True)
    focal_x = models.FloatField(
        _("focal point x"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("0 is the left edge, 1 the right. Social crops keep this point in view."),
    )
    focal_y = models.FloatField(
        _("focal point y"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("0 is the top edge, 1 the bottom."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Where an imported image came from (``wordpress:site?p=ID``), so a re-run
    # of the import finds it again instead of storing the file twice.
    source = models.CharField(_("source"), max_length=120, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__isnull=True) | Q(focal_x__gte=0, focal_x__lte=1),
                name="image_focal_x_in_frame",
            ),
            models.CheckConstraint(
                condition=Q(focal_y__isnull=True) | Q(focal_y__gte=0, focal_y__lte=1),
                name="image_focal_y_in_frame",
            ),
            models.UniqueConstraint(fields=["file"], name="image_file_unique"),
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source=""), name="image_source_unique"
            ),
        ]
        indexes = [models.Index(fields=["-created_at"], name="image_created_idx")]

    def __str__(self) -> str:
        return self.alt or self.caption or self.file.name.rsplit("/", 1)[-1]

    def save(self, *args, **kwargs) -> None:
        # Plain text, as an article's: no bidi controls or control characters
        # (PostgreSQL refuses a NUL; a bidi override disguises a credit).
        for name in TEXT_FIELDS:
            setattr(self, name, clean_text(getattr(self, name)))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *TEXT_FIELDS}
        super().save(*args, **kwargs)

    @property
    def focal(self) -> tuple[float | None, float | None]:
        return (self.focal_x, self.focal_y)

    def rendition_names(self) -> list[str]:
        return rendition_names(self.file.name, self.width)

    def picture(self) -> Picture:
        return Picture.of(self)

    @property
    def social_url(self) -> str:
        return default_storage.url(rendition_base(self.file.name) + imaging.SOCIAL_SUFFIX)


def rendition_base(name: str) -> str:
    """``images/2026/12/abc.jpg`` -> ``images/2026/12/abc/``."""
    return name.rsplit(".", 1)[0] + "/"


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def rendition_names(name: str, width: int) -> list[str]:
    base, extension = rendition_base(name), extension_of(name)
    names = []
    for w in imaging.widths_for(width):
        names += [
            base + imaging.rendition_suffix(w, "webp"),
            base + imaging.rendition_suffix(w, extension),
        ]
    return [*names, base + imaging.SOCIAL_SUFFIX]


@dataclass(frozen=True)
class Picture:
    """What ``<picture>`` needs, from a name and a size: no query, no storage call."""

    src: str
    webp_srcset: str
    fallback_srcset: str
    fallback_type: str
    width: int
    height: int
    alt: str = ""
    caption: str = ""
    credit: str = ""

    @classmethod
    def of(cls, image: Image) -> Picture:
        return cls.from_name(
            image.file.name,
            image.width,
            image.height,
            alt=image.alt,
            caption=image.caption,
            credit=image.credit,
        )

    @classmethod
    def from_name(cls, name: str, width: int, height: int, **text: str) -> Picture:
        base, extension = rendition_base(name), extension_of(name)
        widths = imaging.widths_for(width)
        url = default_storage.url

        def srcset(ext: str) -> str:
            return ", ".join(f"{url(base + imaging.rendition_suffix(w, ext))} {w}w" for w in widths)

        middle = next((w for w in widths if w >= 800), widths[-1])
        return cls(
            src=url(base + imaging.rendition_suffix(middle, extension)),
            webp_srcset=srcset("webp"),
            fallback_srcset=srcset(extension),
            fallback_type="image/png" if extension == "png" else "image/jpeg",
            # The largest rendition's size has the original's proportions.
            width=widths[-1],
            height=max(1, round(height * widths[-1] / width)),
            **text,
        )


def new_name(extension: str) -> str:
    today = timezone.now()
    return f"{FOLDER}/{today:%Y/%m}/{secrets.token_urlsafe(12)}.{extension}"


def store(prepared: imaging.Prepared, name: str | None = None) -> str:
    """Write ``prepared``'s original and renditions; return the original's name.
    On any failure, whatever was written is removed again."""
    written = []
    try:
        name = default_storage.save(
            name or new_name(prepared.extension), ContentFile(prepared.original)
        )
        written.append(name)
        base = rendition_base(name)
        for suffix, data in prepared.renditions.items():
            written.append(_overwrite(base + suffix, data))
    except BaseException:
        delete_files(written)
        raise
    return name


def _overwrite(name: str, data: bytes) -> str:
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))


def delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def ingest(
    data: bytes,
    *,
    focal: tuple[float | None, float | None] = (None, None),
    **fields,
) -> Image:
    """A new library image from an upload's bytes: checked, redrawn without
    metadata, stored with its renditions. Raises ``ValidationError`` (nothing
    stored) when the bytes are refused. ``fields``: alt, caption, credit,
    uploaded_by."""
    return add(imaging.prepare(data, focal), focal=focal, **fields)


def add(
    prepared: imaging.Prepared,
    *,
    focal: tuple[float | None, float | None] = (None, None),
    **fields,
) -> Image:
    """Store an upload already checked by ``imaging.prepare`` as a library image."""
    name = store(prepared)
    try:
        with transaction.atomic():
            return Image.objects.create(
                file=name,
                width=prepared.width,
                height=prepared.height,
                focal_x=focal[0],
                focal_y=focal[1],
                **fields,
            )
    except BaseException:
        delete_files([name, *rendition_names(name, prepared.width)])
        raise


def adopt_lead_image(article) -> None:
    """Move a lead image set the pre-library way (``Article.lead_image``, as an
    importer still does) into the library, and point the article at it. A
    file that is refused stays where it is, logged."""
    field = article.lead_image
    try:
        field.open("rb")
        data = field.read()
        field.close()
    except OSError as error:
        logger.warning("Lead image %s of %r unreadable: %s", field.name, article, error)
        return
    try:
        article.image = ingest(
            data,
            alt=article.lead_image_alt,
            caption=article.lead_image_caption,
            credit=article.lead_image_credit,
        )
    except ValidationError as error:
        logger.warning("Lead image %s of %r refused: %s", field.name, article, error.message)
        return
    stored = field.name if field._committed else None
    article.lead_image = ""
    article.lead_image_width = article.lead_image_height = None
    if stored:
        transaction.on_commit(lambda: delete_files([stored]))


def rebuild(image: Image, *, missing_only: bool = False) -> int:
    """Make ``image``'s renditions again (only absent ones with ``missing_only``).
    Returns how many were written."""
    names = image.rendition_names()
    if missing_only:
        names = [n for n in names if not default_storage.exists(n)]
        if not names:
            return 0
    with default_storage.open(image.file.name, "rb") as original:
        drawn = imaging.redraw(original.read(), image.focal)
    base = rendition_base(image.file.name)
    for name in names:
        _overwrite(name, drawn[name.removeprefix(base)])
    return len(names)


@receiver(post_delete, sender=Image)
def _delete_files(sender, instance: Image, **kwargs) -> None:
    # A receiver, not Image.delete(): bulk and cascading deletes skip delete().
    # After commit, so a rolled-back delete keeps its files.
    names = [instance.file.name, *instance.rendition_names()]
    transaction.on_commit(lambda: delete_files(names))


# Bodies ----------------------------------------------------------------------
#
# A body holds a library image as the editor left it: an <img> whose src is
# the original's URL, or a paragraph holding only that URL. The write path
# (``resolve_body``) turns both into <figure><img src alt width height></figure>
# from the library, so rendering (``body_pictures``) needs no query.

_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"', re.I)
_URL_PARAGRAPH = re.compile(r"<p>\s*(?:<a [^>]*>)?\s*([^<\s]+)\s*(?:</a>)?\s*</p>", re.I)
_NAME = re.compile(rf"^{FOLDER}/\d{{4}}/\d{{2}}/[\w-]+\.(?:jpg|png)$")


def library_prefixes() -> list[str]:
    """Where a library original's URL starts: the storage's URL for the folder,
    and the same made absolute with SITE_URL when the storage's is a path."""
    prefix = default_storage.url(f"{FOLDER}/")
    return [prefix, absolute_url(prefix)] if prefix.startswith("/") else [prefix]


def name_from_url(url: str) -> str | None:
    """The stored name of the library original at ``url``, or ``None``."""
    url = html.unescape(url).split("?", 1)[0]
    for prefix in library_prefixes():
        if url.startswith(prefix):
            name = f"{FOLDER}/{url.removeprefix(prefix)}"
            return name if _NAME.match(name) else None
    return None


def _attributes(tag: str) -> dict[str, str]:
    return {key.lower(): html.unescape(value) for key, value in _ATTRIBUTE.findall(tag)}


def _figure(image: Image, alt: str, text: bool) -> str:
    img = format_html(
        '<img src="{}" alt="{}" width="{}" height="{}">',
        image.file.url,
        alt,
        image.width,
        image.height,
    )
    if not text or not (image.caption or image.credit):
        return img
    credit = format_html(" <small>{}</small>", image.credit) if image.credit else ""
    return format_html("{}<figcaption>{}{}</figcaption>", img, image.caption, credit)


def body_image_names(body: str) -> list[str]:
    """Stored names of the library images ``body``'s <img> tags show, in order."""
    found = (name_from_url(_attributes(tag).get("src", "")) for tag in _IMG.findall(body or ""))
    return list(dict.fromkeys(name for name in found if name))


def resolve_body(body: str) -> str:
    """``body`` with its library images given their size, alt text, caption
    and credit from the library (one query). An alt text written in the
    editor wins over the library's."""
    names = {name_from_url(_attributes(tag).get("src", "")) for tag in _IMG.findall(body)}
    names |= {name_from_url(url) for url in _URL_PARAGRAPH.findall(body)}
    names.discard(None)
    if not names:
        return body
    found = {image.file.name: image for image in Image.objects.filter(file__in=names)}

    def paragraph(match: re.Match) -> str:
        image = found.get(name_from_url(match[1]) or "")
        return f"<figure>{_figure(image, image.alt, True)}</figure>" if image else match[0]

    def img(match: re.Match) -> str:
        attributes = _attributes(match[0])
        image = found.get(name_from_url(attributes.get("src", "")) or "")
        if image is None:
            return match[0]
        return _figure(image, attributes.get("alt") or image.alt, False)

    return _IMG.sub(img, _URL_PARAGRAPH.sub(paragraph, body))


def body_pictures(body: str) -> str:
    """``body`` (as stored) with each sized library <img> as a <picture>."""

    def picture(match: re.Match) -> str:
        attributes = _attributes(match[0])
        name = name_from_url(attributes.get("src", ""))
        width, height = attributes.get("width", ""), attributes.get("height", "")
        if name is None or not (width.isdigit() and height.isdigit()) or int(width) == 0:
            return match[0]
        found = Picture.from_name(name, int(width), int(height), alt=attributes.get("alt", ""))
        return render_to_string(
            "includes/picture.html", {"picture": found, "sizes": ARTICLE_SIZES, "bare": True}
        ).strip()

    return _IMG.sub(picture, body)


def absolute_sources(body: str) -> str:
    """``body`` with library images' paths made absolute, for feeds read elsewhere."""
    prefix = default_storage.url(f"{FOLDER}/")
    if not prefix.startswith("/"):
        return body
    return body.replace(f'src="{prefix}', f'src="{absolute_url(prefix)}')


def body_images_without_alt(body: str) -> list[str]:
    """Library images in ``body`` with no alt text, by URL."""
    return [
        attributes["src"]
        for attributes in map(_attributes, _IMG.findall(body))
        if name_from_url(attributes.get("src", "")) and not attributes.get("alt", "").strip()
    ]


def missing_alt_text(image: Image | None, body: str) -> str | None:
    """Why ``image`` (the lead) and ``body`` may not be published yet, or ``None``."""
    if image is not None and not image.alt.strip():
        return _("The lead image has no alt text: add it in the media library before publishing.")
    missing = body_images_without_alt(body)
    if missing:
        return ngettext(
            "An image in the body has no alt text: describe it before publishing.",
            "%(count)d images in the body have no alt text: describe them before publishing.",
            len(missing),
        ) % {"count": len(missing)}
    return None


# Widths the picture is shown at, for the browser to pick a rendition.
ARTICLE_SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
CARD_SIZES = "(min-width: 40rem) 22rem, calc(100vw - 2rem)"
LEAD_CARD_SIZES = "(min-width: 74rem) 70rem, calc(100vw - 2rem)"
