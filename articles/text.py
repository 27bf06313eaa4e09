"""Word count and reading time of an article body, one formula for the page
and the editor (``static/admin-newsroom/editor.js`` mirrors it)."""

from __future__ import annotations

import html
import math
import re

# Tags count as spaces, so "<p>one</p><p>two</p>" is two words.
TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"\S+")
# Adults read continuous prose at about 230 words a minute (Brysbaert 2019
# puts silent reading of non-fiction at 238); round up, at least a minute.
WORDS_PER_MINUTE = 230


def word_count(body: str) -> int:
    """The words a reader sees in ``body`` (HTML or plain text)."""
    return len(WORD.findall(html.unescape(TAG.sub(" ", body or ""))))


def reading_time(words: int) -> int:
    """Minutes to read ``words`` words: 0 for none, otherwise at least 1."""
    return math.ceil(words / WORDS_PER_MINUTE) if words > 0 else 0
