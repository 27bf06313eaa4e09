from urllib.parse import urlsplit

import pytest

from embeds import providers
from embeds.providers import Kind, frame_hosts, match

IG = "CdKJx1xLk2Z"
YT = "dQw4w9WgXcQ"
SP = "4uLU6hMCjMI75M1A2tKUQC"

# (url, provider, canonical id): at least five real-world shapes per provider.
RECOGNISED = [
    # Instagram
    (f"https://www.instagram.com/p/{IG}/", "instagram", IG),
    (f"https://instagram.com/p/{IG}", "instagram", IG),
    (
        f"https://www.instagram.com/p/{IG}/?utm_source=ig_embed&utm_campaign=loading",
        "instagram",
        IG,
    ),
    (f"https://www.instagram.com/reel/{IG}/?igsh=MWQ1ZGUxMzBkMA==", "instagram", IG),
    (f"https://www.instagram.com/reels/{IG}/", "instagram", IG),
    (f"https://www.instagram.com/tv/{IG}/", "instagram", IG),
    (f"http://instagram.com/p/{IG}/", "instagram", IG),
    (f"https://www.instagram.com/natgeo/p/{IG}/", "instagram", IG),
    (f"HTTPS://WWW.INSTAGRAM.COM/p/{IG}/", "instagram", IG),
    # YouTube
    (f"https://www.youtube.com/watch?v={YT}", "youtube", YT),
    (f"https://youtube.com/watch?v={YT}&feature=share", "youtube", YT),
    (f"https://m.youtube.com/watch?v={YT}", "youtube", YT),
    (f"https://youtu.be/{YT}", "youtube", YT),
    (f"https://youtu.be/{YT}?si=B_RZg_I-lLaa7UU-&t=42", "youtube", YT),
    (f"https://www.youtube.com/shorts/{YT}", "youtube", YT),
    (f"https://www.youtube.com/live/{YT}?feature=shared", "youtube", YT),
    (f"https://www.youtube.com/embed/{YT}", "youtube", YT),
    (f"https://www.youtube-nocookie.com/embed/{YT}", "youtube", YT),
    (f"https://music.youtube.com/watch?v={YT}&list=RDAMVM{YT}", "youtube", YT),
    (
        "https://www.youtube.com/playlist?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
        "youtube",
        "PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
    ),
    # Vimeo
    ("https://vimeo.com/76979871", "vimeo", "76979871"),
    ("https://www.vimeo.com/76979871/", "vimeo", "76979871"),
    ("https://vimeo.com/channels/staffpicks/76979871", "vimeo", "76979871"),
    ("https://vimeo.com/groups/motion/videos/76979871", "vimeo", "76979871"),
    ("https://player.vimeo.com/video/76979871?h=8272103f6e", "vimeo", "76979871"),
    ("https://vimeo.com/76979871/8272103f6e", "vimeo", "76979871"),
    # Spotify
    (f"https://open.spotify.com/track/{SP}", "spotify", SP),
    (f"https://open.spotify.com/track/{SP}?si=a1b2c3d4e5f64a7b", "spotify", SP),
    (f"https://open.spotify.com/intl-de/track/{SP}", "spotify", SP),
    (f"https://open.spotify.com/intl-pt/album/{SP}", "spotify", SP),
    (f"https://open.spotify.com/playlist/{SP}", "spotify", SP),
    (f"https://open.spotify.com/episode/{SP}", "spotify", SP),
    (f"https://open.spotify.com/show/{SP}", "spotify", SP),
    (f"https://open.spotify.com/artist/{SP}", "spotify", SP),
    (f"https://open.spotify.com/embed/track/{SP}", "spotify", SP),
    (f"spotify:track:{SP}", "spotify", SP),
    # Apple Music
    ("https://music.apple.com/us/album/folklore/1528112358", "apple_music", "1528112358"),
    (
        "https://music.apple.com/us/album/cardigan/1528112358?i=1528112664",
        "apple_music",
        "1528112664",
    ),
    ("https://music.apple.com/gb/song/cardigan/1528112664", "apple_music", "1528112664"),
    (
        "https://music.apple.com/us/playlist/todays-hits/pl.f4d106fed2bd41149aaacabb233eb5eb",
        "apple_music",
        "pl.f4d106fed2bd41149aaacabb233eb5eb",
    ),
    ("https://music.apple.com/de/album/1528112358", "apple_music", "1528112358"),
    ("https://embed.music.apple.com/us/album/folklore/1528112358", "apple_music", "1528112358"),
    ("https://music.apple.com/album/folklore/1528112358?l=en", "apple_music", "1528112358"),
    # SoundCloud
    ("https://soundcloud.com/forss/flickermood", "soundcloud", "forss/flickermood"),
    ("https://www.soundcloud.com/forss/flickermood/", "soundcloud", "forss/flickermood"),
    ("https://m.soundcloud.com/forss/flickermood", "soundcloud", "forss/flickermood"),
    (
        "https://soundcloud.com/Forss/Flickermood?in=forss/sets/soulhack",
        "soundcloud",
        "forss/flickermood",
    ),
    ("https://soundcloud.com/forss/sets/soulhack", "soundcloud", "forss/sets/soulhack"),
    (
        "https://soundcloud.com/forss/flickermood/s-AbC123xyZ",
        "soundcloud",
        "forss/flickermood/s-AbC123xyZ",
    ),
    # TikTok
    (
        "https://www.tiktok.com/@scout2015/video/6718335390845095173",
        "tiktok",
        "6718335390845095173",
    ),
    (
        "https://www.tiktok.com/@scout2015/video/6718335390845095173?is_from_webapp=1&sender_device=pc",
        "tiktok",
        "6718335390845095173",
    ),
    ("https://tiktok.com/@the.user_1/video/7106594312292453675", "tiktok", "7106594312292453675"),
    ("https://m.tiktok.com/v/6718335390845095173.html", "tiktok", "6718335390845095173"),
    ("https://www.tiktok.com/embed/v2/6718335390845095173", "tiktok", "6718335390845095173"),
    ("https://www.tiktok.com/embed/6718335390845095173", "tiktok", "6718335390845095173"),
    # X and Twitter
    ("https://twitter.com/jack/status/20", "x", "20"),
    ("https://x.com/jack/status/20", "x", "20"),
    ("https://www.x.com/NASA/status/1788888888888888888?s=20", "x", "1788888888888888888"),
    ("https://mobile.twitter.com/jack/status/20", "x", "20"),
    ("https://twitter.com/jack/statuses/20", "x", "20"),
    ("https://x.com/NASA/status/1788888888888888888/photo/1", "x", "1788888888888888888"),
    ("https://twitter.com/i/web/status/20", "x", "20"),
    ("https://x.com/i/status/20", "x", "20"),
    # Bandcamp
    (
        "https://amandapalmer.bandcamp.com/album/theatre-is-evil-2",
        "bandcamp",
        "amandapalmer/album/theatre-is-evil-2",
    ),
    (
        "https://amandapalmer.bandcamp.com/track/do-it-with-a-rockstar",
        "bandcamp",
        "amandapalmer/track/do-it-with-a-rockstar",
    ),
    (
        "https://amandapalmer.bandcamp.com/album/theatre-is-evil-2/",
        "bandcamp",
        "amandapalmer/album/theatre-is-evil-2",
    ),
    ("http://label-name.bandcamp.com/album/x?from=embed", "bandcamp", "label-name/album/x"),
    ("https://AmandaPalmer.bandcamp.com/Track/Ok", "bandcamp", "amandapalmer/track/ok"),
    # Deezer
    ("https://www.deezer.com/track/3135556", "deezer", "3135556"),
    ("https://www.deezer.com/fr/track/3135556", "deezer", "3135556"),
    ("https://deezer.com/en/album/302127", "deezer", "302127"),
    ("https://www.deezer.com/us/playlist/908622995", "deezer", "908622995"),
    ("https://www.deezer.com/artist/27?utm_source=deezer", "deezer", "27"),
    ("https://www.deezer.com/pt-br/episode/526673645", "deezer", "526673645"),
    # TIDAL
    ("https://tidal.com/browse/track/77640617", "tidal", "77640617"),
    ("https://tidal.com/browse/track/77640617/u", "tidal", "77640617"),
    ("https://listen.tidal.com/album/77640612", "tidal", "77640612"),
    ("https://tidal.com/track/77640617?u", "tidal", "77640617"),
    (
        "https://tidal.com/browse/playlist/0b5df380-47d3-48fe-9e22-8ab2a1b4d5b6",
        "tidal",
        "0b5df380-47d3-48fe-9e22-8ab2a1b4d5b6",
    ),
    ("https://www.tidal.com/browse/video/98785108", "tidal", "98785108"),
]

# At least three near-misses per provider, plus the general rejections.
REJECTED = [
    # Instagram: profiles, home, look-alikes, other pages
    "https://www.instagram.com/natgeo/",
    "https://www.instagram.com/",
    "https://instagram.com.evil.example/p/CdKJx1xLk2Z/",
    "https://evilinstagram.com/p/CdKJx1xLk2Z/",
    "https://www.instagram.com/explore/tags/music/",
    "https://www.instagram.com/p/",
    "https://www.instagram.com/stories/natgeo/3141592653589793/",
    # YouTube
    "https://www.youtube.com/",
    "https://www.youtube.com/@LinusTechTips",
    "https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw",
    "https://www.youtube.com/watch?v=short",
    "https://youtu.be/",
    "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
    # Vimeo
    "https://vimeo.com/",
    "https://vimeo.com/staff",
    "https://vimeo.com/channels/staffpicks",
    "https://player.vimeo.com/",
    "https://vimeo.co/76979871",
    # Spotify
    "https://open.spotify.com/",
    "https://open.spotify.com/user/spotify",
    "https://open.spotify.com/track/tooShort",
    "https://spotify.link/AbCdEf",
    "https://open.spotify.com.evil.example/track/4uLU6hMCjMI75M1A2tKUQC",
    "spotify:user:4uLU6hMCjMI75M1A2tKUQC",
    # Apple Music
    "https://music.apple.com/us/browse",
    "https://music.apple.com/us/artist/taylor-swift/159260351",
    "https://music.apple.com/us/playlist/x/1528112358",
    "https://itunes.apple.com.evil.example/us/album/x/1528112358",
    "https://apple.com/us/album/folklore/1528112358",
    # SoundCloud
    "https://soundcloud.com/",
    "https://soundcloud.com/forss",
    "https://soundcloud.com/forss/tracks",
    "https://soundcloud.com/forss/likes",
    "https://soundcloud.com/discover/sets-for-you",
    "https://on.soundcloud.com/AbCd1",
    # TikTok
    "https://www.tiktok.com/@scout2015",
    "https://www.tiktok.com/",
    "https://vm.tiktok.com/ZMabc123/",
    "https://www.tiktok.com/@scout2015/photo/6718335390845095173",
    "https://www.tiktok.com/tag/music",
    # X and Twitter
    "https://twitter.com/jack",
    "https://x.com/",
    "https://x.com/jack/status/",
    "https://x.com/jack/likes",
    "https://x.com.evil.example/jack/status/20",
    "https://t.co/AbCdEf",
    # Bandcamp
    "https://bandcamp.com/",
    "https://amandapalmer.bandcamp.com/",
    "https://amandapalmer.bandcamp.com/music",
    "https://daily.bandcamp.com/features/x",
    "https://a.b.bandcamp.com/album/x",
    "https://amandapalmer.bandcamp.com.evil.example/album/x",
    # Deezer
    "https://www.deezer.com/",
    "https://www.deezer.com/en/profile/123",
    "https://deezer.page.link/AbCdEf",
    "https://www.deezer.com/track/abc",
    # TIDAL
    "https://tidal.com/",
    "https://tidal.com/browse/artist/3346",
    "https://tidal.com/browse/playlist/12345",
    "https://tidal.com/browse/track/not-a-number",
    # General: credentials, ports, schemes, junk
    "https://user:pass@www.instagram.com/p/CdKJx1xLk2Z/",
    "https://user@www.instagram.com/p/CdKJx1xLk2Z/",
    "https://www.instagram.com@evil.example/p/CdKJx1xLk2Z/",
    "https://www.instagram.com:8443/p/CdKJx1xLk2Z/",
    "https://www.instagram.com:443/p/CdKJx1xLk2Z/",
    "https://www.instagram.com./p/CdKJx1xLk2Z/",
    "javascript:alert(1)//https://www.instagram.com/p/CdKJx1xLk2Z/",
    "ftp://www.instagram.com/p/CdKJx1xLk2Z/",
    "data:text/html,https://youtu.be/dQw4w9WgXcQ",
    "//www.instagram.com/p/CdKJx1xLk2Z/",
    "www.instagram.com/p/CdKJx1xLk2Z/",
    "https://www.instagram.com/p/CdKJx1xLk2Z/ extra",
    "https://www.instagram.com\\@evil.example/p/CdKJx1xLk2Z/",
    "https://[::1]/p/CdKJx1xLk2Z/",
    "",
    "https://www.youtube.com/watch?v=" + "a" * 600,
]


class MatchTests:
    @pytest.mark.parametrize(("url", "provider", "provider_id"), RECOGNISED)
    def test_real_world_url_is_recognised_with_its_id(self, url, provider, provider_id):
        found = match(url)
        assert found is not None
        assert (found.provider, found.id) == (provider, provider_id)

    @pytest.mark.parametrize("url", REJECTED)
    def test_near_miss_stays_a_plain_link(self, url):
        assert match(url) is None

    def test_every_provider_has_five_shapes_and_three_near_misses(self):
        for provider in providers.PROVIDERS:
            shapes = [url for url, key, _id in RECOGNISED if key == provider.key]
            assert len(shapes) >= 5, provider.key
            misses = [url for url in REJECTED if provider.handles_host(_host(url))]
            assert len(misses) >= 3, provider.key

    @pytest.mark.parametrize(("url", "provider", "provider_id"), RECOGNISED)
    def test_canonical_url_matches_itself(self, url, provider, provider_id):
        found = match(url)
        again = match(found.url)
        assert again is not None
        assert (again.url, again.id) == (found.url, found.id)

    @pytest.mark.parametrize(("url", "provider", "provider_id"), RECOGNISED)
    def test_iframe_host_is_listed_in_frame_hosts(self, url, provider, provider_id):
        found = match(url)
        if found.iframe_src:
            parts = urlsplit(found.iframe_src)
            assert f"{parts.scheme}://{parts.netloc}" in frame_hosts()

    def test_instagram_forms_share_one_canonical_url(self):
        urls = {
            match(f"https://instagram.com/p/{IG}?utm_source=ig_embed").url,
            match(f"https://www.instagram.com/p/{IG}/").url,
        }
        assert urls == {f"https://www.instagram.com/p/{IG}/"}
        assert match(f"https://www.instagram.com/reels/{IG}/").url == (
            f"https://www.instagram.com/reel/{IG}/"
        )

    def test_instagram_is_a_social_post_with_its_labels(self):
        found = match(f"https://www.instagram.com/p/{IG}/")
        assert found.kind == Kind.SOCIAL
        assert found.is_social
        assert found.label == "View this post on Instagram"
        assert found.load_label == "Load Instagram content"
        assert found.remember_label == "Always load content from Instagram"
        assert found.iframe_src == f"https://www.instagram.com/p/{IG}/embed/"
        assert "allow-top-navigation" not in found.sandbox

    def test_youtube_uses_the_privacy_enhanced_host(self):
        found = match(f"https://youtu.be/{YT}?t=1m30s")
        assert found.iframe_src == f"https://www.youtube-nocookie.com/embed/{YT}?start=90"
        assert found.url == f"https://www.youtube.com/watch?v={YT}"
        assert found.label == "Watch on YouTube"
        assert found.aspect_ratio == "16x9"

    def test_youtube_keeps_the_playlist(self):
        found = match(
            f"https://www.youtube.com/watch?v={YT}&list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs"
        )
        assert found.url.endswith("&list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs")
        assert found.iframe_src == (
            f"https://www.youtube-nocookie.com/embed/{YT}?list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs"
        )

    def test_youtube_playlist_page_embeds_the_series(self):
        found = match("https://www.youtube.com/playlist?list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs")
        assert found.iframe_src.startswith("https://www.youtube-nocookie.com/embed/videoseries?")

    def test_youtube_shorts_are_vertical(self):
        assert match(f"https://www.youtube.com/shorts/{YT}").aspect_ratio == "9x16"

    def test_vimeo_player_does_not_track(self):
        found = match("https://vimeo.com/76979871/8272103f6e")
        assert found.iframe_src == "https://player.vimeo.com/video/76979871?dnt=1&h=8272103f6e"

    def test_spotify_labels_and_sizes(self):
        track = match(f"https://open.spotify.com/intl-de/track/{SP}?si=x")
        assert track.url == f"https://open.spotify.com/track/{SP}"
        assert track.iframe_src == f"https://open.spotify.com/embed/track/{SP}"
        assert track.label == "Listen on Spotify"
        assert track.kind == Kind.AUDIO
        assert match(f"https://open.spotify.com/album/{SP}").height > track.height

    def test_spotify_uri_is_the_same_embed_as_its_web_url(self):
        assert match(f"spotify:episode:{SP}") == match(f"https://open.spotify.com/episode/{SP}")

    @pytest.mark.parametrize(
        "uri", [f"spotify:track:{SP}?si=x", f"SPOTIFY:track:{SP}", f"spotify://track/{SP}"]
    )
    def test_spotify_uri_is_taken_only_in_its_exact_form(self, uri):
        assert match(uri) is None

    def test_only_spotify_handles_its_uri_scheme(self):
        handlers = [p.key for p in providers.PROVIDERS if p.handles("spotify", "")]
        assert handlers == ["spotify"]
        assert not providers.BY_KEY["spotify"].handles("https", "")

    def test_apple_music_track_parameter_selects_the_track(self):
        found = match("https://music.apple.com/us/album/cardigan/1528112358?i=1528112664")
        assert found.url == "https://music.apple.com/us/album/1528112358?i=1528112664"
        assert found.iframe_src == "https://embed.music.apple.com/us/album/1528112358?i=1528112664"
        album = match("https://music.apple.com/us/album/folklore/1528112358")
        assert found.height < album.height

    def test_soundcloud_player_takes_the_page_url(self):
        found = match("https://soundcloud.com/forss/flickermood")
        assert found.iframe_src.startswith("https://w.soundcloud.com/player/?url=https%3A")

    def test_x_and_twitter_share_one_canonical_url(self):
        assert match("https://twitter.com/jack/status/20").url == "https://x.com/jack/status/20"
        assert match("https://x.com/jack/status/20?s=46").url == "https://x.com/jack/status/20"

    def test_bandcamp_is_a_link_out_until_a_player_id_is_stored(self):
        found = match("https://artist.bandcamp.com/track/song")
        assert found.iframe_src == ""
        assert found.with_player_id("") == found
        assert found.with_player_id("12ab") == found
        loaded = found.with_player_id("1234567")
        assert loaded.iframe_src.startswith("https://bandcamp.com/EmbeddedPlayer/track=1234567/")

    def test_player_id_does_not_replace_a_providers_own_src(self):
        found = match(f"https://www.instagram.com/p/{IG}/")
        assert found.with_player_id("123") == found

    def test_tidal_video_is_a_video(self):
        found = match("https://tidal.com/browse/video/98785108")
        assert found.kind == Kind.VIDEO
        assert found.label == "Watch on TIDAL"

    def test_match_is_immutable(self):
        found = match(f"https://www.instagram.com/p/{IG}/")
        with pytest.raises(AttributeError):
            found.url = "https://evil.example/"


class FrameHostsTests:
    def test_frame_hosts_are_the_registry_origins(self):
        assert frame_hosts() == sorted({p.frame_origin for p in providers.PROVIDERS})
        assert "https://www.youtube-nocookie.com" in frame_hosts()
        assert "https://www.youtube.com" not in frame_hosts()

    def test_frame_hosts_are_https_origins(self):
        for origin in frame_hosts():
            parts = urlsplit(origin)
            assert parts.scheme == "https"
            assert parts.path == ""


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""
