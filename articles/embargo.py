"""Embargoes: an article partners may read before they may report it.

The embargo ends no later than the publish time (a database constraint, with
its message for forms). Going live before it ends is an explicit choice:
the change form asks for it here, and ``services.save_article`` refuses
every other path that has not made it (``EmbargoBreach``).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.models import Article
from articles.services import embargo_label

BREAK_LABEL = gettext_lazy("Publish ahead of the embargo")


def break_embargo_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=BREAK_LABEL,
        required=False,
        help_text=gettext_lazy(
            "Tick only if the embargo no longer holds: publishing or scheduling before it "
            "ends lifts it."
        ),
    )


def check_embargo(form: forms.ModelForm, cleaned: dict) -> None:
    """Say on the form what the write path would refuse; with the box ticked,
    the embargo is lifted."""
    if "embargo_until" not in form.fields or "embargo_until" in form.errors:
        return
    embargo = cleaned.get("embargo_until")
    if embargo is None:
        return
    article = form.instance
    status = cleaned.get("status", article.status)
    published_at = (
        cleaned.get("published_at") if "published_at" in form.fields else article.published_at
    )
    going_live = status == Article.Status.PUBLISHED
    when = published_at or (timezone.now() if going_live else None)
    if when is None or embargo.replace(microsecond=0) <= when.replace(microsecond=0):
        return
    if not going_live or article.is_published:
        form.add_error("embargo_until", _("The embargo must end no later than the publish time."))
    elif cleaned.get("break_embargo"):
        cleaned["embargo_until"] = None
    else:
        form.add_error(
            # The publishing buttons keep the time in a hidden field, whose
            # errors no one would see: those go to the top of the form.
            _shown_field(form, "published_at"),
            _(
                "This publishes the article before its embargo ends (%(until)s). To do it "
                "anyway, tick “%(label)s”; otherwise choose a publish time after the embargo."
            )
            % {"until": embargo_label(embargo), "label": BREAK_LABEL},
        )


def _shown_field(form: forms.ModelForm, name: str) -> str | None:
    field = form.fields.get(name)
    return name if field is not None and not field.widget.is_hidden else None
