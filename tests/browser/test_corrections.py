"""axe on the corrections log and on a corrected article, light and dark."""

import pytest

from articles import services
from tests.articles.editorial import make_editor
from tests.conftest import AXE_JS
from tests.factories import make_article, make_author

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULES = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"


@pytest.fixture
def corrected():
    editor = make_editor()
    article = make_article(
        title="A corrected story",
        authors=[make_author(name="Ana")],
        body="<p>First paragraph.</p><p>Second paragraph.</p>",
    )
    services.add_correction(article, editor, text="An earlier version misspelt a name.")
    services.add_correction(article, editor, text="Tour dates added.", kind="update")
    services.add_correction(
        article, editor, text="The quote was paraphrased.", kind="clarification"
    )
    return article


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("where", ["log", "article"])
def test_no_axe_violations(live_server, browser, corrected, scheme, where):
    path = "/corrections/" if where == "log" else corrected.get_absolute_url()
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(live_server.url + path)
        text = "An earlier version misspelt a name."
        assert page.get_by_text(text).first.is_visible()
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate(f"() => axe.run(document, {{runOnly: {RULES}}})")
        violations = [(v["id"], [n["html"] for n in v["nodes"]]) for v in result["violations"]]
        assert violations == []
    finally:
        context.close()
