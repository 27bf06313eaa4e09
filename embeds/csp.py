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

from embeds.providers import PROVIDERS, frame_hosts


def frame_src() -> list[str]:
    """The origins embed frames load from, derived from the provider registry."""
    return frame_hosts()


allow_embed_frames = csp_replace({"frame-src": frame_src()})


def delegated_features() -> dict[str, list[str]]:
    """Permissions-Policy features embed frames ask for (their ``allow``
    attribute), each with the origins that ask for it.

    A frame gets a feature only if the page's own policy grants it to the
    frame's origin too, so the site's Permissions-Policy must list these.
    """
    features: dict[str, set[str]] = {}
    for provider in PROVIDERS:
        for feature in provider.allow.split(";"):
            if name := feature.strip().split(" ")[0]:
                features.setdefault(name, set()).add(provider.frame_origin)
    return {name: sorted(origins) for name, origins in sorted(features.items())}
