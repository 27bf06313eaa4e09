"""articles.diffs: differences of words, as escaped HTML."""

import pytest

from articles import diffs


def test_text_of_a_body_is_one_block_a_line():
    html = (
        '<h2>Night buses</h2><p>Back <b>from</b> Monday, see <a href="https://example.com/t">'
        "the timetable</a>.</p><ul><li>Line 1</li><li>Line 2</li></ul>"
        '<p><a href="https://www.instagram.com/p/x/">https://www.instagram.com/p/x/</a></p>'
        '<p><img src="/media/a.webp" alt="A bus at night"></p>'
    )
    assert diffs.html_to_text(html) == (
        "Night buses\n"
        "Back from Monday, see the timetable (https://example.com/t).\n"
        "• Line 1\n• Line 2\n"
        "https://www.instagram.com/p/x/\n"
        "[image: A bus at night]"
    )


def test_entities_become_their_characters():
    assert diffs.html_to_text("<p>Fish &amp; chips &lt;p&gt;</p>") == "Fish & chips <p>"


def test_a_word_changed_in_a_body_shows_as_that_word():
    html = diffs.diff_html("<p>The quick brown fox.</p>", "<p>The quick <i>red</i> fox.</p>")
    assert html == "The quick <del>brown</del><ins>red</ins> fox."


def test_only_markup_changed_is_no_difference_in_words():
    assert diffs.diff_html("<p>Same words.</p>", "<p><b>Same</b> words.</p>") == "Same words."


def test_paragraphs_are_lines():
    assert diffs.diff_html("<p>One.</p>", "<p>One.</p><p>Two.</p>") == "One.<ins><br>Two.</ins>"


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "</del><script>x</script><del>",
        "&lt;p&gt;",
    ],
)
def test_output_is_escaped_whatever_the_text(hostile):
    for html in (diffs.diff_text("", hostile), diffs.diff_text(hostile, "")):
        assert "<script" not in html and "<img" not in html and "<p" not in html
        stripped = html.replace("<ins>", "").replace("</ins>", "")
        stripped = stripped.replace("<del>", "").replace("</del>", "").replace("<br>", "")
        assert "<" not in stripped and ">" not in stripped


def test_very_long_texts_are_compared_by_line():
    before = "\n".join(f"word {i}" for i in range(20_000))
    after = before.replace("word 10000\n", "word ten thousand\n")
    html = diffs.diff_text(before, after)
    assert "<del>word 10000<br></del><ins>word ten thousand<br></ins>" in html
