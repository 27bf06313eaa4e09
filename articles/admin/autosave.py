"""The change form's autosave: the endpoint its script posts to, the restore
offer shown when the form opens, and the clean-up after a normal save.
A mixin for ``ArticleAdmin``; the rows are ``articles.autosaves``."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from articles import autosaves, diffs
from articles.models import Article
from articles.permissions import can_edit_article

# Compared with the saved article in the restore offer, in this order.
TEXT_FIELDS = ["title", "slug", "dek", "body", "summary", "seo_title", "seo_description"]
MAX_ARTICLE_ID = 2**63 - 1
DRAFT_FIELD = "_autosave_draft"


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": str(message)}, status=status)


def interval_seconds() -> float:
    return float(getattr(settings, "NEWSROOM_AUTOSAVE_SECONDS", 30))


class ArticleAutosaveMixin:
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "autosave/",
                self.admin_site.admin_view(self.autosave_view),
                name="{}_{}_autosave".format(*info),
            ),
            *super().get_urls(),
        ]

    # The endpoint --------------------------------------------------------

    def autosave_view(self, request: HttpRequest) -> JsonResponse:
        """POST JSON ``{"article": id or null, "draft": token, "action":
        "save" | "discard", "fields": {...}}``; answers JSON, errors with
        ``{"error": reason}``."""
        if request.method != "POST":
            response = _error(_("Send the autosave with POST."), 405)
            response["Allow"] = "POST"
            return response
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _error(_("The request has an invalid length."))
        if length > autosaves.MAX_REQUEST_BYTES:
            return _error(
                _("The autosave is too large (at most %(kb)d KB).")
                % {"kb": autosaves.MAX_REQUEST_BYTES // 1024},
                413,
            )
        try:
            payload = json.loads(request.body)
        except (ValueError, RecursionError):
            return _error(_("The autosave is not valid JSON."))
        if not isinstance(payload, dict):
            return _error(_("The autosave must be a JSON object."))
        action = payload.get("action", "save")
        if action not in ("save", "discard"):
            return _error(_("Unknown action: use “save” or “discard”."))

        article, draft = None, ""
        article_id = payload.get("article")
        if article_id is not None:
            if (
                isinstance(article_id, bool)
                or not isinstance(article_id, int)
                or not 0 < article_id <= MAX_ARTICLE_ID
            ):
                return _error(_("“article” must be an article id or null."))
            article = self.get_queryset(request).filter(pk=article_id).first()
            if article is None:
                return _error(_("No such article."), 404)
            if not can_edit_article(request.user, article):
                return _error(_("You may not edit this article."), 403)
        else:
            draft = payload.get("draft")
            if not isinstance(draft, str) or not autosaves.DRAFT_TOKEN.fullmatch(draft):
                return _error(_("A new article's autosave needs its draft token."))
            if not self.has_add_permission(request):
                return _error(_("You may not write articles."), 403)

        if action == "discard":
            autosaves.discard(request.user, article=article, draft=draft)
            return JsonResponse({"message": _("Autosave discarded.")})
        try:
            fields = autosaves.check_fields(payload.get("fields"))
        except autosaves.InvalidFields as invalid:
            return _error(str(invalid))
        autosave = autosaves.store(request.user, fields, article=article, draft=draft)
        return JsonResponse(
            {
                "saved_at": autosave.saved_at.isoformat(),
                "message": _("Autosaved at %(when)s") % {"when": autosaves.when(autosave)},
            }
        )

    # The change form -----------------------------------------------------

    def autosave_context(self, request: HttpRequest, context, obj: Article | None) -> dict | None:
        """What the change form needs for autosaving, or None where it does not
        autosave (a read-only form, a revert, a recovery, a popup)."""
        if getattr(request, "_newsroom_reverting", False) or context.get("is_popup"):
            return None
        if obj is not None and obj.pk:
            if not self.has_change_permission(request, obj):
                return None
        elif not self.has_add_permission(request):
            return None
        sent = request.POST.get(DRAFT_FIELD, "") if request.method == "POST" else ""
        config = {
            "url": reverse("admin:articles_article_autosave"),
            "interval": interval_seconds(),
            "article": obj.pk if obj is not None and obj.pk else "",
            "draft": sent if autosaves.DRAFT_TOKEN.fullmatch(sent) else "",
            "draft_field": DRAFT_FIELD,
        }
        # Re-shown after a failed save: the form holds the newest text already.
        if request.method == "GET":
            autosave = autosaves.latest(request.user, obj if obj is not None and obj.pk else None)
            if autosave is not None:
                config["offer"] = {
                    "when": autosaves.when(autosave),
                    "draft": autosave.draft_token,
                    "data": autosave.data,
                    "changes": offer_changes(autosave.data, obj),
                }
        return config


def offer_changes(data: dict, article: Article | None) -> list[dict]:
    """How the autosave's text differs from the saved article (from nothing,
    for a new one): a readable diff per text field that differs."""
    changes = []
    for name in TEXT_FIELDS:
        kept = data.get(name)
        if not isinstance(kept, str):
            continue
        saved = str(getattr(article, name, "") or "") if article is not None else ""
        if kept == saved:
            continue
        html = diffs.diff_html(saved, kept) if name == "body" else diffs.diff_text(saved, kept)
        label = str(Article._meta.get_field(name).verbose_name).capitalize()
        changes.append({"label": label, "html": html})
    return changes


def discard_after_save(request: HttpRequest, article: Article) -> None:
    """A normal save makes the user's autosave of the form stale: deleted."""
    autosaves.discard(request.user, article=article)
    draft = request.POST.get(DRAFT_FIELD, "")
    if autosaves.DRAFT_TOKEN.fullmatch(draft):
        autosaves.discard(request.user, draft=draft)
