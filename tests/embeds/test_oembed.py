import pytest
from PIL import Image

from embeds import oembed
from embeds.models import Embed
from embeds.oembed import FetchError, clean_text, fetch_metadata, handle_from, refresh
from tests.embeds.conftest import HOSTILE

pytestmark = pytest.mark.django_db

VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
POST = "https://www.instagram.com/p/CdKJx1xLk2Z/"


def use(server, settings, **modes):
    settings.EMBEDS_OEMBED_ENDPOINTS = server.endpoints(**modes)


class FetchMetadataTests:
    def test_good_answer_gives_plain_metadata(self, oembed_server):
        metadata = fetch_metadata("https://youtu.be/dQw4w9WgXcQ?t=3")
        assert metadata.title == "Photograph (Official Video)"
        assert metadata.author_name == "Nadia Vale"
        assert metadata.author_handle == "nadiavale"
        assert metadata.thumbnail_url.endswith("/thumb.png")

    def test_endpoint_is_asked_about_the_canonical_url_as_json(self, oembed_server):
        fetch_metadata("https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share")
        (request,) = oembed_server.requests
        assert request["query"] == {"url": VIDEO, "format": "json"}

    def test_x_text_becomes_the_caption_and_no_script_is_requested(self, oembed_server):
        metadata = fetch_metadata("https://twitter.com/jack/status/20")
        assert metadata.caption == "just setting up my twttr"
        assert (metadata.author_name, metadata.author_handle) == ("jack", "jack")
        assert oembed_server.requests[0]["query"]["omit_script"] == "true"
        assert oembed_server.requests[0]["query"]["dnt"] == "true"

    def test_tiktok_handle_comes_from_its_unique_id(self, oembed_server):
        metadata = fetch_metadata("https://www.tiktok.com/@scout2015/video/6718335390845095173")
        assert metadata.author_handle == "scout2015"
        assert metadata.title == "Scramble up ur name & I’ll try to guess it"

    # The HTTP client's own failures are tested in test_fetch.py; here, that
    # they reach the caller, that the oEmbed size cap applies, and what is
    # refused after a good HTTP answer.
    @pytest.mark.parametrize(
        ("mode", "message"),
        [
            ("404", "HTTP 404"),
            ("oversized", "larger than"),
            ("malformed", "not valid JSON"),
            ("not-utf8", "not valid JSON"),
            ("array", "not an oEmbed object"),
        ],
    )
    def test_failure_raises_a_fetch_error(self, oembed_server, settings, mode, message):
        use(oembed_server, settings, youtube=mode)
        with pytest.raises(FetchError, match=message):
            fetch_metadata(VIDEO)

    def test_html_laden_fields_are_stored_as_plain_capped_text(self, oembed_server, settings):
        use(oembed_server, settings, youtube="hostile")
        metadata = fetch_metadata(VIDEO)
        # Tags are gone; an escaped "<i>" the provider sent as text stays text.
        assert metadata.title == '">alert(1) bold <i>'
        assert metadata.author_name == 'javascript:alert(1)//">alert(1)'
        assert metadata.author_handle == ""
        assert metadata.thumbnail_url == "javascript:alert(1)"  # refused when downloaded

    def test_long_fields_are_capped_to_the_model(self, oembed_server, settings):
        use(oembed_server, settings, youtube="long")
        metadata = fetch_metadata(VIDEO)
        assert len(metadata.title) == 300
        assert len(metadata.author_name) == 200

    def test_fields_of_the_wrong_type_are_ignored(self, oembed_server, settings):
        use(oembed_server, settings, youtube="wrong-types")
        metadata = fetch_metadata(VIDEO)
        assert (metadata.title, metadata.author_name, metadata.thumbnail_url) == ("", "", "")

    def test_provider_without_public_endpoint_is_not_asked(self, oembed_server):
        with pytest.raises(FetchError, match="no public oEmbed"):
            fetch_metadata(POST)
        assert oembed_server.requests == []

    def test_endpoint_can_be_switched_off(self, oembed_server, settings):
        settings.EMBEDS_OEMBED_ENDPOINTS = {"youtube": None}
        assert not oembed.supports("youtube")
        assert oembed.supports("vimeo")


class RefreshTests:
    def test_refresh_fills_blank_fields_and_downloads_the_thumbnail(self, oembed_server):
        embed = Embed.objects.create(url=VIDEO, title="Kept by hand")
        result = refresh(embed)
        assert result.ok
        assert result.message == ""
        embed.refresh_from_db()
        assert embed.title == "Kept by hand"
        assert embed.author_name == "Nadia Vale"
        assert embed.fetched_at is not None
        assert embed.fetch_error == ""
        assert embed.thumbnail.name.startswith("embeds/thumbnails/youtube-")
        assert embed.thumbnail.name.endswith(".png")
        with Image.open(embed.thumbnail.path) as image:
            assert image.size == (8, 6)

    def test_overwrite_replaces_stored_values(self, oembed_server):
        embed = Embed.objects.create(url=VIDEO, title="Old")
        refresh(embed, overwrite=True, thumbnails=False)
        embed.refresh_from_db()
        assert embed.title == "Photograph (Official Video)"
        assert not embed.thumbnail

    @pytest.mark.parametrize(
        ("mode", "message"),
        [
            ("fake-thumbnail", "not a valid image"),
            ("html-thumbnail", "not an image"),
            ("private-thumbnail", "not a public address"),
            ("hostile", "Only https"),
        ],
    )
    def test_bad_thumbnail_is_skipped_but_metadata_kept(
        self, oembed_server, settings, mode, message
    ):
        use(oembed_server, settings, youtube=mode)
        embed = Embed.objects.create(url=VIDEO)
        result = refresh(embed)
        assert result.ok
        assert message in result.message
        embed.refresh_from_db()
        assert embed.author_name
        assert not embed.thumbnail
        assert message in embed.fetch_error

    def test_oversized_thumbnail_is_refused(self, oembed_server, settings):
        settings.EMBEDS_THUMBNAIL_MAX_BYTES = 10
        embed = Embed.objects.create(url=VIDEO)
        assert "larger than" in refresh(embed).message
        assert not embed.thumbnail

    def test_failed_fetch_is_recorded_not_raised(self, oembed_server, settings):
        use(oembed_server, settings, youtube="500")
        embed = Embed.objects.create(url=VIDEO, author_name="Hand")
        result = refresh(embed)
        assert not result.ok
        assert "HTTP 500" in result.message
        embed.refresh_from_db()
        assert embed.fetch_error == "The provider answered HTTP 500."
        assert embed.author_name == "Hand"
        assert embed.fetched_at is None

    def test_unexpected_error_is_recorded_not_raised(self, oembed_server, monkeypatch):
        def explode(url):
            raise RuntimeError("boom")

        monkeypatch.setattr(oembed, "fetch_metadata", explode)
        embed = Embed.objects.create(url=VIDEO)
        result = refresh(embed)
        assert not result.ok
        assert "Unexpected error" in result.message

    def test_provider_without_endpoint_is_skipped(self, oembed_server):
        result = refresh(Embed.objects.create(url=POST))
        assert result.skipped
        assert "by hand" in result.message
        assert oembed_server.requests == []

    def test_hostile_answer_renders_inert(self, oembed_server, settings):
        from embeds.rendering import render_url

        use(oembed_server, settings, youtube="hostile")
        refresh(Embed.objects.create(url=VIDEO))
        html = render_url(VIDEO)
        assert "<script" not in html
        assert "&quot;&gt;alert(1)" in html


class CleanTextTests:
    def test_tags_go_entities_become_text_whitespace_collapses(self):
        assert clean_text("  <b>Tom</b> &amp;\n\t Jerry\u0000 ", 100) == "Tom & Jerry"

    def test_non_strings_become_empty(self):
        assert clean_text(None, 10) == ""
        assert clean_text(["a"], 10) == ""

    def test_length_is_capped(self):
        assert clean_text("x" * 50, 10) == "x" * 10

    def test_hostile_text_keeps_no_tags(self):
        assert "<script" not in clean_text(HOSTILE, 100)


class HandleFromTests:
    @pytest.mark.parametrize(
        ("author_url", "handle"),
        [
            ("https://twitter.com/jack", "jack"),
            ("https://www.youtube.com/@nadiavale", "nadiavale"),
            ("https://www.youtube.com/channel/UC123", ""),
            ("https://soundcloud.com/forss", "forss"),
            ("https://x.example/a b", ""),
            (None, ""),
            ("not a url", ""),
        ],
    )
    def test_handle_from_author_url(self, author_url, handle):
        assert handle_from(author_url) == handle
