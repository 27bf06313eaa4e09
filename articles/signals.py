"""Cache invalidation, the one job signals have here (see DESIGN.md).

Any save or delete of something a reader page shows bumps the content
generation (``newsroom.cache``), which retires every cached page and fragment
at once. Signals rather than calls in ``services``: rows also change through
the admin's inlines, taggit's managers, cascades and reversion's recovery.
"""

from django.db.models.signals import post_delete, post_save
from taggit.models import Tag

from articles.images import Image
from articles.models import (
    Article,
    Author,
    Byline,
    Category,
    LivePost,
    Redirect,
    TaggedArticle,
)
from embeds.models import Embed
from newsroom import cache as content

CONTENT_MODELS = (
    Article,
    Byline,
    TaggedArticle,
    Tag,
    Category,
    Author,
    Embed,
    Redirect,
    Image,
    LivePost,
)


def content_changed(sender, **kwargs) -> None:
    content.changed()


for _model in CONTENT_MODELS:
    for _signal in (post_save, post_delete):
        _signal.connect(
            content_changed, sender=_model, dispatch_uid=f"content-changed-{_model._meta.label}"
        )
