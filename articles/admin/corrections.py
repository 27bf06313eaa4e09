"""Corrections, updates and clarifications, added on the article's change form.

The inline is saved with the article, inside ``services.save_article``: one
revision, a new article version, the caches retired. A changed wording is
dated (``edited_at``) and the earlier one stays in the history.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from articles.models import Article, Correction
from articles.permissions import can_edit_article, can_publish


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = Correction
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class CorrectionFormSet(BaseInlineFormSet):
    """Records who added a note, and when its wording changed."""

    user = None

    def save_new(self, form, commit=True):
        if self.user is not None and self.user.is_authenticated:
            form.instance.author = self.user
        return super().save_new(form, commit=commit)

    def save_existing(self, form, obj, commit=True):
        if {"kind", "text"} & set(form.changed_data):
            obj.edited_at = timezone.now()
        return super().save_existing(form, obj, commit=commit)


class CorrectionInline(admin.StackedInline):
    model = Correction
    form = CorrectionForm
    formset = CorrectionFormSet
    extra = 0
    fields = ["kind", "text", "added", "earlier_wording"]
    readonly_fields = ["added", "earlier_wording"]
    verbose_name = _("correction or update")
    verbose_name_plural = _("corrections and updates")

    def get_formset(self, request: HttpRequest, obj: Article | None = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})

    # Roles: whoever may edit the article adds and rewords its notes; only
    # editors remove one (the history keeps it either way).
    def has_add_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_add_permission(request, obj) and _may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_change_permission(request, obj) and _may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return (
            super().has_delete_permission(request, obj)
            and can_publish(request.user)
            and _may_edit(request, obj)
        )

    @admin.display(description=_("Added"))
    def added(self, correction: Correction) -> str:
        if not correction.pk:
            return "—"
        who = correction.author.get_username() if correction.author else _("unknown")
        when = date_format(timezone.localtime(correction.created_at), "DATETIME_FORMAT")
        return _("%(when)s by %(who)s") % {"when": when, "who": who}

    @admin.display(description=_("Earlier wording"))
    def earlier_wording(self, correction: Correction) -> str:
        if not correction.pk:
            return "—"
        texts = []
        for version in Version.objects.get_for_object(correction):
            text = version.field_dict.get("text", "")
            if text and text != correction.text and text not in texts:
                texts.append(text)
        if not texts:
            return "—"
        return format_html_join("", "<p>{}</p>", ((text,) for text in texts))


def _may_edit(request: HttpRequest, obj: Article | None) -> bool:
    return obj is None or can_edit_article(request.user, obj)
