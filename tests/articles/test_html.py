import pytest

from articles.html import first_sentences, plain_text, sanitize, word_count


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
