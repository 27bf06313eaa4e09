"""The media library: ``Image`` rows, their files in storage, their markup.

An image's renditions have names derived from its original's name and width
(``images/2026/12/<token>/w800.webp``), so a page needs the row alone to link
every rendition: no rendition table, no storage lookup while rendering. They
are made on upload, from pixels already decoded for the checks, so no reader
ever waits for one and no lock is needed; ``images_rebuild`` remakes them.
Files go through Django's storage API (filesystem, or S3 via django-storages).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import imaging

FOLDER = "images"
# Fields a card or a picture needs; lists select these and nothing else.
PICTURE_FIELDS = ("file", "width", "height", "alt", "caption", "credit")


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
        ]
        indexes = [models.Index(fields=["-created_at"], name="image_created_idx")]

    def __str__(self) -> str:
        return self.alt or self.caption or self.file.name.rsplit("/", 1)[-1]

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
    alt: str = "",
    caption: str = "",
    credit: str = "",
    focal: tuple[float | None, float | None] = (None, None),
    uploaded_by=None,
) -> Image:
    """A new library image from an upload's bytes: checked, redrawn without
    metadata, stored with its renditions. Raises ``ValidationError`` (nothing
    stored) when the bytes are refused."""
    prepared = imaging.prepare(data, focal)
    name = store(prepared)
    try:
        with transaction.atomic():
            return Image.objects.create(
                file=name,
                width=prepared.width,
                height=prepared.height,
                alt=alt,
                caption=caption,
                credit=credit,
                focal_x=focal[0],
                focal_y=focal[1],
                uploaded_by=uploaded_by,
            )
    except BaseException:
        delete_files([name, *rendition_names(name, prepared.width)])
        raise


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
