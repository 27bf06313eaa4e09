"""What the article form offers while writing: embed cards of the body as it
is typed, the embeds' card text editable with the article, and a byline name
asked of a writer once. The page-side scripts are in
``static/admin-newsroom/editor.js``."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.forms import modelformset_factory
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles import services
from articles.html import clean_text, sanitize
from articles.models import Author
from articles.permissions import can_publish
from embeds import oembed
from embeds.models import HANDLE, Embed
from embeds.rendering import embed_matches, embed_urls, render_match

# A body this long (characters of editor HTML) is far past any article; the
# preview refuses it rather than spend the server on it.
MAX_PREVIEW_BODY = 500_000
# Cards the preview renders at most; the page renders every one.
MAX_PREVIEW_CARDS = 50
EMBED_PREFIX = "embed"


# Card text, edited with the article ----------------------------------------


class EmbedMetadataForm(forms.ModelForm):
    class Meta:
        model = Embed
        fields = ["author_name", "author_handle", "title"]

    def clean_author_handle(self) -> str:
        handle = self.cleaned_data["author_handle"].strip().lstrip("@")
        if handle and not HANDLE.fullmatch(handle):
            raise forms.ValidationError(_("Letters, digits, dots, dashes and underscores only."))
        return handle

    def clean(self):
        # A posted id that is not one of this article's embeds (the formset
        # only finds those) leaves a blank instance here.
        if self.instance.pk is None:
            raise forms.ValidationError(_("This embed is not in the article's saved text."))
        return super().clean()

    def _post_clean(self) -> None:
        if self.instance.pk is not None:  # no row to check otherwise
            super()._post_clean()


EmbedMetadataFormSet = modelformset_factory(
    Embed,
    form=EmbedMetadataForm,
    extra=0,
    edit_only=True,  # rows come from the body, never from the form
    max_num=MAX_PREVIEW_CARDS,
    absolute_max=MAX_PREVIEW_CARDS,
    validate_max=True,
)


class WithEmbedMetadata:
    """An article form that also edits the card text of the embeds in the
    saved body (``embeds``, a formset), saved with the article in its
    transaction. A post without the formset's fields leaves embeds alone."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        urls = embed_urls(self.instance.body) if self.instance.pk else []
        queryset = Embed.objects.for_urls(urls).order_by("pk") if urls else Embed.objects.none()
        posted = self.is_bound and f"{EMBED_PREFIX}-TOTAL_FORMS" in self.data
        self.embeds_posted = posted
        self.embeds = EmbedMetadataFormSet(
            self.data if posted else None, queryset=queryset, prefix=EMBED_PREFIX
        )

    def full_clean(self) -> None:
        super().full_clean()
        if self.embeds_posted and not self.embeds.is_valid():
            self.add_error(None, _("Check the embeds' card text below."))

    def _save_m2m(self) -> None:
        super()._save_m2m()
        if self.embeds_posted:
            self.embeds.save()


def autofill_embeds(body: str) -> None:
    """Ask providers that allow it (oEmbed) for the card text of the body's
    embeds that have none and were never asked. Runs after the save commits:
    no lock is held while a provider answers, and a failure only leaves the
    row's ``fetch_error``."""
    urls = embed_urls(body)
    if not urls:
        return
    rows = Embed.objects.for_urls(urls).filter(fetched_at__isnull=True, fetch_error="")
    for embed in rows:
        if embed.lacks_metadata and oembed.supports(embed.provider):
            oembed.refresh(embed)


# Byline name ------------------------------------------------------------------


class BylineNameForm(forms.Form):
    name = forms.CharField(
        label=_("Your name as readers will see it"),
        max_length=Author._meta.get_field("name").max_length,
        help_text=_("It appears on your bylines and your author page, e.g. “Wendy Okafor”."),
    )

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name


def needs_byline_name(user) -> bool:
    """A writer (who goes on the byline of what they write) without a profile."""
    if can_publish(user):
        return False
    try:
        user.author  # noqa: B018 - the lookup is the question
    except Author.DoesNotExist:
        return True
    return False


class EditorToolsMixin:
    """For ``ArticleAdmin``: the endpoints and form pieces above."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "embed-cards/",
                self.admin_site.admin_view(require_POST(self.embed_cards_view)),
                name="{}_{}_embed_cards".format(*info),
            ),
            path(
                "byline-name/",
                self.admin_site.admin_view(self.byline_name_view),
                name="{}_{}_byline_name".format(*info),
            ),
            *super().get_urls(),
        ]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (WithEmbedMetadata, form), {})

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ):
        if object_id is None and request.method == "GET" and needs_byline_name(request.user):
            target = reverse("admin:articles_article_byline_name")
            return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request: HttpRequest, context, *args, obj=None, **kwargs):
        # What editor.js needs to build the public URL of the slug as typed.
        sample = reverse(
            "articles:detail", kwargs={"year": 2000, "month": "01", "day": "02", "slug": "SLUG"}
        )
        context["editor_permalink_pattern"] = settings.SITE_URL + sample
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if getattr(request, "_newsroom_reverting", False):
            return
        body = form.instance.body
        if settings.EMBEDS_AUTOFILL_ON_SAVE:
            transaction.on_commit(lambda: autofill_embeds(body))

    def embed_cards_view(self, request: HttpRequest) -> HttpResponse:
        """The embed cards of a body being written (the ``body`` field), as the
        page will show them, from the stored metadata: one query, nothing
        asked of any provider."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            return HttpResponse(_("You may not write articles."), status=403)
        body = request.POST.get("body", "")
        if len(body) > MAX_PREVIEW_BODY:
            return HttpResponseBadRequest(
                _("The body is too long to preview its embeds."), content_type="text/plain"
            )
        matches = embed_matches(sanitize(body))[:MAX_PREVIEW_CARDS]
        rows = {row.url: row for row in Embed.objects.for_urls(matches)} if matches else {}
        cards = [{"url": m.url, "card": render_match(m, rows.get(m.url))} for m in matches]
        return TemplateResponse(
            request, "admin/articles/article/embed_cards.html", {"cards": cards}
        )

    def byline_name_view(self, request: HttpRequest) -> HttpResponse:
        next_url = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = ""
        next_url = next_url or reverse("admin:articles_article_add")
        if not self.has_add_permission(request):
            return HttpResponse(_("You may not write articles."), status=403)
        if not needs_byline_name(request.user):
            return HttpResponseRedirect(next_url)
        initial = {"name": request.user.get_full_name()}
        form = BylineNameForm(request.POST if request.method == "POST" else None, initial=initial)
        if form.is_valid():
            author = services.author_for(request.user, name=form.cleaned_data["name"])
            messages.success(request, _("Your byline reads “%(name)s”.") % {"name": author.name})
            return HttpResponseRedirect(next_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Your byline"),
            "form": form,
            "next": next_url,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/articles/article/byline_name.html", context)
