import re

import nh3
import pytest
from django.core.cache import cache
from django.template import Context, Template

from embeds import providers
from embeds.models import Embed
from embeds.rendering import (
    embed_matches,
    embed_urls,
    render_body,
    render_body_cached,
    render_url,
)

pytestmark = pytest.mark.django_db

POSTS = [f"https://www.instagram.com/p/CdKJx1xLk2{c}/" for c in "ABC"]
TRACK = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
HOSTILE = '"><script>alert(1)</script>'


def sanitized(body: str) -> str:
    """What the articles app stores: nh3 output with rel on links."""
    return nh3.clean(
        body,
        tags={"p", "a", "strong", "em", "br", "blockquote"},
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@pytest.fixture
def matched(monkeypatch) -> list[str]:
    """Every URL the provider registry is asked about, in order."""
    asked: list[str] = []
    real_match = providers.match

    def counting_match(url: str) -> providers.EmbedMatch | None:
        asked.append(url)
        return real_match(url)

    monkeypatch.setattr(providers, "match", counting_match)
    return asked


@pytest.fixture
def music_article_embeds():
    for url in POSTS:
        Embed.objects.create(url=url, author_name="Nadia Vale", author_handle="nadiavalemusic")
    Embed.objects.create(url=TRACK, title="Photograph")


class RenderBodyTests:
    def test_three_posts_and_a_track_render_as_cards_in_one_query(
        self, music_article_embeds, django_assert_num_queries
    ):
        body = sanitized(
            "<p>Nadia shared three photos.</p>"
            f"<p>{POSTS[0]}</p>"
            f'<p><a href="{POSTS[1]}">{POSTS[1]}</a></p>'
            f"<p>[embed]{POSTS[2]}[/embed]</p>"
            "<p>And a song:</p>"
            f"<p>{TRACK}</p>"
        )
        with django_assert_num_queries(1):
            html = render_body(body)
        assert html.count("View this post on Instagram") == 3
        assert html.count("A post shared by Nadia Vale (@nadiavalemusic)") == 3
        assert html.count("Listen on Spotify") == 1
        assert "Photograph" in html
        assert "<iframe" not in html
        assert "<p>Nadia shared three photos.</p>" in html
        assert "<p>And a song:</p>" in html

    def test_each_url_is_matched_once_per_render(self, music_article_embeds, matched):
        html = render_body(sanitized(f"<p>{POSTS[0]}</p><p>[embed]{TRACK}[/embed]</p>"))
        assert html.count("<figure") == 2
        assert matched == [POSTS[0], TRACK]

    def test_cards_load_nothing_from_the_provider(self, music_article_embeds):
        html = render_body(sanitized(f"<p>{POSTS[0]}</p>"))
        assert 'data-embed-src="https://www.instagram.com/p/CdKJx1xLk2A/embed/"' in html
        # The only provider URLs are the link and the frame's data attribute.
        for url in re.findall(r'\s(?:src|href)="([^"]*)"', html):
            assert url == POSTS[0], url

    def test_card_offers_consent_controls_hidden_without_script(self, music_article_embeds):
        html = render_body(sanitized(f"<p>{POSTS[0]}</p>"))
        assert '<details class="embed__consent" data-embed-consent hidden>' in html
        assert (
            '<button type="button" class="embed__load" data-embed-load hidden>Load'
            '<span class="visually-hidden"> Instagram content</span></button>'
        ) in html
        assert "<summary>What loading Instagram shares</summary>" in html
        assert "This content comes from Instagram" in html
        assert "shares data with Instagram" in html
        assert re.search(
            r"<label[^>]*><input type=\"checkbox\" data-embed-remember> "
            r"Always load content from Instagram</label>",
            html,
        )
        assert (
            f'<a href="{POSTS[0]}" rel="noopener noreferrer">View this post on Instagram</a>'
            in (html)
        )

    def test_url_without_a_row_still_renders_a_card(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            html = render_body(sanitized("<p>https://youtu.be/dQw4w9WgXcQ</p>"))
        assert "Watch on YouTube" in html
        assert "A post shared by" not in html
        assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html

    def test_body_without_embeds_is_returned_as_is_without_a_query(self, django_assert_num_queries):
        body = sanitized(
            "<p>Read https://www.instagram.com/p/CdKJx1xLk2A/ for more.</p>"
            '<p><a href="https://www.instagram.com/p/CdKJx1xLk2A/">this post</a></p>'
            "<p>https://www.instagram.com/natgeo/</p>"
            "<p>https://example.com/</p>"
        )
        with django_assert_num_queries(0):
            assert render_body(body) == body

    def test_link_whose_text_differs_from_its_href_stays_a_link(self):
        body = sanitized(f'<p><a href="{POSTS[0]}">{POSTS[1]}</a></p>')
        assert render_body(body) == body

    def test_formatted_url_stays_a_link(self):
        body = sanitized(f"<p><strong>{POSTS[0]}</strong></p>")
        assert render_body(body) == body

    def test_url_padded_with_spaces_and_breaks_is_an_embed(self):
        html = render_body(sanitized(f"<p>&nbsp; {POSTS[0]} <br></p>"))
        assert "View this post on Instagram" in html

    def test_shortcode_inside_a_paragraph_splits_it(self):
        body = sanitized(f"<p>Look: [embed]{POSTS[0]}[/embed] Nice, <em>right</em>?</p>")
        html = render_body(body)
        assert html.startswith("<p>Look: </p>")
        assert html.endswith("<p> Nice, <em>right</em>?</p>")
        assert "View this post on Instagram" in html

    def test_shortcode_around_a_link_is_an_embed(self):
        html = render_body(sanitized(f'<p>[embed]<a href="{TRACK}">{TRACK}</a>[/embed]</p>'))
        assert "Listen on Spotify" in html

    def test_shortcode_inside_formatting_is_left_alone(self):
        body = sanitized(f"<p><strong>[embed]{POSTS[0]}[/embed]</strong></p>")
        assert render_body(body) == body

    def test_shortcode_with_an_unsupported_url_is_left_alone(self):
        body = sanitized("<p>[embed]https://example.com/[/embed]</p>")
        assert render_body(body) == body

    def test_embeds_inside_a_blockquote_and_lists_of_paragraphs(self):
        body = sanitized(f"<blockquote><p>{POSTS[0]}</p></blockquote><p>{TRACK}</p>")
        html = render_body(body)
        assert html.startswith("<blockquote>")
        assert "View this post on Instagram" in html
        assert "Listen on Spotify" in html


class EmbedUrlsTests:
    def test_lists_canonical_urls_in_order_once_each(self):
        body = sanitized(
            f"<p>{TRACK}?si=1</p><p>https://instagram.com/p/CdKJx1xLk2A</p>"
            f"<p>{POSTS[0]}</p><p>Not https://youtu.be/dQw4w9WgXcQ</p>"
        )
        assert embed_urls(body) == [TRACK, POSTS[0]]

    def test_empty_body_has_no_embeds(self):
        assert embed_urls("") == []
        assert embed_matches("") == []

    def test_matches_are_the_first_of_each_url_in_order(self):
        video = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        body = sanitized(f"<p>https://youtu.be/dQw4w9WgXcQ?t=42</p><p>{POSTS[0]}</p><p>{video}</p>")
        found = embed_matches(body)
        assert [match.url for match in found] == [video, POSTS[0]]
        assert found[0].iframe_src.endswith("?start=42")


class HostileInputTests:
    def test_hostile_metadata_renders_inert(self):
        Embed.objects.create(
            url=POSTS[0],
            author_name=HOSTILE,
            author_handle='x" onmouseover="alert(1)',
            title="javascript:alert(1)",
            caption='<img src=x onerror=alert(1)> it\'s "quoted"',
        )
        html = render_body(sanitized(f"<p>{POSTS[0]}</p>"))
        assert "<script" not in html
        assert "<img src=x" not in html
        assert 'onmouseover="' not in html
        assert 'href="javascript:' not in html
        assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html

    def test_hostile_url_in_a_body_renders_inert(self):
        body = sanitized(f'<p>{POSTS[0]}?x={HOSTILE}</p><p><a href="javascript:alert(1)">x</a></p>')
        html = render_body(body)
        assert "<script" not in html
        assert "javascript:" not in html
        # The card links to the canonical URL, not to what was pasted.
        assert f'href="{POSTS[0]}"' in html

    def test_quotes_in_a_pasted_url_cannot_leave_the_attribute(self):
        html = render_body(sanitized(f"<p>{POSTS[0]}?a=&quot;b&#39;c</p>"))
        assert 'href="https://www.instagram.com/p/CdKJx1xLk2A/"' in html
        assert "b'c" not in html

    def test_hostile_url_in_the_template_tag_is_escaped(self):
        assert render_url(f"https://example.com/{HOSTILE}") == (
            '<a href="https://example.com/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" '
            'rel="noopener noreferrer">https://example.com/&quot;&gt;&lt;script&gt;alert(1)'
            "&lt;/script&gt;</a>"
        )
        assert render_url("javascript:alert(1)") == "javascript:alert(1)"


class RenderBodyCachedTests:
    @pytest.fixture(autouse=True)
    def clear_cache(self):
        cache.clear()
        yield
        cache.clear()

    def test_second_render_uses_the_cache(self, music_article_embeds, django_assert_num_queries):
        body = sanitized(f"<p>{POSTS[0]}</p>")
        first = render_body_cached(body, "article:1:100")
        with django_assert_num_queries(0):
            assert render_body_cached(body, "article:1:100") == first

    def test_editing_an_embed_refreshes_cached_bodies(self, music_article_embeds):
        body = sanitized(f"<p>{POSTS[0]}</p>")
        assert "Nadia Vale" in render_body_cached(body, "article:1:100")
        Embed.objects.filter(url=POSTS[0]).get().delete()
        Embed.objects.create(url=POSTS[0], author_name="Paul", author_handle="paul")
        html = render_body_cached(body, "article:1:100")
        assert "A post shared by Paul (@paul)" in html


class EmbedTagTests:
    def render(self, source: str, **context) -> str:
        return Template("{% load embeds %}" + source).render(Context(context))

    def test_tag_renders_a_card(self, music_article_embeds, django_assert_num_queries):
        with django_assert_num_queries(1):
            html = self.render("{% embed url %}", url="https://instagram.com/p/CdKJx1xLk2A")
        assert "A post shared by Nadia Vale (@nadiavalemusic)" in html

    def test_tag_matches_its_url_once(self, music_article_embeds, matched):
        self.render("{% embed url %}", url=TRACK)
        assert matched == [TRACK]

    def test_tag_leaves_other_urls_as_links(self):
        html = self.render('{% embed "https://example.com/a?b=1&c=2" %}')
        assert html == (
            '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">'
            "https://example.com/a?b=1&amp;c=2</a>"
        )


class CardTests:
    def test_bandcamp_without_player_id_is_a_link_out_card(self):
        html = render_url("https://artist.bandcamp.com/album/record")
        assert "Listen on Bandcamp" in html
        assert "<button" not in html
        assert "data-embed-src" not in html

    def test_bandcamp_with_player_id_can_load_its_player(self):
        Embed.objects.create(url="https://artist.bandcamp.com/album/record", player_id="123")
        html = render_url("https://artist.bandcamp.com/album/record")
        assert 'data-embed-src="https://bandcamp.com/EmbeddedPlayer/album=123/' in html
        assert 'Load<span class="visually-hidden"> Bandcamp content</span>' in html

    def test_frame_attributes_travel_in_data_attributes(self):
        html = render_url("https://youtu.be/dQw4w9WgXcQ")
        assert 'data-embed-provider="youtube"' in html
        assert 'data-embed-allow="encrypted-media; fullscreen; picture-in-picture"' in html
        assert 'data-embed-sandbox="allow-scripts allow-same-origin' in html
        assert 'data-embed-ratio="16x9"' in html
        assert 'data-embed-title="YouTube content"' in html

    def test_frame_title_names_the_post(self):
        Embed.objects.create(url=POSTS[0], author_name="Nadia Vale")
        assert 'data-embed-title="Instagram post by Nadia Vale"' in render_url(POSTS[0])

    def test_social_card_with_only_a_handle(self):
        Embed.objects.create(url=POSTS[0], author_handle="nadiavalemusic")
        assert "A post shared by @nadiavalemusic" in render_url(POSTS[0])

    def test_thumbnail_comes_from_our_media(self, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        settings.MEDIA_URL = "/media/"
        embed = Embed.objects.create(url=POSTS[0])
        embed.thumbnail.name = "embeds/thumbnails/instagram-abc.jpg"
        embed.save()
        html = render_url(POSTS[0])
        assert (
            '<img class="embed__thumbnail" src="/media/embeds/thumbnails/instagram-abc.jpg"' in html
        )
