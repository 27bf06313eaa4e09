"""One ``Embed`` row per canonical URL: what the static card shows."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from embeds import providers
from embeds.providers import EmbedMatch, Kind

# Bidi embeddings, overrides and isolates, and control characters other than
# line breaks: never part of a name or caption (articles.html.clean_text's rule).
UNSAFE_TEXT = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What providers allow in handles (X, Instagram, TikTok, YouTube, SoundCloud).
HANDLE = re.compile(r"[A-Za-z0-9._-]{1,100}")


def _by_url(embeds: Iterable[EmbedMatch | str]) -> dict[str, EmbedMatch]:
    """The recognised embeds among ``embeds`` by canonical URL, in order, the
    first of each kept. Matches are taken as made (a render has them already);
    only plain URLs are matched here."""
    found: dict[str, EmbedMatch] = {}
    for embed in embeds:
        match = embed if isinstance(embed, EmbedMatch) else providers.match(embed)
        if match is not None:
            found.setdefault(match.url, match)
    return found


class EmbedQuerySet(models.QuerySet):
    def for_urls(self, embeds: Iterable[EmbedMatch | str]) -> "EmbedQuerySet":
        """The rows for these matches or URLs: one query when evaluated, none
        if nothing is a recognised embed. Any recognised form of a URL finds
        its row (URLs are canonicalised first); unrecognised URLs are ignored."""
        canonical = _by_url(embeds)
        return self.filter(url__in=canonical) if canonical else self.none()

    def missing_metadata(self) -> "EmbedQuerySet":
        """Rows whose card would show no more than a link: social posts without
        author name or handle, other embeds with neither title nor author."""
        social = Q(kind=Kind.SOCIAL) & (Q(author_name="") | Q(author_handle=""))
        other = ~Q(kind=Kind.SOCIAL) & Q(title="") & Q(author_name="")
        # Without its player id a Bandcamp card is only a link.
        unplayable = Q(provider__in=providers.player_id_providers(), player_id="")
        return self.filter(social | other | unplayable)

    def ensure(self, embeds: Iterable[EmbedMatch | str]) -> int:
        """Create empty rows for the matches (or recognised URLs) that have
        none; return how many were created. For callers that save bodies, so
        editors see every embed in the admin and ``fetch_embeds --missing``
        can fill them."""
        new = _by_url(embeds)
        existing = set(self.filter(url__in=new).values_list("url", flat=True))
        rows = [Embed.from_match(found) for url, found in new.items() if url not in existing]
        self.bulk_create(rows, ignore_conflicts=True)
        return len(rows)


class Embed(models.Model):
    url = models.URLField(
        _("URL"),
        max_length=providers.MAX_URL_LENGTH,
        help_text=_("The post's or track's address; it is stored in its canonical form."),
    )
    provider = models.CharField(
        _("provider"), max_length=32, choices=providers.provider_choices(), editable=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, editable=False)
    provider_id = models.CharField(_("provider id"), max_length=200, editable=False)
    player_id = models.CharField(
        _("player id"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^[0-9]+$", _("Digits only."))],
        help_text=_(
            "Only for Bandcamp: the number after album= or track= in Bandcamp's "
            "Share / Embed code. Without it the embed is a link to Bandcamp."
        ),
    )
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    author_handle = models.CharField(
        _("author handle"), max_length=100, blank=True, help_text=_("Without the @.")
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    caption = models.TextField(_("caption"), max_length=2000, blank=True)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="embeds/thumbnails/", blank=True)
    fetched_at = models.DateTimeField(_("fetched at"), null=True, blank=True, editable=False)
    fetch_error = models.CharField(_("last fetch error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EmbedQuerySet.as_manager()

    class Meta:
        verbose_name = _("embed")
        verbose_name_plural = _("embeds")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                name="embeds_embed_unique_url",
                violation_error_message=_("An embed for this URL already exists."),
            ),
        ]
        indexes = [models.Index(fields=["provider", "-created_at"], name="embeds_provider_idx")]

    def __str__(self) -> str:
        label = f"@{self.author_handle}" if self.author_handle else self.author_name or self.title
        name = self.get_provider_display()
        return f"{name}: {label}" if label else f"{name}: {self.url}"

    def save(self, *args, **kwargs) -> None:
        found = providers.match(self.url)
        if found is not None:
            self._apply(found)
        self.author_handle = self.author_handle.strip().lstrip("@")
        for name in ("author_name", "author_handle", "title", "caption"):
            setattr(self, name, UNSAFE_TEXT.sub("", getattr(self, name)))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        found = providers.match(self.url)
        if found is None:
            raise ValidationError(
                {"url": _("This is not a post, video or track of a supported provider.")}
            )
        self._apply(found)
        self.author_handle = self.author_handle.strip().lstrip("@")
        if self.author_handle and not HANDLE.fullmatch(self.author_handle):
            raise ValidationError(
                {"author_handle": _("Letters, digits, dots, dashes and underscores only.")}
            )

    @classmethod
    def from_match(cls, found: EmbedMatch) -> "Embed":
        return cls(url=found.url, provider=found.provider, kind=found.kind, provider_id=found.id)

    @property
    def lacks_metadata(self) -> bool:
        """Mirrors ``EmbedQuerySet.missing_metadata()`` for one row."""
        if self.provider in providers.player_id_providers() and not self.player_id:
            return True
        if self.kind == Kind.SOCIAL:
            return not self.author_name or not self.author_handle
        return not self.title and not self.author_name

    def _apply(self, found: EmbedMatch) -> None:
        self.url = found.url
        self.provider = found.provider
        self.kind = found.kind
        self.provider_id = found.id
