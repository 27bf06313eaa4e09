import pytest

from articles.wordpress.content import Image, convert, iframe_url, wpautop


class WpautopTests:
    def test_a_blank_line_ends_a_paragraph_and_a_single_newline_is_a_break(self):
        assert wpautop("One\ntwo.\n\nThree.") == "<p>One<br />\ntwo.</p>\n<p>Three.</p>"

    def test_block_elements_are_left_alone(self):
        text = "Before.\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\nAfter."
        assert wpautop(text) == (
            "<p>Before.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p>After.</p>"
        )

    def test_preformatted_text_keeps_its_lines(self):
        assert "<pre>a\n  b\n\nc</pre>" in wpautop("Code:\n\n<pre>a\n  b\n\nc</pre>")

    def test_a_tag_spread_over_lines_is_not_broken(self):
        assert wpautop('<a\nhref="https://x.example/">x</a>') == (
            '<p><a href="https://x.example/">x</a></p>'
        )

    def test_whitespace_only_content_is_empty(self):
        assert wpautop(" \n\n ") == ""


class EmbedCodeTests:
    def test_an_instagram_blockquote_becomes_its_url_with_the_author_kept(self):
        result = convert(
            'Intro.\n\n<blockquote class="instagram-media" '
            'data-instgrm-permalink="https://www.instagram.com/p/AbCdE12345/?utm_source=ig_embed">'
            '<p><a href="https://www.instagram.com/p/AbCdE12345/">A post shared by Ana &amp; Co'
            " (@ana.co)</a></p></blockquote>\n"
            '<script async src="//www.instagram.com/embed.js"></script>'
        )
        assert result.body == "<p>Intro.</p>\n<p>https://www.instagram.com/p/AbCdE12345/</p>"
        meta = result.embeds["https://www.instagram.com/p/AbCdE12345/"]
        assert (meta.author_name, meta.author_handle) == ("Ana & Co", "ana.co")

    def test_a_tweet_blockquote_becomes_the_post_url(self):
        result = convert(
            '<blockquote class="twitter-tweet"><p>Tide is high.</p>&mdash; Port Office '
            '(@portoffice) <a href="https://twitter.com/portoffice/status/1234567890">May 1</a>'
            "</blockquote>"
        )
        assert result.body == "<p>https://x.com/portoffice/status/1234567890</p>"
        assert result.embeds["https://x.com/portoffice/status/1234567890"].author_handle == (
            "portoffice"
        )

    def test_a_plain_blockquote_stays_a_quote(self):
        assert convert("<blockquote>Said once.</blockquote>").body == (
            "<blockquote>Said once.</blockquote>"
        )

    def test_an_instagram_blockquote_with_a_foreign_address_keeps_its_text(self):
        result = convert(
            '<blockquote class="instagram-media" data-instgrm-permalink="https://evil.example/p/x/">'
            "Look</blockquote>"
        )
        assert "instagram" not in result.body
        assert result.warnings

    def test_every_script_is_dropped(self):
        result = convert('A<script>alert(1)</script>B<SCRIPT src="x.js"/>C')
        assert "script" not in result.body.lower()


@pytest.mark.parametrize(
    ("src", "url"),
    [
        (
            "https://www.youtube.com/embed/aBcDeFgHiJk?si=1",
            "https://www.youtube.com/watch?v=aBcDeFgHiJk",
        ),
        ("//player.vimeo.com/video/76979871", "https://vimeo.com/76979871"),
        (
            "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC",
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
        ),
        (
            "https://w.soundcloud.com/player/?url=https%3A//soundcloud.com/choir/song&amp;x=1",
            "https://soundcloud.com/choir/song",
        ),
        (
            "https://embed.music.apple.com/us/album/x/1440857781",
            "https://music.apple.com/us/album/1440857781",
        ),
        (
            "https://widget.deezer.com/widget/dark/album/302127",
            "https://www.deezer.com/album/302127",
        ),
        ("https://www.tiktok.com/embed/v2/7212345678901234567", None),
    ],
)
def test_a_provider_player_iframe_gives_its_canonical_page(src, url):
    found, _player = iframe_url(src)
    if url is None:
        assert found.startswith("https://www.tiktok.com/")
    else:
        assert found == url


def test_a_bandcamp_player_gives_the_linked_album_and_its_player_id():
    found = iframe_url(
        "https://bandcamp.com/EmbeddedPlayer/album=2212345678/size=large/",
        '<a href="https://choir.bandcamp.com/album/tides">Tides</a>',
    )
    assert found == ("https://choir.bandcamp.com/album/tides", "2212345678")


def test_an_unknown_iframe_is_dropped_with_a_warning():
    result = convert('<iframe src="https://ads.example/x"></iframe>Text')
    assert result.body == "<p>Text</p>"
    assert result.warnings == ["an iframe from ads.example was dropped (not a supported provider)"]


class ShortcodeTests:
    def test_embed_becomes_an_embed_paragraph(self):
        result = convert("[embed]https://youtu.be/aBcDeFgHiJk[/embed]")
        assert result.body == "<p>https://www.youtube.com/watch?v=aBcDeFgHiJk</p>"

    def test_embed_of_an_unknown_site_becomes_a_link(self):
        assert convert("[embed]https://blog.example/post[/embed]").body == (
            '<p><a href="https://blog.example/post">https://blog.example/post</a></p>'
        )

    def test_caption_becomes_a_figure_with_its_caption(self):
        result = convert(
            '[caption id="attachment_3" width="300"]<img src="https://x.example/a.jpg" alt="A" />'
            " The quay at dawn.[/caption]"
        )
        assert result.body == (
            '<figure><img src="https://x.example/a.jpg" alt="A" />\n'
            "<figcaption>The quay at dawn.</figcaption>\n</figure>"
        )

    def test_gallery_shows_the_images_it_knows(self):
        images = {1: Image("https://x.example/1.jpg", "One", "First")}
        result = convert('[gallery ids="1,2"]', images)
        assert '<img src="https://x.example/1.jpg" alt="One">' in result.body
        assert "<figcaption>First</figcaption>" in result.body
        assert result.warnings == ["a [gallery] lost 1 unknown image(s)"]

    def test_gallery_without_ids_shows_the_post_s_attached_images(self):
        images = {5: Image("https://x.example/5.jpg")}
        assert "5.jpg" in convert("[gallery]", images, children=[5]).body

    def test_gallery_of_unknown_images_is_removed_with_a_warning(self):
        result = convert('Look: [gallery ids="9"]')
        assert result.body == "<p>Look:</p>"
        assert result.warnings == ["a [gallery] with no known images was removed"]

    def test_unknown_shortcodes_stay_as_text_with_a_warning(self):
        result = convert("[pullquote]Keep me[/pullquote] and [button url=x]")
        assert result.body == "<p>[pullquote]Keep me[/pullquote] and [button url=x]</p>"
        assert result.warnings == ["unknown shortcode(s) kept as text: [button], [pullquote]"]

    def test_a_doubled_bracket_is_a_shortcode_written_as_text(self):
        result = convert("Type [[caption]] to caption.")
        assert result.body == "<p>Type [caption] to caption.</p>"
        assert result.warnings == []

    def test_brackets_in_code_are_not_shortcodes(self):
        assert convert("<code>a[i]</code>").warnings == []
