"""Autosave in the browser: a writer types a new article, the form keeps it
on the server, the tab is closed; the reopened form offers the autosave and
restoring it brings everything back. The restore offer passes axe."""

import contextlib
import re
import time

import pytest
from django.db import OperationalError
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from articles.autosaves import Autosave
from articles.models import Article
from tests.articles.editorial import PASSWORD, make_writer
from tests.conftest import AXE_JS
from tests.factories import make_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Ferry timetable changes for the winter"
FIRST = "The first ferry now leaves at six."
LAST = "Tickets bought before Friday stay valid."


def wait_for(condition, timeout: float = 20.0):
    """Poll ``condition`` (a database read: the live server is a thread of
    this process) until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except OperationalError:
            # SQLite's shared in-memory test database locks a table while the
            # server thread writes to it: not yet, read again.
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.05)


def answer(dialog, dialogs: list[str]) -> None:
    """Record a dialog and leave the page; it may close before the answer lands."""
    dialogs.append(dialog.type)
    with contextlib.suppress(PlaywrightError):
        dialog.accept()


def log_in(context, base: str) -> None:
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "wanda")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    page.close()


def test_a_closed_tab_loses_nothing(browser, live_server, settings):
    settings.NEWSROOM_AUTOSAVE_SECONDS = 0.5
    writer = make_writer("wanda")
    news = make_category(name="News", slug="news")
    add_url = f"{live_server.url}/admin/articles/article/add/"
    csp_errors: list[str] = []
    dialogs: list[str] = []

    context = browser.new_context()
    log_in(context, live_server.url)
    page = context.new_page()
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(add_url)
    page.fill("#id_title", TITLE)
    page.locator(".field-category .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("News")
    page.locator(".select2-results__option", has_text="News").click()
    page.locator(".ProseMirror[contenteditable]").click()
    page.keyboard.type(FIRST)
    expect(page.locator("#nr-autosave-status")).to_have_text(
        re.compile(r"^Autosaved at \d\d:\d\d \(UTC\)$")
    )

    # More words, then the tab is closed at once: the guard asks first, and
    # leaving keeps what the last periodic autosave had not.
    page.keyboard.press("Enter")
    page.keyboard.type(LAST)
    page.on("dialog", lambda dialog: answer(dialog, dialogs))
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    assert dialogs == ["beforeunload"]
    autosave = wait_for(
        lambda: next(
            (a for a in Autosave.objects.filter(user=writer) if LAST in a.data.get("body", "")),
            None,
        )
    )
    assert autosave.article is None and autosave.draft_token
    assert not Article.objects.exists()

    # The reopened form offers it, with what it holds.
    page = context.new_page()
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("dialog", lambda dialog: answer(dialog, dialogs))
    page.goto(add_url)
    offer = page.locator("#nr-autosave-offer")
    expect(offer).to_contain_text(re.compile(r"Restore the autosave from \d\d:\d\d \(UTC\)\?"))
    expect(offer.locator("ins").first).to_contain_text(TITLE)
    assert "<p>" not in offer.inner_text()

    audit_restore_offer(browser, context.cookies(), add_url)

    offer.get_by_role("button", name="Restore").click()
    expect(offer).to_have_count(0)
    expect(page.locator("#nr-autosave-status")).to_contain_text("restored")
    expect(page.locator("#id_title")).to_have_value(TITLE)
    expect(page.locator("#id_category")).to_have_value(str(news.pk))
    editor = page.locator(".ProseMirror[contenteditable]")
    expect(editor).to_contain_text(FIRST)
    expect(editor).to_contain_text(LAST)

    # A normal save keeps it all, asks nothing, and removes the autosave.
    page.locator("button[name=_publishing][value=save]").first.click()
    page.wait_for_url(re.compile(r".*/admin/articles/article/\d+/change/(\?.*)?$"))
    article = Article.objects.get()
    assert (article.title, article.category) == (TITLE, news)
    assert FIRST in article.body and LAST in article.body
    wait_for(lambda: not Autosave.objects.exists())
    assert dialogs == ["beforeunload"]
    context.close()
    assert csp_errors == []


def audit_restore_offer(browser, cookies, url: str) -> None:
    """axe (WCAG 2.x A and AA) on the offer, in a context that lets the
    injected script run."""
    context = browser.new_context(bypass_csp=True)
    try:
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#nr-autosave-offer")
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate(
            """() => axe.run({include: ['#nr-autosave-offer', '#nr-autosave-status']},
                 {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"""
        )
        violations = [(v["id"], [n["html"] for n in v["nodes"]]) for v in result["violations"]]
        assert violations == []
    finally:
        context.close()
