"""Bandcamp's player id read from the page itself, through the SSRF-safe client.

A real HTTP server on 127.0.0.1 stands in for Bandcamp: ``EMBEDS_PAGE_BASE_URLS``
sends the fetch for ``https://ARTIST.bandcamp.com/track/SLUG`` to
``/ARTIST.bandcamp.com/track/SLUG`` on it, and the artist part picks the page.
The pages are our own small imitations, not copies of Bandcamp's.
"""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from embeds import oembed, pages
from embeds.models import Embed
from embeds.providers import match
from embeds.rendering import render_match

pytestmark = pytest.mark.django_db

HOSTILE = '"><script>alert(1)</script>'


def page(*metas: str, body: str = "<p>Songs about harbours.</p>") -> bytes:
    head = "".join(metas)
    html = f"<!doctype html><html><head><title>x</title>{head}</head><body>{body}</body></html>"
    return html.encode()


PLAYER = "https://bandcamp.com/EmbeddedPlayer/v=2/{}/size=large/tracklist=false/"
PAGES = {
    "good": page(
        '<meta property="og:title" content="First Light, by The Lanterns">',
        '<meta property="og:site_name" content="The Lanterns">',
        f'<meta property="og:video" content="{PLAYER.format("track=1234567")}">',
        '<meta name="bc-page-properties" content=\'{"item_type":"t","item_id":1234567}\'>',
    ),
    "props": page(
        '<meta name="bc-page-properties" content="{&quot;item_type&quot;:&quot;a&quot;,'
        '&quot;item_id&quot;:7654321}">'
    ),
    "wrongtype": page(f'<meta property="og:video" content="{PLAYER.format("album=42")}">'),
    "noid": page('<meta property="og:title" content="Nothing to play">'),
    "toolong": page(f'<meta property="og:video" content="{PLAYER.format("album=" + "9" * 40)}">'),
    "badjson": page('<meta name="bc-page-properties" content="{item_id: 5, nope">'),
    "wrongjson": page(
        '<meta name="bc-page-properties" content=\'{"item_type":"a","item_id":true}\'>'
    ),
    "malformed": b"<html><head><meta property=og:video content='https://bandcamp.com/Embedded"
    b"Player/album=555/'<meta <<<>>> \xff\xfe\x00<![CDATA[ <script",
    "hostile": page(
        f'<meta property="og:title" content="{HOSTILE.replace(chr(34), "&quot;")} Tune">',
        '<meta property="og:site_name" content="javascript:alert(1)">',
        f'<meta property="og:video" content="{PLAYER.format("album=31337")}">',
    ),
}


class BandcampLike(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_GET(self):
        artist = self.path.strip("/").split(".")[0]
        if artist == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://10.0.0.1/album/secret")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if artist == "huge":
            body = page(body="<p>la</p>" * 20_000)
        elif artist == "json":
            return self.answer(b'{"item_id": 1}', "application/json")
        else:
            body = PAGES.get(artist)
        if body is None:
            return self.answer(b"Not here", "text/plain", status=404)
        self.answer(body, "text/html; charset=utf-8")

    def answer(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def bandcamp(settings) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BandcampLike)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMBEDS_ALLOW_LOOPBACK = True
    settings.EMBEDS_PAGE_BASE_URLS = {"bandcamp": f"http://127.0.0.1:{server.server_port}/"}
    settings.EMBEDS_PAGE_MAX_BYTES = 64 * 1024
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def refreshed(url: str) -> tuple[Embed, oembed.FetchResult]:
    embed = Embed.objects.create(url=url)
    result = oembed.refresh(embed)
    embed.refresh_from_db()
    return embed, result


class BandcampPageTests:
    def test_the_player_id_comes_from_the_pages_opengraph(self, bandcamp):
        embed, result = refreshed("https://good.bandcamp.com/track/first-light")
        assert result.ok, result.message
        assert embed.player_id == "1234567"
        assert embed.title == "First Light, by The Lanterns"
        assert embed.author_name == "The Lanterns"
        assert embed.fetch_error == ""

    def test_the_player_id_comes_from_page_properties_without_opengraph(self, bandcamp):
        embed, result = refreshed("https://props.bandcamp.com/album/harbour-songs")
        assert result.ok, result.message
        assert embed.player_id == "7654321"

    def test_a_fetched_id_turns_the_link_card_into_a_player_card(self, bandcamp):
        url = "https://good.bandcamp.com/track/first-light"
        before = render_match(match(url))
        assert "data-embed-src" not in before
        assert f'href="{url}"' in before and "Listen on Bandcamp" in before
        embed, _ = refreshed(url)
        after = render_match(match(url), embed)
        assert 'data-embed-src="https://bandcamp.com/EmbeddedPlayer/track=1234567/' in after
        assert "Load<span" in after

    def test_a_stored_id_is_kept_unless_overwriting(self, bandcamp):
        embed = Embed.objects.create(
            url="https://good.bandcamp.com/track/first-light", player_id="99"
        )
        oembed.refresh(embed)
        assert Embed.objects.get().player_id == "99"
        oembed.refresh(embed, overwrite=True)
        assert Embed.objects.get().player_id == "1234567"

    @pytest.mark.parametrize(
        ("artist", "kind", "message"),
        [
            ("noid", "album", "names no album id"),
            ("wrongtype", "track", "names no track id"),
            ("toolong", "album", "names no album id"),
            ("badjson", "album", "names no album id"),
            ("wrongjson", "album", "names no album id"),
            ("missing", "album", "HTTP 404"),
            ("json", "album", "not HTML"),
            ("huge", "album", "larger than"),
            ("redirect", "album", "not a public address"),
        ],
    )
    def test_hostile_pages_leave_a_link_card_and_a_clear_error(
        self, bandcamp, artist, kind, message
    ):
        embed, result = refreshed(f"https://{artist}.bandcamp.com/{kind}/some-thing")
        assert not result.ok
        assert message in result.message
        assert message in embed.fetch_error
        assert embed.player_id == ""
        assert "data-embed-src" not in render_match(match(embed.url), embed)

    def test_malformed_markup_is_read_without_raising(self, bandcamp):
        embed, result = refreshed("https://malformed.bandcamp.com/album/broken")
        # Whatever the parser salvages, the id is digits or nothing.
        assert embed.player_id in ("", "555")
        assert result.ok == (embed.player_id == "555")

    def test_hostile_page_text_is_stored_as_plain_text(self, bandcamp):
        embed, result = refreshed("https://hostile.bandcamp.com/album/tune")
        assert result.ok, result.message
        assert embed.player_id == "31337"
        assert "<script>" not in embed.title and "Tune" in embed.title
        card = render_match(match(embed.url), embed)
        assert "<script>" not in card and "javascript:alert(1)" in card  # as text only
        assert 'href="javascript' not in card

    def test_missing_metadata_lists_bandcamp_rows_without_a_player_id(self, bandcamp):
        Embed.objects.create(url="https://good.bandcamp.com/track/first-light", title="First Light")
        assert Embed.objects.missing_metadata().count() == 1
        assert Embed.objects.get().lacks_metadata


class MetaTagTests:
    def test_only_the_pages_own_item_type_counts(self):
        tags = {"og:video": PLAYER.format("album=1/track=2")}
        assert pages.bandcamp_player_id("track", tags) == "2"
        assert pages.bandcamp_player_id("album", tags) == "1"

    def test_meta_tags_keep_the_first_of_each(self):
        tags = pages.meta_tags(
            '<meta property="og:title" content="a"><meta property="og:title" content="b">'
        )
        assert tags == {"og:title": "a"}
