"""The article body's HTML rules: one allowlist, applied on every save path."""

import html
import re
import unicodedata

import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "blockquote",
    "a", "strong", "em", "b", "i",
    "figure", "figcaption", "img",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with their content, not unwrapped: their text is never prose.
DROP_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "noscript", "svg", "math"}


def _media_images() -> str:
    """The media library's path when media is served by this site, e.g. /media/images/."""
    return settings.MEDIA_URL + "images/" if settings.MEDIA_URL.startswith("/") else "http://"


# Bidi embeddings, overrides and isolates (they reorder what readers see, so a
# name can pose as another), and control characters other than line breaks.
_UNSAFE_TEXT = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")


def clean_text(text: str) -> str:
    """A plain-text field (title, name, caption…) without bidi controls or
    control characters; its other characters, markup-like ones included, stay
    text for the templates to escape."""
    return _UNSAFE_TEXT.sub("", text or "")


def _hidden_scheme(url: str) -> str | None:
    """The scheme a browser could see in ``url`` once characters it may ignore
    are gone: zero-width and other invisible ones, controls, spaces, look-alike
    full-width letters, and the U+FFFD that parsers put in place of a NUL.
    ``None`` for a relative URL."""
    folded = unicodedata.normalize("NFKC", url).replace("\ufffd", "")
    visible = "".join(
        char
        for char in folded
        if not char.isspace() and unicodedata.category(char) not in {"Cc", "Cf", "Co", "Cn"}
    ).lower()
    match = _SCHEME.match(visible)
    return match[1] if match else None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in {"href", "src"}:
        scheme = _hidden_scheme(value)
        if scheme is not None and scheme not in URL_SCHEMES:
            return None
    # Images load from the web or the media library only: no mailto:, no
    # relative paths into our admin.
    if (
        tag == "img"
        and attribute == "src"
        and not value.lower().startswith(("http://", "https://", _media_images()))
    ):
        return None
    if attribute in {"width", "height", "colspan", "rowspan"} and not value.isdigit():
        return None
    return value


def sanitize(body: str) -> str:
    """Return ``body`` reduced to the allowlist; links get ``rel="noopener noreferrer"``."""
    return nh3.clean(
        body or "",
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h2|h3|h4|li|blockquote|figcaption|td|th)>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def plain_text(body: str) -> str:
    """The body's text without markup, blocks separated by spaces."""
    text = _BLOCK_END.sub(" ", body or "")
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", text))).strip()


def first_sentences(body: str, max_chars: int = 280) -> str:
    """Whole sentences from the start of the body, up to ``max_chars``."""
    # Only the start matters: strip a generous head (cut after a whole tag)
    # rather than the whole body, which lists and feeds do twenty times a page.
    head = body[: max_chars * 8]
    if len(head) < len(body):
        head = head[: head.rfind(">") + 1]
    text = plain_text(head)
    if len(text) <= max_chars and len(head) < len(body):
        text = plain_text(body)
    if len(text) <= max_chars:
        return text
    summary = ""
    for sentence in _SENTENCE_END.split(text):
        if summary and len(summary) + 1 + len(sentence) > max_chars:
            break
        summary = f"{summary} {sentence}".strip()
    if len(summary) > max_chars:
        summary = summary[: max_chars - 1].rsplit(" ", 1)[0] + "…"
    return summary


def word_count(body: str) -> int:
    return len(plain_text(body).split())
