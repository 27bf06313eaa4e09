"""The XSS corpus in Chromium with the Content-Security-Policy switched off,
so the sanitizer and escaping alone stand between the input and the reader:
any alert, confirm or prompt fails the test. tests/articles/test_xss.py reads
the same pages with an HTML parser."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.test.utils import override_settings

from tests.articles.editorial import make_editor
from tests.articles.xss import build_corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Two frames after "load": handlers queued by the parser (ontoggle, onfocus on
# an autofocused field, onbegin) have had their turn by then.
SETTLED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
EDITOR_READY = "() => document.querySelectorAll('.prose-editor .ProseMirror').length > 0"


# Vectors per article: 7 articles, so a few dozen page loads in all.
PER_ARTICLE = 12


@pytest.fixture
def corpus(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield build_corpus(per_article=PER_ARTICLE)


def visit(browser, base: str, urls: list[str], *, cookies=(), ready: str = "") -> list:
    """Load each URL in one CSP-less context; return the dialogs any page opened."""
    dialogs = []
    context = browser.new_context(bypass_csp=True, java_script_enabled=True)
    context.add_cookies(list(cookies))
    page = context.new_page()

    def dialog(found) -> None:
        dialogs.append((page.url, found.type, found.message))
        found.dismiss()

    page.on("dialog", dialog)
    try:
        for url in urls:
            page.goto(base + url, wait_until="load")
            if ready:
                page.wait_for_function(ready)
            page.evaluate(SETTLED)
    finally:
        context.close()
    return dialogs


def test_no_vector_runs_on_reader_pages(live_server, browser, corpus):
    urls = ["/"]
    for row in corpus:
        urls += [
            row["article"].get_absolute_url(),
            row["category"].get_absolute_url(),
            row["author"].get_absolute_url(),
            f"/tag/{row['tag'].slug}/",
            f"/search/?{urlencode({'q': row['vector'][:200]})}",
        ]
    assert visit(browser, live_server.url, urls) == []


def test_no_vector_runs_in_the_admin_or_its_editor(live_server, browser, corpus):
    client = Client()
    client.force_login(make_editor())
    cookies = [
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    ]
    lists = [
        "/admin/articles/article/",
        "/admin/articles/category/",
        "/admin/articles/author/",
        "/admin/taggit/tag/",
        "/admin/embeds/embed/",
    ]
    assert visit(browser, live_server.url, lists, cookies=cookies) == []
    # The change form loads the body into the rich-text editor's live DOM.
    forms = [f"/admin/articles/article/{row['article'].pk}/change/" for row in corpus]
    assert visit(browser, live_server.url, forms, cookies=cookies, ready=EDITOR_READY) == []


def test_the_harness_notices_a_script_that_runs(live_server, browser, corpus):
    """A body written past the sanitizer (a queryset update) does alert: the
    tests above would see it."""
    from articles.models import Article

    article = corpus[0]["article"]
    Article.objects.filter(pk=article.pk).update(body="<img src=x onerror=\"alert('seen')\">")
    dialogs = visit(browser, live_server.url, [article.get_absolute_url()])
    assert [(kind, message) for _url, kind, message in dialogs] == [("alert", "seen")]
