"""``{% load embeds %}`` then ``{% embed url %}``: one embed card in a template."""

from django import template
from django.utils.safestring import SafeString

from embeds.rendering import render_url

register = template.Library()


@register.simple_tag(name="embed")
def embed(url: str) -> SafeString:
    """The privacy-first card for ``url`` (one query), or a plain link when
    the URL is not a supported embed. Pages using it need ``css/embeds.css``
    and ``js/embeds.js``, and ``embeds.csp.frame_src()`` in their frame-src."""
    return render_url(str(url or ""))
