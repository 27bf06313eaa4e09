"""The embed provider registry: which URLs become embeds, and what they load.

The shape follows feincms3's ``embedding.py``: compiled patterns, one small
handler per provider that returns data or ``None``, and a dispatcher,
:func:`match`. Everything else (the CSP ``frame-src`` list, the model's
choices, the oEmbed endpoints' keys) is derived from :data:`PROVIDERS`, so a
provider is added in exactly one place.

Hosts are compared exactly after :func:`urllib.parse.urlsplit`: a look-alike
such as ``instagram.com.evil.example``, a URL with credentials or a port, and
any scheme other than http(s) never match. The one exception is a provider's
own URI scheme (``spotify:track:...``), which goes to that provider's handler
only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SOCIAL = "social", _("Social post")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")


# Sandbox tokens every provider player needs: its own scripts and storage, and
# links ("Watch on YouTube") that open the provider in a new, unsandboxed tab.
# Never allow-top-navigation: a frame must not navigate our page away.
BASE_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"
MAX_URL_LENGTH = 500
WEB_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class Found:
    """What a provider handler extracts from one URL."""

    id: str
    url: str
    iframe_src: str
    kind: Kind | None = None  # overrides the provider's kind (a TIDAL video)
    height: int | None = None  # overrides the provider's height
    aspect_ratio: str | None = None  # overrides the provider's aspect ratio


@dataclass(frozen=True)
class EmbedMatch:
    """A URL recognised as an embed, with everything needed to render it.

    ``url`` is the canonical URL (the ``Embed`` row's key). ``iframe_src`` is
    empty when the provider's player cannot be built from the URL alone
    (Bandcamp); such embeds render as a link-out card with no load button
    unless the row supplies a player id.

    The frame is ``width`` x ``height`` CSS pixels (``width`` ``None`` means
    the column's full width), or, when ``aspect_ratio`` is set (``"16x9"``,
    ``"9x16"``), full width at that ratio; ``height`` is then a fallback.
    """

    provider: str
    provider_name: str
    kind: Kind
    id: str
    url: str
    iframe_src: str
    width: int | None
    height: int
    aspect_ratio: str
    label: str
    allow: str
    sandbox: str
    referrer_policy: str

    @property
    def is_social(self) -> bool:
        return self.kind == Kind.SOCIAL

    @property
    def load_label(self) -> str:
        return _("Load %(provider)s content") % {"provider": self.provider_name}

    @property
    def remember_label(self) -> str:
        return _("Always load content from %(provider)s") % {"provider": self.provider_name}

    def with_player_id(self, player_id: str) -> EmbedMatch:
        """This match with the iframe src its provider builds from a stored
        player id (Bandcamp); unchanged if it has a src or the id is unusable."""
        provider = BY_KEY[self.provider]
        if self.iframe_src or not player_id or provider.player_from_id is None:
            return self
        src = provider.player_from_id(self.id, player_id)
        return replace(self, iframe_src=src) if src else self


@dataclass(frozen=True)
class Provider:
    """One registry entry. ``hosts`` are exact hostnames; ``host_pattern``
    (optional) matches a family of hosts such as ``*.bandcamp.com``."""

    key: str
    name: str
    kind: Kind
    hosts: frozenset[str]
    handler: Callable[[str, str, dict[str, list[str]]], Found | None]
    frame_origin: str
    label: Promise | str
    height: int
    width: int | None = None
    aspect_ratio: str = ""
    allow: str = ""
    sandbox: str = BASE_SANDBOX
    referrer_policy: str = "strict-origin-when-cross-origin"
    host_pattern: re.Pattern[str] | None = None
    # The provider's own URI scheme, if it has one: a ``spotify:track:ID``
    # reaches the handler with an empty host and ``track:ID`` as the path.
    uri_scheme: str = ""
    labels_by_kind: dict[Kind, Promise | str] = field(default_factory=dict)
    # For players whose id is not in the page URL: (canonical id, stored
    # player id) -> iframe src, or "" when the player id is unusable.
    player_from_id: Callable[[str, str], str] | None = None

    def handles_host(self, host: str) -> bool:
        return host in self.hosts or bool(self.host_pattern and self.host_pattern.fullmatch(host))

    def handles(self, scheme: str, host: str) -> bool:
        """Whether a URL with this scheme and host goes to this provider's handler."""
        if scheme in WEB_SCHEMES:
            return self.handles_host(host)
        return bool(self.uri_scheme) and scheme == self.uri_scheme


def _first(query: dict[str, list[str]], name: str) -> str:
    values = query.get(name) or [""]
    return values[0]


# --- Instagram ---------------------------------------------------------------

INSTAGRAM_PATH = re.compile(
    r"/(?:(?P<user>[A-Za-z0-9._]{1,30})/)?(?P<type>p|reels?|tv)/(?P<code>[A-Za-z0-9_-]{5,64})/?"
)


def instagram(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    m = INSTAGRAM_PATH.fullmatch(path)
    if not m:
        return None
    kind = {"reels": "reel"}.get(m["type"], m["type"])
    code = m["code"]
    url = f"https://www.instagram.com/{kind}/{code}/"
    return Found(id=code, url=url, iframe_src=f"{url}embed/")


# --- YouTube -----------------------------------------------------------------

YOUTUBE_ID = r"(?P<id>[A-Za-z0-9_-]{11})"
YOUTUBE_PATH = re.compile(rf"/(?P<type>shorts|live|embed|v)/{YOUTUBE_ID}/?")
YOUTUBE_SHORT_PATH = re.compile(rf"/{YOUTUBE_ID}/?")
YOUTUBE_ID_ONLY = re.compile(YOUTUBE_ID)
YOUTUBE_LIST = re.compile(r"[A-Za-z0-9_-]{2,64}")
YOUTUBE_TIME = re.compile(r"(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s?)?")


def _youtube_start(value: str) -> int:
    m = YOUTUBE_TIME.fullmatch(value) if value else None
    if not m:
        return 0
    return int(m["h"] or 0) * 3600 + int(m["m"] or 0) * 60 + int(m["s"] or 0)


def youtube(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    video = ""
    vertical = False
    if host == "youtu.be":
        m = YOUTUBE_SHORT_PATH.fullmatch(path)
        video = m["id"] if m else ""
    elif path in ("/watch", "/watch/"):
        candidate = _first(query, "v")
        video = candidate if YOUTUBE_ID_ONLY.fullmatch(candidate) else ""
    elif m := YOUTUBE_PATH.fullmatch(path):
        video = m["id"]
        vertical = m["type"] == "shorts"
    playlist = _first(query, "list")
    playlist = playlist if YOUTUBE_LIST.fullmatch(playlist) else ""
    if not video:
        if path in ("/playlist", "/playlist/") and playlist:
            return Found(
                id=playlist,
                url=f"https://www.youtube.com/playlist?{urlencode({'list': playlist})}",
                iframe_src="https://www.youtube-nocookie.com/embed/videoseries?"
                + urlencode({"list": playlist}),
            )
        return None
    canonical = {"v": video}
    player = {}
    if playlist:
        canonical["list"] = player["list"] = playlist
    # The start time is part of how this page embeds the video, not of which
    # video it is, so it goes to the player only: one Embed row per video.
    if start := _youtube_start(_first(query, "t") or _first(query, "start")):
        player["start"] = str(start)
    src = f"https://www.youtube-nocookie.com/embed/{video}"
    return Found(
        id=video,
        url=f"https://www.youtube.com/watch?{urlencode(canonical)}",
        iframe_src=f"{src}?{urlencode(player)}" if player else src,
        aspect_ratio="9x16" if vertical else None,
    )


# --- Vimeo -------------------------------------------------------------------

VIMEO_PATH = re.compile(
    r"/(?:channels/[\w-]+/|groups/[\w-]+/videos/|video/)?(?P<id>[0-9]{1,12})"
    r"(?:/(?P<hash>[0-9a-f]{6,20}))?/?"
)


def vimeo(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    if host == "player.vimeo.com" and not path.startswith("/video/"):
        return None
    m = VIMEO_PATH.fullmatch(path)
    if not m:
        return None
    video, secret = m["id"], m["hash"] or _first(query, "h")
    if secret and not re.fullmatch(r"[0-9a-f]{6,20}", secret):
        secret = ""
    # dnt=1: Vimeo's player sets no tracking cookies and sends no analytics.
    player = {"dnt": "1", **({"h": secret} if secret else {})}
    return Found(
        id=video,
        url=f"https://vimeo.com/{video}/{secret}" if secret else f"https://vimeo.com/{video}",
        iframe_src=f"https://player.vimeo.com/video/{video}?{urlencode(player)}",
    )


# --- Spotify -----------------------------------------------------------------

SPOTIFY_TYPES = ("track", "album", "playlist", "episode", "show", "artist")
SPOTIFY_PATH = re.compile(
    r"/(?:intl-[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,4})?/)?(?:embed/)?"
    rf"(?P<type>{'|'.join(SPOTIFY_TYPES)})/(?P<id>[A-Za-z0-9]{{22}})/?"
)
# What follows "spotify:" in a Spotify URI, as the app's "Copy Spotify URI" gives it.
SPOTIFY_URI = re.compile(rf"(?P<type>{'|'.join(SPOTIFY_TYPES)}):(?P<id>[A-Za-z0-9]{{22}})")
SPOTIFY_HEIGHTS = {"track": 152, "episode": 232}


def spotify(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    m = (SPOTIFY_PATH if host else SPOTIFY_URI).fullmatch(path)
    if not m:
        return None
    item, item_id = m["type"], m["id"]
    return Found(
        id=item_id,
        url=f"https://open.spotify.com/{item}/{item_id}",
        iframe_src=f"https://open.spotify.com/embed/{item}/{item_id}",
        height=SPOTIFY_HEIGHTS.get(item, 352),
    )


# --- Apple Music -------------------------------------------------------------

APPLE_PATH = re.compile(
    r"/(?:(?P<country>[a-z]{2})/)?(?P<type>album|song|playlist)/(?:[^/]{1,200}/)?"
    r"(?P<id>[0-9]{1,15}|pl\.[A-Za-z0-9-]{8,64})/?"
)


def apple_music(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    m = APPLE_PATH.fullmatch(path)
    if not m:
        return None
    item, item_id, country = m["type"], m["id"], m["country"] or "us"
    if (item == "playlist") != item_id.startswith("pl."):
        return None
    track = _first(query, "i")
    track = track if item == "album" and re.fullmatch(r"[0-9]{1,15}", track) else ""
    rest = f"{country}/{item}/{item_id}" + (f"?{urlencode({'i': track})}" if track else "")
    single = item == "song" or bool(track)
    return Found(
        id=track or item_id,
        url=f"https://music.apple.com/{rest}",
        iframe_src=f"https://embed.music.apple.com/{rest}",
        height=175 if single else 450,
    )


# --- SoundCloud --------------------------------------------------------------

SOUNDCLOUD_PATH = re.compile(
    r"/(?P<user>[a-z0-9_-]{2,64})/(?:(?P<sets>sets)/)?(?P<slug>[a-z0-9_-]{1,200})"
    r"(?:/(?P<secret>s-[a-z0-9]{5,20}))?/?",
    re.IGNORECASE,
)
# First path segments that are SoundCloud pages, not artists.
SOUNDCLOUD_RESERVED_USERS = frozenset(
    {"discover", "stream", "search", "charts", "you", "upload", "settings", "messages",
     "notifications", "pages", "imprint", "terms-of-use", "mobile", "jobs", "people"}
)  # fmt: skip
# Second segments that are an artist's tabs, not a track.
SOUNDCLOUD_RESERVED_SLUGS = frozenset(
    {"tracks", "albums", "sets", "reposts", "likes", "followers", "following",
     "popular-tracks", "comments", "spotlight", "sounds"}
)  # fmt: skip


def soundcloud(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    m = SOUNDCLOUD_PATH.fullmatch(path)
    if not m:
        return None
    user, sets, slug = m["user"].lower(), m["sets"], m["slug"].lower()
    if user in SOUNDCLOUD_RESERVED_USERS or (not sets and slug in SOUNDCLOUD_RESERVED_SLUGS):
        return None
    # Secret share tokens are case-sensitive; the rest of the path is not.
    item_id = "/".join(part for part in (user, sets and "sets", slug, m["secret"]) if part)
    url = f"https://soundcloud.com/{item_id}"
    # The widget takes the page URL, so no numeric track id is needed offline.
    player = {"url": url, "visual": "false", "show_comments": "false"}
    return Found(
        id=item_id,
        url=url,
        iframe_src=f"https://w.soundcloud.com/player/?{urlencode(player, quote_via=quote)}",
        height=450 if m["sets"] else 166,
    )


# --- TikTok ------------------------------------------------------------------

TIKTOK_PATH = re.compile(
    r"/(?:@(?P<user>[A-Za-z0-9._]{1,32})/video/|embed/(?:v2/)?|v/|player/v1/)"
    r"(?P<id>[0-9]{8,25})(?:\.html)?/?"
)


def tiktok(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    m = TIKTOK_PATH.fullmatch(path)
    if not m:
        return None
    video = m["id"]
    user = m["user"]
    # Without the author, TikTok's own short form redirects to the video.
    url = (
        f"https://www.tiktok.com/@{user}/video/{video}"
        if user
        else f"https://www.tiktok.com/embed/v2/{video}"
    )
    return Found(id=video, url=url, iframe_src=f"https://www.tiktok.com/player/v1/{video}")


# --- X (Twitter) -------------------------------------------------------------

X_PATH = re.compile(
    r"/(?:(?P<user>[A-Za-z0-9_]{1,15})|i(?:/web)?)/status(?:es)?/(?P<id>[0-9]{1,20})"
    r"(?:/(?:photo|video)/[1-4])?/?"
)


def x(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    m = X_PATH.fullmatch(path)
    if not m:
        return None
    post = m["id"]
    user = m["user"] or "i"
    player = {"id": post, "dnt": "true"}
    return Found(
        id=post,
        url=f"https://x.com/{user}/status/{post}",
        iframe_src=f"https://platform.twitter.com/embed/Tweet.html?{urlencode(player)}",
    )


# --- Bandcamp ----------------------------------------------------------------

# Bandcamp's player wants a numeric album or track id that its page URLs do
# not carry, and it has no public oEmbed. An embed renders as a link-out card
# until its Embed row has the player id: fetched from the page's own metadata
# (embeds/pages.py, run by fetch_embeds or the admin's fetch action), or typed
# in by an editor from Bandcamp's Share / Embed code.
BANDCAMP_HOST = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\.bandcamp\.com")
BANDCAMP_PATH = re.compile(r"/(?P<type>track|album)/(?P<slug>[a-z0-9-]{1,200})/?")


def bandcamp_player(item_id: str, player_id: str) -> str:
    if not re.fullmatch(r"[0-9]{1,20}", player_id):
        return ""
    item = "track" if "/track/" in item_id else "album"
    return (
        f"https://bandcamp.com/EmbeddedPlayer/{item}={player_id}/size=large/"
        "bgcol=ffffff/linkcol=0687f5/tracklist=false/transparent=true/"
    )


def bandcamp(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    m = BANDCAMP_PATH.fullmatch(path.lower())
    artist = host.removesuffix(".bandcamp.com")
    if not m or artist in ("www", "daily", "m"):
        return None
    item_id = f"{artist}/{m['type']}/{m['slug']}"
    return Found(
        id=item_id,
        url=f"https://{host}/{m['type']}/{m['slug']}",
        iframe_src="",
        height=120 if m["type"] == "track" else 470,
    )


# --- Deezer ------------------------------------------------------------------

DEEZER_PATH = re.compile(
    r"/(?:[a-z]{2}(?:-[a-z]{2})?/)?(?P<type>track|album|playlist|artist|episode|show)"
    r"/(?P<id>[0-9]{1,15})/?"
)


def deezer(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    m = DEEZER_PATH.fullmatch(path)
    if not m:
        return None
    item, item_id = m["type"], m["id"]
    return Found(
        id=item_id,
        url=f"https://www.deezer.com/{item}/{item_id}",
        iframe_src=f"https://widget.deezer.com/widget/auto/{item}/{item_id}",
        height=150 if item in ("track", "episode") else 300,
    )


# --- TIDAL -------------------------------------------------------------------

TIDAL_PATH = re.compile(
    r"/(?:browse/)?(?P<type>track|album|video|playlist)/"
    r"(?P<id>[0-9]{1,15}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:/u)?/?"
)


def tidal(host: str, path: str, query: dict[str, list[str]]) -> Found | None:
    m = TIDAL_PATH.fullmatch(path)
    if not m:
        return None
    item, item_id = m["type"], m["id"]
    if (item == "playlist") != ("-" in item_id):
        return None
    video = item == "video"
    return Found(
        id=item_id,
        url=f"https://tidal.com/browse/{item}/{item_id}",
        iframe_src=f"https://embed.tidal.com/{item}s/{item_id}",
        kind=Kind.VIDEO if video else None,
        aspect_ratio="16x9" if video else None,
        height=120 if item == "track" else 400,
    )


# --- The registry ------------------------------------------------------------

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        key="instagram",
        name="Instagram",
        kind=Kind.SOCIAL,
        hosts=frozenset({"instagram.com", "www.instagram.com", "m.instagram.com"}),
        handler=instagram,
        frame_origin="https://www.instagram.com",
        label=_("View this post on Instagram"),
        width=400,
        height=560,
    ),
    Provider(
        key="youtube",
        name="YouTube",
        kind=Kind.VIDEO,
        hosts=frozenset(
            {
                "youtube.com",
                "www.youtube.com",
                "m.youtube.com",
                "music.youtube.com",
                "youtu.be",
                "youtube-nocookie.com",
                "www.youtube-nocookie.com",
            }
        ),  # fmt: skip
        handler=youtube,
        frame_origin="https://www.youtube-nocookie.com",
        label=_("Watch on YouTube"),
        height=315,
        aspect_ratio="16x9",
        allow="encrypted-media; fullscreen; picture-in-picture",
        sandbox=f"{BASE_SANDBOX} allow-presentation",
    ),
    Provider(
        key="vimeo",
        name="Vimeo",
        kind=Kind.VIDEO,
        hosts=frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"}),
        handler=vimeo,
        frame_origin="https://player.vimeo.com",
        label=_("Watch on Vimeo"),
        height=315,
        aspect_ratio="16x9",
        allow="fullscreen; picture-in-picture",
        sandbox=f"{BASE_SANDBOX} allow-presentation",
    ),
    Provider(
        key="spotify",
        name="Spotify",
        kind=Kind.AUDIO,
        hosts=frozenset({"open.spotify.com"}),
        uri_scheme="spotify",
        handler=spotify,
        frame_origin="https://open.spotify.com",
        label=_("Listen on Spotify"),
        height=352,
        allow="encrypted-media",
    ),
    Provider(
        key="apple_music",
        name="Apple Music",
        kind=Kind.AUDIO,
        hosts=frozenset({"music.apple.com", "embed.music.apple.com"}),
        handler=apple_music,
        frame_origin="https://embed.music.apple.com",
        label=_("Listen on Apple Music"),
        height=450,
        allow="encrypted-media",
        sandbox=f"{BASE_SANDBOX} allow-storage-access-by-user-activation",
    ),
    Provider(
        key="soundcloud",
        name="SoundCloud",
        kind=Kind.AUDIO,
        hosts=frozenset({"soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"}),
        handler=soundcloud,
        frame_origin="https://w.soundcloud.com",
        label=_("Listen on SoundCloud"),
        height=166,
    ),
    Provider(
        key="tiktok",
        name="TikTok",
        kind=Kind.SOCIAL,
        hosts=frozenset({"tiktok.com", "www.tiktok.com", "m.tiktok.com"}),
        handler=tiktok,
        frame_origin="https://www.tiktok.com",
        label=_("Watch on TikTok"),
        height=575,
        width=325,
        allow="encrypted-media; fullscreen",
    ),
    Provider(
        key="x",
        name="X",
        kind=Kind.SOCIAL,
        hosts=frozenset(
            {
                "x.com",
                "www.x.com",
                "mobile.x.com",
                "twitter.com",
                "www.twitter.com",
                "mobile.twitter.com",
            }
        ),  # fmt: skip
        handler=x,
        frame_origin="https://platform.twitter.com",
        label=_("View this post on X"),
        width=550,
        height=500,
    ),
    Provider(
        key="bandcamp",
        name="Bandcamp",
        kind=Kind.AUDIO,
        hosts=frozenset(),
        host_pattern=BANDCAMP_HOST,
        handler=bandcamp,
        player_from_id=bandcamp_player,
        frame_origin="https://bandcamp.com",
        label=_("Listen on Bandcamp"),
        width=350,
        height=470,
    ),
    Provider(
        key="deezer",
        name="Deezer",
        kind=Kind.AUDIO,
        hosts=frozenset({"deezer.com", "www.deezer.com"}),
        handler=deezer,
        frame_origin="https://widget.deezer.com",
        label=_("Listen on Deezer"),
        height=300,
        allow="encrypted-media; clipboard-write",
    ),
    Provider(
        key="tidal",
        name="TIDAL",
        kind=Kind.AUDIO,
        hosts=frozenset({"tidal.com", "www.tidal.com", "listen.tidal.com"}),
        handler=tidal,
        frame_origin="https://embed.tidal.com",
        label=_("Listen on TIDAL"),
        labels_by_kind={Kind.VIDEO: _("Watch on TIDAL")},
        height=400,
        allow="encrypted-media; fullscreen",
    ),
)

BY_KEY: dict[str, Provider] = {provider.key: provider for provider in PROVIDERS}


def provider_choices() -> list[tuple[str, str]]:
    return [(provider.key, provider.name) for provider in PROVIDERS]


def player_id_providers() -> list[str]:
    """Providers whose player needs an id stored on the ``Embed`` row."""
    return [provider.key for provider in PROVIDERS if provider.player_from_id is not None]


def frame_hosts() -> list[str]:
    """The origins embeds may frame, for CSP ``frame-src``, from the registry."""
    return sorted({provider.frame_origin for provider in PROVIDERS})


URI_SCHEMES = frozenset(provider.uri_scheme for provider in PROVIDERS if provider.uri_scheme)


def _split(url: str) -> tuple[str, str, str, dict[str, list[str]]] | None:
    """``(scheme, host, path, query)`` of a plain public http(s) URL, or
    ``(scheme, "", rest, {})`` of a URI in a provider's own scheme; else ``None``."""
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() or c == "\\" for c in url):
        return None
    scheme, _colon, rest = url.partition(":")
    if scheme in URI_SCHEMES:
        return scheme, "", rest, {}
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in WEB_SCHEMES or port is not None:
        return None
    if "@" in parts.netloc or ":" in parts.netloc or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, parts.path or "/", parse_qs(parts.query)


def match(url: str) -> EmbedMatch | None:
    """The embed a URL stands for, or ``None`` if it should stay a plain link."""
    split = _split((url or "").strip())
    if split is None:
        return None
    scheme, host, path, query = split
    for provider in PROVIDERS:
        if provider.handles(scheme, host):
            found = provider.handler(host, path, query)
            if found is not None:
                break
    else:
        return None
    kind = found.kind or provider.kind
    label = provider.labels_by_kind.get(kind, provider.label)
    aspect_ratio = provider.aspect_ratio if found.aspect_ratio is None else found.aspect_ratio
    return EmbedMatch(
        provider=provider.key,
        provider_name=provider.name,
        kind=kind,
        id=found.id,
        url=found.url,
        iframe_src=found.iframe_src,
        width=provider.width,
        height=found.height or provider.height,
        aspect_ratio=aspect_ratio,
        label=str(label),
        allow=provider.allow,
        sandbox=provider.sandbox,
        referrer_policy=provider.referrer_policy,
    )
