"""Admin requests the database fails: a 503 page that needs no database.

The article form re-shows itself with the reason when only its save fails
(``ArticleAdmin``). When the database cannot even be read, say PostgreSQL
is down or the SQLite file is gone, no admin form can be built (it needs
the article, the categories, the user), so this page answers instead: a
POST's fields come back in a form that sends them again, and the editor's
text stays on screen. Nothing here queries the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# Form bookkeeping a person did not type: sent again, not shown.
NOT_SHOWN = ("csrfmiddlewaretoken", "loaded_version", "_save", "_continue", "_addanother")


class AdminDatabaseFaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if not request.path.startswith(reverse("admin:index")):
            return None
        logger.warning("admin %s %s: database unavailable", request.method, request.path)
        return unavailable_response(request)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    fields = (
        [
            (name, value)
            for name, values in request.POST.lists()
            # A password is never written back into a page.
            if "password" not in name.lower()
            for value in values
        ]
        if posted
        else []
    )
    context = {
        "posted": posted,
        "action": request.get_full_path(),
        "csrf_token": get_token(request) if posted else "",
        "resend": [(n, v) for n, v in fields if n != "csrfmiddlewaretoken"],
        # What a person wrote: not the bookkeeping, ids and inline rows.
        "shown": [
            (n, v)
            for n, v in fields
            if v.strip() and n not in NOT_SHOWN and "-" not in n and not v.isdigit()
        ],
        "files_lost": posted and bool(request.FILES),
    }
    # No request: the context processors would reach for the user and the database.
    response = HttpResponse(render_to_string("admin/unavailable.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
