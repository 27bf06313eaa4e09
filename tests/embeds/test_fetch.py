import json
import time

import pytest

from embeds import fetch
from embeds.fetch import FetchError
from tests.embeds.conftest import SLOW_SECONDS

MAX_BYTES = 64 * 1024


def get(url: str) -> fetch.Response:
    return fetch.get(url, max_bytes=MAX_BYTES, accept="*/*")


class GetTests:
    def test_redirects_to_public_addresses_are_followed(self, oembed_server):
        response = get(f"{oembed_server.base}/redirect-good")
        assert (response.status, response.content_type) == (200, "application/json")
        assert json.loads(response.body)["author_name"] == "Nadia Vale"
        assert [r["mode"] for r in oembed_server.requests] == ["redirect-good", "good"]

    @pytest.mark.parametrize(
        ("mode", "message"),
        [
            ("404", "HTTP 404"),
            ("500", "HTTP 500"),
            ("oversized", "larger than"),
            ("oversized-unannounced", "larger than"),
            ("redirect-private", "not a public address"),
            ("redirect-loop", "Too many redirects"),
            ("redirect-scheme", "Only https"),
        ],
    )
    def test_failure_raises_a_fetch_error(self, oembed_server, mode, message):
        with pytest.raises(FetchError, match=message):
            get(f"{oembed_server.base}/{mode}")

    @pytest.mark.parametrize("mode", ["slow", "trickle"])
    def test_slow_answer_times_out_long_before_the_server_finishes(
        self, oembed_server, settings, mode
    ):
        settings.EMBEDS_FETCH_TIMEOUT = 0.5
        started = time.monotonic()
        with pytest.raises(FetchError, match="in time"):
            get(f"{oembed_server.base}/{mode}")
        # The server would take SLOW_SECONDS to answer in full. Half of that is
        # a margin no busy machine eats into, and still proves the timeout
        # covers the whole request, not each socket read.
        assert time.monotonic() - started < SLOW_SECONDS / 2


class AddressRulesTests:
    def test_loopback_is_refused_unless_allowed(self, oembed_server, settings):
        settings.EMBEDS_ALLOW_LOOPBACK = False
        with pytest.raises(FetchError, match="Only https"):
            get(f"{oembed_server.base}/good")
        with pytest.raises(FetchError, match="not a public address"):
            get("https://127.0.0.1:1/oembed")
        assert oembed_server.requests == []

    @pytest.mark.parametrize(
        "url",
        [
            "https://10.0.0.1/oembed",
            "https://192.168.1.1/oembed",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::ffff:127.0.0.1]/oembed",
            "https://[fd00::1]/oembed",
            "https://0.0.0.0/oembed",
            "https://100.64.0.1/oembed",
        ],
    )
    def test_private_addresses_are_refused_without_connecting(self, settings, url):
        settings.EMBEDS_ALLOW_LOOPBACK = False
        with pytest.raises(FetchError, match="not a public address"):
            fetch.get(url, max_bytes=1024, accept="*/*")

    def test_plain_http_to_a_public_address_is_refused_even_in_tests(self, oembed_server):
        with pytest.raises(FetchError, match="Only https"):
            fetch.get("http://93.184.215.14/oembed", max_bytes=1024, accept="*/*")

    @pytest.mark.parametrize(
        "url", ["ftp://example.com/x", "file:///etc/passwd", "https://u:p@example.com/"]
    )
    def test_other_schemes_and_credentials_are_refused(self, url):
        with pytest.raises(FetchError):
            fetch.get(url, max_bytes=1024, accept="*/*")
