"""The Content-Security-Policy a page with embeds needs.

The site's policy has ``frame-src 'none'``. django-csp 4's ``csp_update``
appends to a directive, which would give ``frame-src 'none' https://...``
(browsers then ignore ``'none'``, but it reads wrong and is flagged), so
pages with embeds *replace* the directive with exactly the registry's hosts::

    from django.utils.decorators import method_decorator
    from embeds.csp import allow_embed_frames

    @method_decorator(allow_embed_frames, name="dispatch")
    class ArticleDetailView(DetailView): ...

or ``@csp_replace({"frame-src": frame_src()})`` by hand.
"""

from csp.decorators import csp_replace

from embeds.providers import frame_hosts


def frame_src() -> list[str]:
    """The origins embed frames load from, derived from the provider registry."""
    return frame_hosts()


allow_embed_frames = csp_replace({"frame-src": frame_src()})
