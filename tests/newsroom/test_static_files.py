"""WhiteNoise serves collected static files: hashed names cached for ever, compressed."""

import gzip
import re
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.templatetags.static import static
from django.test import Client

ONE_YEAR = 365 * 24 * 60 * 60


@pytest.fixture
def collected(settings, collected_static: Path) -> Path:
    """STATIC_ROOT, freshly collected (root conftest); each test's Client builds
    a fresh WhiteNoise that indexes it, as in production."""
    settings.WHITENOISE_AUTOREFRESH = False
    return collected_static


def body(response: StreamingHttpResponse) -> bytes:
    return b"".join(response.streaming_content)


def collected_file(static_root: Path, name: str) -> bytes:
    """The bytes collectstatic wrote for a name (CSS has its url()s rewritten to hashed ones)."""
    return (static_root / static(name).removeprefix("/static/")).read_bytes()


def max_age(cache_control: str) -> int:
    match = re.search(r"max-age=(\d+)", cache_control)
    assert match, cache_control
    return int(match[1])


def test_static_urls_carry_a_content_hash(collected: Path):
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", static("css/site.css"))


def test_a_hashed_static_file_is_cached_for_a_year_and_immutable(client: Client, collected: Path):
    response = client.get(static("css/site.css"))
    assert response.status_code == 200
    assert max_age(response["Cache-Control"]) >= ONE_YEAR
    assert "immutable" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert body(response) == collected_file(collected, "css/site.css")


def test_a_hashed_static_file_is_sent_gzipped_when_the_client_accepts_it(
    client: Client, collected: Path
):
    response = client.get(static("css/site.css"), HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(body(response)) == collected_file(collected, "css/site.css")


def test_a_static_file_is_sent_plain_to_a_client_without_gzip(client: Client, collected: Path):
    response = client.get(static("css/site.css"), HTTP_ACCEPT_ENCODING="identity")
    assert not response.has_header("Content-Encoding")


def test_an_unhashed_static_name_is_not_cached_for_long(client: Client, collected: Path):
    # Unhashed names keep their URL across deploys; a year of caching would pin old CSS.
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert max_age(response["Cache-Control"]) <= 3600
    assert "immutable" not in response["Cache-Control"]
