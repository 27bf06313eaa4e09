"""manage.py clear_page_cache: what a deploy that changes templates runs."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_clear_page_cache_makes_the_next_request_build_the_page(client, django_assert_num_queries):
    make_article(title="Cached story")
    client.get("/")
    with django_assert_num_queries(0):
        client.get("/")
    out = StringIO()
    call_command("clear_page_cache", stdout=out)
    assert "retired" in out.getvalue()
    response = client.get("/")
    assert response.context is not None  # built, not replayed
    assert b"Cached story" in response.content
