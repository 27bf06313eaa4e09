"""Admin forms: the article editor with its role and version checks, and the
category and tag-merge forms."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget
from taggit.models import Tag
from taggit.utils import parse_tags

from articles import embargo, images, imaging, revisions, services
from articles.html import clean_text, sanitize
from articles.models import Article, Category
from articles.notifications import NOTE_MAX_LENGTH
from articles.permissions import can_edit_article, can_publish
from articles.timezones import zone_label

# What the body editor offers: paragraphs, h2-h4, bold, italic, links, lists,
# blockquote, horizontal rule, images. Its output is cleaned with articles.html's
# allowlist right away and again by Article.save(), which stays the gate.
EDITOR_EXTENSIONS = {
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    # Library images: paste the image's address (the library shows it); on
    # save it gets its size and alt text (articles.images.resolve_body).
    "Image": True,
}


def clean_body(html: str) -> str:
    """The editor's HTML through the site's allowlist; an empty editor is ""."""
    cleaned = sanitize(html)
    return "" if cleaned in ("<p></p>", "<p><br></p>") else cleaned


# The change form's buttons (``name="_publishing"``), each a transition in
# articles.services; "save" keeps the article in its state.
PUBLISHING_ACTIONS = ("save", "review", "publish", "schedule", "unpublish", "return")
# Publish times before this are typos (or overflow the database's range).
EARLIEST_PUBLISH_YEAR = 1900


class ScheduleWidget(forms.DateTimeInput):
    """A date-and-time input in the site's zone, the zone named beside it, and
    the button that schedules the article at that time."""

    input_type = "datetime-local"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        return format_html(
            '<span class="nr-schedule">{} <span class="nr-zone">{}</span> '
            '<button type="submit" name="_publishing" value="schedule" '
            'class="button nr-publishing-button">{}</button></span>',
            field,
            zone_label(),
            _("Schedule"),
        )


MAX_NEW_TAGS = 20
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length


class ArticleAdminForm(forms.ModelForm):
    """The change form. ``request`` is set by ``ArticleAdmin.get_form``."""

    request: HttpRequest | None = None
    # Set for reverts and recoveries, where the form deliberately replaces
    # the current version with an old one.
    check_version = True

    body = ProseEditorFormField(
        label=_("Body"),
        required=False,
        config={"extensions": EDITOR_EXTENSIONS},
        sanitize=clean_body,
        widget=AdminProseEditorWidget,
        help_text=_(
            "Paste an Instagram, YouTube, Spotify… address on a line of its own and it "
            "shows as an embed on the page."
        ),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.all(), required=False
    )
    new_tags = forms.CharField(
        label=_("New tags"),
        required=False,
        max_length=1000,
        help_text=_("Tags that do not exist yet, separated by commas. Created on save."),
    )
    # The ``Article.version`` the form was loaded at; the write path refuses
    # to save it over a newer one.
    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set by the admin when saving failed for a reason outside the form (the
    # database, the media storage, a save in between): the re-shown form says
    # why ("" when its own checks will).
    save_error: str | None = None
    image_upload = forms.FileField(
        label=_("Or upload a new one"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF. It is added to the media library."),
    )
    image_alt = forms.CharField(
        label=_("Its alt text"),
        required=False,
        max_length=250,
        help_text=_("What the uploaded picture shows. Required to publish."),
    )
    image_caption = forms.CharField(label=_("Its caption"), required=False, max_length=300)
    image_credit = forms.CharField(label=_("Its credit"), required=False, max_length=150)
    # Filled only to schedule: the buttons say what happens, not a status menu.
    publish_at = forms.CharField(
        label=_("Publish at"),
        required=False,
        max_length=64,
        widget=ScheduleWidget,
        help_text=_("In the site's time zone, shown beside the field."),
    )
    publishing_note = forms.CharField(
        label=_("Note for the email"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Optional. Sent with the email this button sends: to the editors when "
            "you submit, to the writer when you publish, schedule or return it."
        ),
    )
    # Set by clean(): the button pressed, and the time to schedule at.
    publishing_action: str | None = None
    schedule_at = None
    break_embargo = embargo.break_embargo_field()

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "dek",
            "body",
            "status",
            "published_at",
            "embargo_until",
            "category",
            "tags",
            "image",
            "seo_title",
            "seo_description",
            "summary",
            "source",
            "source_id",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["loaded_version"] = self.instance.version
        # Status and time travel with the form unseen, so a plain save keeps
        # the article where it is; the buttons move it (articles.services).
        if "status" in self.fields:
            self.fields["status"].widget = forms.HiddenInput()
        if "published_at" in self.fields:
            self.fields["published_at"].widget = forms.SplitHiddenDateTimeWidget()
        if "status" in self.fields and not self._can_publish():
            # Writers see the two states they may choose; a crafted "published"
            # still reaches clean() and is refused there with a reason.
            self.fields["status"].widget.choices = [
                choice
                for choice in self.fields["status"].choices
                if choice[0] != Article.Status.PUBLISHED
            ]

    def _user(self):
        return self.request.user if self.request else None

    def _can_publish(self) -> bool:
        user = self._user()
        return user is not None and can_publish(user)

    # Fields -------------------------------------------------------------

    def clean_new_tags(self) -> list[str]:
        names = [
            name
            for name in map(clean_text, parse_tags(self.cleaned_data.get("new_tags", "")))
            if name.strip()
        ]
        if not names:
            return []
        user = self._user()
        if user is None or not user.has_perm("taggit.add_tag"):
            # Writers have no such field on their page: say it above the form.
            self.add_error(None, _("Only editors can create tags. Choose from the existing tags."))
            return []
        if len(names) > MAX_NEW_TAGS:
            raise forms.ValidationError(
                _("Add at most %(max)d new tags at a time.") % {"max": MAX_NEW_TAGS}
            )
        for name in names:
            if len(name) > TAG_MAX_LENGTH:
                raise forms.ValidationError(
                    _("“%(name)s…” is too long: a tag has at most %(max)d characters.")
                    % {"name": name[:20], "max": TAG_MAX_LENGTH}
                )
            if not slugify(name, allow_unicode=True):
                raise forms.ValidationError(
                    _("“%(name)s” has no letters or digits to make an address from.")
                    % {"name": name}
                )
        return names

    # The form -----------------------------------------------------------

    def clean_published_at(self):
        value = self.cleaned_data.get("published_at")
        if value is not None:
            _check_year(value)
        return value

    def clean(self) -> dict:
        cleaned = super().clean()
        self._hidden_errors_shown()
        if not self._can_publish():
            self._refuse_publishing(cleaned)
        target = self._publishing_target(cleaned)
        if (
            target is None
            and cleaned.get("status") == Article.Status.PUBLISHED
            and "published_at" in self.fields
            and cleaned.get("published_at") is None
            and "published_at" not in self.errors
        ):
            # "Published" with no time means now.
            cleaned["published_at"] = timezone.now()
        self._check_unique_permalink(cleaned)
        if target is not None and not self.errors:
            cleaned["status"], cleaned["published_at"] = target
            self._check_unique_permalink(cleaned)
            if target[0] == Article.Status.PUBLISHED:
                self._check_alt_text(cleaned)
        # Against the state the button aims at, before the text is kept as it is.
        embargo.check_embargo(self, cleaned)
        if target is not None or self.publishing_action not in (None, "save"):
            # Saved as it is; the transition then moves it.
            self._keep_state(cleaned)
        if self.instance.pk and self.check_version:
            self._check_version()
        # Re-shown after a save that failed outside the form: it says why, and
        # is never saved from here (the editor saves again).
        if self.save_error is not None and (self.save_error or not self._errors):
            self.add_error(None, self.save_error or _("Not saved. Save again to retry."))
        cleaned["tags"] = [*cleaned.get("tags", []), *cleaned.get("new_tags", [])]
        if cleaned.get("status") == Article.Status.PUBLISHED:
            self._check_alt_text(cleaned)
        return cleaned

    def _hidden_errors_shown(self) -> None:
        """Errors of the unseen status and time fields (only a crafted POST
        has them) go above the form, where they can be read; the article's
        state stays as it is."""
        moved = False
        for name in ("status", "published_at"):
            for error in self._errors.pop(name, []):
                label = self.fields[name].label if name in self.fields else name
                self.add_error(None, f"{label}: {error}")
                moved = True
        if moved:
            self._keep_state(self.cleaned_data)

    def _keep_state(self, cleaned: dict) -> None:
        """The status and time the article has now, in place of what was posted."""
        for name in ("status", "published_at"):
            if name in self.fields:
                cleaned[name] = getattr(self.instance, name)

    def _publishing_target(self, cleaned: dict):
        """The button pressed: checked against the user's role and the article's
        state, and its (status, publish time) returned; None for a form posted
        without one (a plain save, a revert)."""
        action = self.data.get("_publishing")
        if action is None:
            return None
        if action not in PUBLISHING_ACTIONS:
            self.add_error(None, _("Unknown button. Reload the page and try again."))
            return None
        self.publishing_action = action
        article, user = self.instance, self._user()
        editor = self._can_publish()
        live, state = article.is_published, article.state if article.pk else None
        if action == "save":
            return None
        refused = {
            "review": article.pk is not None
            and (article.status != Article.Status.DRAFT or not can_edit_article(user, article)),
            "publish": not editor or live,
            "schedule": not editor or live,
            "unpublish": not editor or article.status != Article.Status.PUBLISHED,
            "return": not editor or article.status != Article.Status.REVIEW,
        }[action]
        if refused:
            self.add_error(
                None,
                _("That button does not apply here (the article is %(state)s). Nothing was saved.")
                % {"state": (state.label if state else _("new")).lower()},
            )
            return None
        now = timezone.now()
        if action == "review":
            return Article.Status.REVIEW, article.published_at
        if action == "return":
            return Article.Status.DRAFT, article.published_at
        if action == "unpublish":
            return Article.Status.DRAFT, article.published_at
        if action == "publish":
            keeps = article.published_at is not None and article.published_at <= now
            return Article.Status.PUBLISHED, article.published_at if keeps else now
        at = self._schedule_time(now)
        if at is None:
            return None
        self.schedule_at = at
        return Article.Status.PUBLISHED, at

    def _schedule_time(self, now):
        if "publish_at" in self.errors:
            return None
        text = (self.cleaned_data.get("publish_at") or "").strip()
        if not text:
            self.add_error("publish_at", _("Choose the date and time to publish at."))
            return None
        try:
            naive = forms.DateTimeField().to_python(text)
            _check_year(naive)
            at = timezone.make_aware(naive) if timezone.is_naive(naive) else naive
            services.check_schedule_time(at, now)
        except forms.ValidationError as error:
            self.add_error("publish_at", error)
            return None
        except services.TransitionRefused as refusal:
            self.add_error("publish_at", str(refusal))
            return None
        except (ValueError, OverflowError):
            self.add_error("publish_at", _("Enter a valid date and time."))
            return None
        return at.replace(second=0, microsecond=0)

    def clean_image_upload(self) -> imaging.Prepared | None:
        upload = self.cleaned_data.get("image_upload")
        if not upload:
            return None
        imaging.check_size(upload.size)
        return imaging.prepare(upload.read())

    def _check_alt_text(self, cleaned: dict) -> None:
        """Say here what ``save_article`` would refuse: live images need alt text."""
        if cleaned.get("image_upload"):
            lead = images.Image(alt=cleaned.get("image_alt", ""))
        else:
            lead = cleaned.get("image")
        reason = images.missing_alt_text(lead, images.resolve_body(cleaned.get("body") or ""))
        if reason:
            self.add_error(None, reason)

    def attach_upload(self, user) -> None:
        """An image uploaded with the article joins the library as its lead image."""
        prepared = self.cleaned_data.get("image_upload")
        if prepared is not None:
            self.instance.image = images.add(
                prepared,
                alt=self.cleaned_data.get("image_alt", ""),
                caption=self.cleaned_data.get("image_caption", ""),
                credit=self.cleaned_data.get("image_credit", ""),
                uploaded_by=user,
            )

    def _refuse_publishing(self, cleaned: dict) -> None:
        """Writers may not publish, schedule or set a publish time, whatever they POST."""
        if cleaned.get("status") == Article.Status.PUBLISHED:
            self.add_error(
                "status",
                _("Only editors can publish or schedule articles. Choose Draft or In review."),
            )
        if "published_at" not in self.fields:
            sent = [
                key
                for key in ("published_at", "published_at_0", "published_at_1")
                if self.data.get(key, "").strip()
            ]
            if sent:
                self.add_error(None, _("Only editors can set the publish time."))

    def _check_unique_permalink(self, cleaned: dict) -> None:
        """The database allows one slug per day; say so here instead of failing on save."""
        probe = Article(
            title=cleaned.get("title") or "",
            slug=cleaned.get("slug") or "",
            status=cleaned.get("status", self.instance.status),
            published_at=cleaned.get("published_at", self.instance.published_at),
            created_at=self.instance.created_at,
        )
        probe.fill_permalink()
        slug, day = probe.slug, probe.published_on
        if "slug" in self.fields and not cleaned.get("slug") and "slug" not in self.errors:
            cleaned["slug"] = slug  # what Article.save() would fill in
        clash = Article.objects.filter(published_on=day, slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            field = "slug" if "slug" in self.fields else None
            self.add_error(
                field,
                _(
                    "Another article on %(day)s already has the address “%(slug)s”. "
                    "Choose another slug."
                )
                % {"day": date_format(day, "F jS, Y"), "slug": slug},
            )

    def _check_version(self) -> None:
        """Refuse a form loaded before someone else's save; the write path
        refuses it again if a save slips in between this check and its own."""
        sent = self.data.get("loaded_version", "")
        loaded = int(sent) if sent.isascii() and sent.isdigit() and len(sent) < 12 else None
        if loaded == self.instance.version:
            return
        conflict = revisions.find_conflict(self.instance.pk, loaded)
        if conflict is None:  # the row is gone: the save finds out
            return
        # Let a second, deliberate save go through: the newer version stays
        # in the history either way.
        self.data = self.data.copy()
        self.data["loaded_version"] = str(self.instance.version)
        self.add_error(None, conflict_message(self.instance, conflict))


def _check_year(moment) -> None:
    """Far past and far future times are typos; some overflow the database."""
    if not EARLIEST_PUBLISH_YEAR <= moment.year <= 9000:
        raise forms.ValidationError(
            _("Enter a time between %(first)d and %(last)d.")
            % {"first": EARLIEST_PUBLISH_YEAR, "last": 9000}
        )


def conflict_message(article: Article, conflict: revisions.Conflict):
    when = date_format(timezone.localtime(conflict.saved_at), "DATETIME_FORMAT")
    if conflict.loaded_version_id and conflict.version_id:
        link = reverse("admin:articles_article_compare", args=[article.pk])
        link += f"?from={conflict.loaded_version_id}&to={conflict.version_id}"
        label = _("See what they changed")
    else:
        # No version was kept of what this form loaded (saved outside the
        # admin): the history shows what there is.
        link = reverse("admin:articles_article_history", args=[article.pk])
        label = _("See the article's history")
    return format_html(
        '{} <a href="{}">{}</a>. {}',
        _(
            "Not saved: %(who)s saved this article at %(when)s, after you opened it. "
            "Your text is still in the form below."
        )
        % {"who": conflict.saved_by, "when": when},
        link,
        label,
        _("Saving again will replace their version; it stays in the history."),
    )


def stale_notice(article: Article | None, conflict: revisions.Conflict) -> str:
    """A write refused outside the change form (actions, tag merges), as one line."""
    when = date_format(timezone.localtime(conflict.saved_at), "DATETIME_FORMAT")
    return _(
        "Nothing changed: %(who)s saved “%(title)s” at %(when)s, after this page was "
        "loaded. Reload the page and try again."
    ) % {"who": conflict.saved_by, "title": article.title if article else "", "when": when}


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "description", "parent", "is_public"]

    def clean_parent(self) -> Category | None:
        parent = self.cleaned_data.get("parent")
        if parent is None or self.instance.pk is None:
            return parent
        seen = set()
        node = parent
        while node is not None and node.pk not in seen:
            if node.pk == self.instance.pk:
                raise forms.ValidationError(
                    _("A category cannot sit under itself or one of its subcategories.")
                )
            seen.add(node.pk)
            node = node.parent
        return parent


class TagAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self) -> str:
        # taggit's Tag is not ours to give a save(); its name is cleaned here.
        return clean_text(self.cleaned_data["name"])


class TagMergeForm(forms.Form):
    """The intermediate page of the "merge selected tags" action."""

    target = forms.ModelChoiceField(
        label=_("Keep this tag"),
        queryset=Tag.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args, tags=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = tags if tags is not None else Tag.objects.none()
