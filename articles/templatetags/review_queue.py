"""``{% review_queue %}``: the admin index's queue for the signed-in user."""

from django import template

from articles.admin.queue import queue_for
from articles.timezones import zone_label

register = template.Library()


@register.inclusion_tag("admin/tags/review_queue.html", takes_context=True)
def review_queue(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"sections": queue_for(user) if user is not None else [], "zone": zone_label()}
