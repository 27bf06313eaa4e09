"""The publishing buttons in Chromium: a writer saves a draft and submits it,
the editor finds it on the admin index and publishes it now. axe (WCAG 2.2,
target-size included) finds nothing wrong with the buttons, the schedule
field, the queue or the New writer form; the list's "Updated" column fits
at 1280 px."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail

from articles.models import Article
from articles.roles import WRITER
from tests.articles.editorial import PASSWORD, make_editor
from tests.conftest import AXE_JS
from tests.factories import make_article, make_category, make_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Ferry timetable changes for winter"
CHANGE = re.compile(r".*/admin/articles/article/\d+/change/$")
WCAG_22 = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def log_in(browser, live_server, username: str, errors: list[str], *, for_axe: bool = False):
    """Signed in through the login page. ``for_axe`` lets the page run the
    injected axe script (the CSP would block it); other pages keep the CSP."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=for_axe)
    page = context.new_page()
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return context, page


def audit(page, *selectors: str) -> list[dict]:
    """axe on the parts of the page that ``selectors`` name."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "([include, tags]) => axe.run({include: include.map((s) => [s])},"
        " {runOnly: {type: 'tag', values: tags}})",
        [list(selectors), WCAG_22],
    )
    return [{"id": v["id"], "nodes": [n["html"] for n in v["nodes"]]} for v in result["violations"]]


def test_writer_drafts_and_submits_editor_publishes_now(browser, live_server, plain_static):
    make_category(name="Transport", slug="transport")
    writer = User.objects.create_user("wren", "wren@example.com", PASSWORD, first_name="Wren")
    writer.groups.add(Group.objects.get(name=WRITER))  # the role alone lets her in
    editor = make_editor("eddie")
    errors: list[str] = []

    context, page = log_in(browser, live_server, "wren", errors)
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    # Asked once how her name reads on bylines, then on to the form.
    page.fill("#id_name", "Wren Adeyemi")
    page.get_by_role("button", name="Save and start writing").click()
    page.fill("#id_title", TITLE)
    page.locator(".field-category .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Transport")
    page.locator(".select2-results__option", has_text="Transport").click()
    page.locator(".ProseMirror[contenteditable]").click()
    page.keyboard.type("The last crossing leaves at nine from November.")
    assert page.get_by_role("button", name="Publish now").count() == 0
    page.get_by_role("button", name="Save draft").first.click()
    page.wait_for_url(CHANGE)
    article = Article.objects.get(title=TITLE)
    assert article.status == Article.Status.DRAFT

    page.fill("#id_publishing_note", "First piece, be gentle.")
    page.get_by_role("button", name="Submit for review").first.click()
    page.get_by_text("Submitted for review").wait_for()
    context.close()
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    [message] = mail.outbox
    assert message.to == [editor.email] and "First piece, be gentle." in message.body

    context, page = log_in(browser, live_server, "eddie", errors)
    queue = page.locator(".nr-queue-review")
    assert TITLE in queue.inner_text()
    queue.get_by_role("link", name=TITLE).click()
    page.wait_for_url(CHANGE)
    assert page.get_by_role("button", name="Return for changes").count() == 2  # top and bottom
    page.get_by_role("button", name="Publish now").first.click()
    page.get_by_text("Published: it is live now.").wait_for()
    context.close()

    article.refresh_from_db()
    assert article.is_published
    assert mail.outbox[-1].to == [writer.email]
    assert errors == []


@pytest.fixture
def editor_page(browser, live_server, plain_static):
    make_editor("eddie")
    errors: list[str] = []
    context, page = log_in(browser, live_server, "eddie", errors, for_axe=True)
    yield page
    context.close()
    assert errors == []


def test_the_queue_on_the_index_passes_axe(live_server, editor_page):
    page = editor_page
    make_draft(status=Article.Status.REVIEW, title="Harbour lights")
    make_draft(title="<b>Not bold</b>", authors=[User.objects.get(username="eddie").author])
    page.goto(f"{live_server.url}/admin/")
    assert "Harbour lights" in page.locator(".nr-queue-review").inner_text()
    assert "<b>Not bold</b>" in page.locator(".nr-queue-drafts").inner_text()
    assert audit(page, ".nr-queue") == []


def test_the_buttons_and_schedule_field_pass_axe(live_server, editor_page):
    page = editor_page
    article = make_draft(status=Article.Status.REVIEW, title="Bridge repairs")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.locator(".ProseMirror[contenteditable]").wait_for()
    assert audit(page, ".submit-row", ".field-publishing_note") == []
    page.get_by_role("button", name="Schedule…").first.click()
    assert page.locator("#id_publish_at").is_visible()
    assert page.locator("#id_publish_at").evaluate("(el) => el === document.activeElement")
    assert "UTC" in page.locator(".field-publish_at .nr-zone").inner_text()
    assert audit(page, ".submit-row", ".field-publish_at", ".field-publishing_note") == []


def test_a_bad_schedule_time_keeps_the_field_open_with_its_error(live_server, editor_page):
    page = editor_page
    article = make_draft(title="Night market")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.get_by_role("button", name="Schedule…").first.click()
    page.fill("#id_publish_at", "2001-01-01T10:00")
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.get_by_text("The time to publish at has passed").wait_for()
    assert page.locator("#id_publish_at").is_visible()
    assert audit(page, ".field-publish_at") == []
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_the_updated_column_fits_at_1280(live_server, editor_page):
    page = editor_page
    make_article(title="A headline long enough to wrap over a few lines in the list " * 2)
    page.goto(f"{live_server.url}/admin/articles/article/")
    cell = page.locator("td.field-updated_time").first
    box = cell.bounding_box()
    results = page.locator("#changelist .results").bounding_box()
    assert box["x"] + box["width"] <= results["x"] + results["width"] + 1
    assert page.evaluate(
        "() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth <= r.clientWidth; }"
    )
    assert re.search(r"\d{4},\s+\d\d:\d\d", cell.inner_text())


def test_the_new_writer_form_passes_axe(browser, live_server, plain_static):
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    context, page = log_in(browser, live_server, "root", [], for_axe=True)
    page.goto(f"{live_server.url}/admin/auth/user/")
    assert audit(page, ".object-tools") == []
    page.get_by_role("link", name="New writer").click()
    page.get_by_role("button", name="New writer").click()  # empty: every error shows
    page.locator(".errornote").wait_for()
    assert audit(page, "#content-main") == []
    context.close()
