import pytest

from articles.html import clean_text, first_sentences, plain_text, sanitize, word_count


@pytest.mark.parametrize(
    "dirty",
    [
        "<p>hi<script>alert(1)</script></p>",
        '<p onclick="alert(1)">hi</p>',
        '<p><a href="javascript:alert(1)">hi</a></p>',
        '<p><a href="JaVaScRiPt:alert(1)">hi</a></p>',
        '<p><a href="data:text/html;base64,PHNjcmlwdD4=">hi</a></p>',
        '<p><img src="data:image/png;base64,AAAA" alt=""></p>',
        '<p><img src="x" onerror="alert(1)"></p>',
        "<style>p{color:red}</style><p>hi</p>",
        '<iframe src="https://evil.example/"></iframe><p>hi</p>',
        '<p style="background:url(javascript:alert(1))">hi</p>',
        "<svg><script>alert(1)</script></svg><p>hi</p>",
        '<form action="https://evil.example"><input name="x"></form><p>hi</p>',
        "<!-- <script>alert(1)</script> --><p>hi</p>",
    ],
)
def test_sanitize_leaves_nothing_executable(dirty: str):
    clean = sanitize(dirty).lower()
    for needle in (
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "data:",
        "<iframe",
        "<style",
        "style=",
        "<form",
        "<input",
        "<svg",
        "<!--",
    ):
        assert needle not in clean


def test_sanitize_keeps_the_allowed_structure():
    body = (
        "<h2>Heading</h2><h3>Sub</h3><h4>Subsub</h4><p><strong>b</strong> <em>i</em><br></p>"
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>quote</p></blockquote><hr>"
        '<figure><img src="https://img.example/a.jpg" alt="A" width="10" height="5">'
        "<figcaption>cap</figcaption></figure>"
        '<table><thead><tr><th scope="col">h</th></tr></thead>'
        "<tbody><tr><td>d</td></tr></tbody></table>"
    )
    assert sanitize(body) == body


def test_links_get_rel_forced_and_keep_safe_schemes():
    clean = sanitize(
        '<p><a href="https://a.example/" rel="opener" target="_blank">web</a>'
        '<a href="mailto:desk@example.com">mail</a></p>'
    )
    assert 'href="https://a.example/"' in clean
    assert 'href="mailto:desk@example.com"' in clean
    assert clean.count('rel="noopener noreferrer"') == 2
    assert "target" not in clean and 'opener"' not in clean


def test_h1_and_unknown_tags_are_unwrapped_to_text():
    assert sanitize("<h1>Title</h1><marquee>moving</marquee>") == "Titlemoving"


def test_first_sentences_stops_at_a_sentence_boundary():
    body = "<p>One short sentence. Another one here! A third?</p><p>" + "word " * 200 + "</p>"
    assert first_sentences(body, max_chars=50) == "One short sentence. Another one here! A third?"


def test_first_sentences_cuts_a_single_long_sentence_on_a_word():
    summary = first_sentences("<p>" + "word " * 200 + "</p>", max_chars=40)
    assert len(summary) <= 40 and summary.endswith("…")


def test_plain_text_and_word_count_ignore_markup():
    body = "<p>Caf&eacute; <strong>news</strong></p><p>second</p>"
    assert plain_text(body) == "Café news second"
    assert word_count(body) == 3


@pytest.mark.parametrize(
    "href",
    [
        "java\u200bscript:alert(1)",  # zero-width space
        "java&#x200b;script:alert(1)",  # the same, as an entity
        "java\u200cscript:alert(1)",  # zero-width non-joiner
        "java\ufeffscript:alert(1)",  # byte-order mark
        "ja\u00adva\u00adscript:alert(1)",  # soft hyphens
        "java\x00script:alert(1)",  # NUL, which parsers turn into U+FFFD
        "java&#0;script:alert(1)",
        "\x01\x02javascript:alert(1)",
        "java\x1bscript:alert(1)",
        "\u202ejavascript:alert(1)",  # right-to-left override
        "\u2066javascript:alert(1)\u2069",  # left-to-right isolate
        "ｊａｖａｓｃｒｉｐｔ:alert(1)",  # full-width letters
        "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
        "&#x6A;avascript&colon;alert(1)",
        "javascript&#x3A;alert(1)",
        "jav&#x09;ascript:alert(1)",
        "vb\u200bscript:msgbox(1)",
        "VBScript&#58;msgbox(1)",
        "da\u200bta:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "&#100;ata:text/html,<script>alert(1)</script>",
        "d\u00adata:image/svg+xml,<svg onload=alert(1)>",
    ],
)
def test_sanitize_drops_dangerous_urls_however_they_are_hidden(href: str):
    for markup in (f'<p><a href="{href}">x</a></p>', f'<p><img src="{href}" alt=""></p>'):
        clean = sanitize(markup)
        assert "href=" not in clean and "src=" not in clean, clean


@pytest.mark.parametrize(
    "href", ["https://example.com/a:b", "/2024/03/10/a-story/", "#notes", "mailto:desk@example.com"]
)
def test_sanitize_keeps_safe_links_that_contain_colons(href: str):
    assert f'href="{href}"' in sanitize(f'<p><a href="{href}">x</a></p>')


def test_clean_text_strips_bidi_controls_and_control_characters_only():
    text = "Ana\u202e\u2067 gnos\u2069\u202c\x07\x00 — café,\tline\nnext \u200d👩‍👩‍👧 <b>"
    assert clean_text(text) == "Ana gnos — café,\tline\nnext \u200d👩‍👩‍👧 <b>"
