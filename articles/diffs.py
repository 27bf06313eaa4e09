"""Differences people can read: of the words of an article, not its markup.

Used by the history's compare view and by the autosave restore offer. A body
is turned into its text first (one paragraph a line, a link's address after
its words, an image as its alt text), then compared word by word with
``difflib``. The result is escaped HTML in which only ``<ins>``, ``<del>``
and ``<br>`` are markup, whatever the compared texts hold.

Why not ``lxml.html.diff.htmldiff``: it diffs the markup too, so its output
carries the body's own tags and would need sanitizing again, and a changed
link address does not show at all; it would also be a new dependency. See
docs/editing.md for the evaluation.
"""

from __future__ import annotations

import difflib
import re
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Elements that end a line of text when they close (or open).
BLOCKS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "ul",
    "ol",
    "table",
    "tr",
}
# Words and runs of space, so that the diff keeps the text's own spacing.
TOKEN = re.compile(r"\S+|\s+")
# Comparing is quadratic in the worst case: longer texts are compared by line.
MAX_WORDS = 20_000


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str | None, int]] = []

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag in BLOCKS:
            self._newline()
            if tag == "li":
                self.parts.append("• ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self._newline()
            self.parts.append("———\n")
        elif tag == "img":
            alt = (attributes.get("alt") or "").strip()
            self.parts.append(f"[image: {alt}]" if alt else "[image]")
        elif tag == "a":
            self.links.append((attributes.get("href"), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self._newline()
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            # A bare address (an embed, an autolink) is not repeated.
            if href and "".join(self.parts[start:]).strip() != href:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    """The words of an HTML fragment, one block a line."""
    if "<" not in html and "&" not in html:
        return html
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = ("".join(parser.parts)).split("\n")
    return "\n".join(line.strip() for line in lines if line.strip())


def diff_words(before: str, after: str) -> list[tuple[str, str]]:
    """Word-level difference of two texts as ("equal" | "delete" | "insert", text)."""
    a, b = TOKEN.findall(before), TOKEN.findall(after)
    if len(a) + len(b) > MAX_WORDS:
        a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    chunks: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation in ("equal", "delete", "replace") and i2 > i1:
            chunks.append(("equal" if operation == "equal" else "delete", "".join(a[i1:i2])))
        if operation in ("insert", "replace") and j2 > j1:
            chunks.append(("insert", "".join(b[j1:j2])))
    return chunks


def render(chunks: list[tuple[str, str]]) -> SafeString:
    """Chunks as escaped HTML: removed text in ``<del>``, added in ``<ins>``,
    line ends as ``<br>``."""
    out = []
    for operation, text in chunks:
        html = escape(text).replace("\n", "<br>")
        if operation == "delete":
            html = f"<del>{html}</del>"
        elif operation == "insert":
            html = f"<ins>{html}</ins>"
        out.append(html)
    return mark_safe("".join(out))


def diff_text(before: str, after: str) -> SafeString:
    """Two plain texts' difference, as escaped HTML."""
    return render(diff_words(before, after))


def diff_html(before: str, after: str) -> SafeString:
    """Two HTML fragments' difference in their words, as escaped HTML."""
    return render(diff_words(html_to_text(before), html_to_text(after)))
