"""Friendly error pages with DEBUG off: no traceback, no exception text, no versions."""

import platform

import django
import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from newsroom import cache as content
from newsroom import urls as site_urls
from newsroom.urls import urlpatterns as site_urlpatterns

SECRET_DETAIL = "the-password-is-hunter2"


def server_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


def database_gone(request: HttpRequest) -> HttpResponse:
    # What Django raises when the server has gone away or the file is missing.
    raise OperationalError(SECRET_DETAIL)


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(SECRET_DETAIL)


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET_DETAIL)


# This module is the URLconf of its own tests: the site plus views that fail on purpose.
urlpatterns = [
    path("test-errors/500/", server_error),
    path("test-errors/503/", database_gone),
    path("test-errors/403/", forbidden),
    path("test-errors/400/", bad_request),
    *site_urlpatterns,
]

handler500 = site_urls.handler500

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls(__name__),
]


def assert_leaks_nothing(content: bytes) -> None:
    text = content.decode()
    assert "Traceback" not in text
    assert SECRET_DETAIL not in text
    assert "RuntimeError" not in text
    assert django.get_version() not in text
    assert platform.python_version() not in text
    assert "DEBUG = True" not in text


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def test_debug_is_off_for_these_tests(settings):
    assert settings.DEBUG is False


def test_an_unknown_address_gets_the_friendly_404_page(client: Client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert_leaks_nothing(response.content)


def test_a_view_that_raises_gets_the_friendly_500_page(client: Client):
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert_leaks_nothing(response.content)


def test_a_database_outage_gets_the_friendly_503_page_with_retry_after(client: Client):
    response = client.get("/test-errors/503/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Back soon" in response.content.decode()
    assert "no-store" in response["Cache-Control"]  # no proxy keeps the outage page
    assert_leaks_nothing(response.content)
    assert "OperationalError" not in response.content.decode()


def test_a_refused_permission_gets_the_friendly_403_page(client: Client):
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    assert "Forbidden" in response.content.decode()
    assert_leaks_nothing(response.content)


def test_a_suspicious_request_gets_the_friendly_400_page(client: Client):
    response = client.get("/test-errors/400/")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert_leaks_nothing(response.content)


def test_error_pages_make_no_database_query(client, django_assert_num_queries, db):
    # They must render while the database is down, and a flood of forged
    # Host headers must not become a flood of queries.
    # A 404 looks up one thing: whether the path is an old address (a 301).
    # (The publishing schedule is read once per content generation, not per page.)
    content.current()
    with django_assert_num_queries(1):
        assert client.get("/no/such/page/").status_code == 404
    with django_assert_num_queries(0):
        assert client.get("/", HTTP_HOST="evil.example").status_code == 400
