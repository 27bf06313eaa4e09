"""The JSON the live coverage script polls: posts newer than ``?after=<id>``."""

import datetime

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from articles.live import pages
from articles.pages import published_article_at
from newsroom.middleware import etag_matches


@require_safe
def live_json(request: HttpRequest, year: str, month: str, day: str, slug: str) -> HttpResponse:
    """Through the gate: an unpublished article, or one without live coverage,
    is a 404 like its page. Kept briefly by browsers and shared caches
    (``Cache-Control`` and an ``ETag``); the script revalidates each poll."""
    after_param = request.GET.get("after", "0") or "0"
    after = pages.parse_id(after_param)
    if after is None:
        return JsonResponse(
            {"error": _("“after” must be the id of a post, a whole number.")}, status=400
        )
    try:
        date = datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise Http404(_("No such date")) from None
    article = published_article_at(date, slug)
    if not article.is_live:
        raise Http404(_("This article has no live coverage."))
    payload, etag = pages.updates_after(article, after)
    if etag_matches(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(payload, content_type="application/json")
    response["ETag"] = etag
    seconds = pages.JSON_MAX_AGE
    # Set here, so the page cache passes it through rather than storing it.
    response["Cache-Control"] = f"public, max-age={seconds}, s-maxage={seconds}"
    return response
