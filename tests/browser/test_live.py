"""Live coverage in Chromium: a reader's open page learns of a writer's new
post within one polling interval (the page's clock is Playwright's, so the
interval passes when the test says), axe on a live article in light and dark
mode, and the page without JavaScript."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from articles.live import services
from articles.models import Byline
from tests.articles.editorial import make_editor, make_writer
from tests.conftest import AXE_JS
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTERVAL_SECONDS = 15


@pytest.fixture
def newsroom(settings):
    settings.LIVE_POLL_SECONDS = INTERVAL_SECONDS
    editor, writer = make_editor(), make_writer()
    article = make_article(
        title="Storm over the coast",
        body="<p>Our reporters follow the storm through the night.</p>",
        published_at=timezone.now() - datetime.timedelta(hours=1),
    )
    Byline.objects.create(article=article, author=writer.author)
    article = services.start_coverage(article, editor)
    services.set_key_points(article, editor, "Winds up to 120 km/h\nTrains are stopped")
    services.add_post(article, writer, body="<p>The first gusts reached the pier.</p>")
    services.add_post(article, editor, body="<p>Stay indoors.</p>", headline="Advice", pinned=True)
    return article, editor, writer


def is_poll(message) -> bool:
    return "/live.json?after=" in message.url


def session_cookies(user, live_server) -> list[dict]:
    client = Client()
    client.force_login(user)
    return [
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    ]


def test_a_reader_sees_a_writers_new_post_within_one_polling_interval(
    live_server, browser, newsroom
):
    article, editor, writer = newsroom
    reader = browser.new_context()
    page = reader.new_page()
    page.clock.install()
    polls = []
    page.on("request", lambda request: polls.append(request.url) if is_poll(request) else None)
    page.goto(live_server.url + article.get_absolute_url())
    section = page.locator("#live")
    assert section.get_attribute("data-live-interval") == str(INTERVAL_SECONDS * 1000)
    button = page.locator("[data-live-button]")
    expect(button).to_be_hidden()
    # Nothing new yet: one interval brings a poll, and no button.
    with page.expect_response(is_poll) as first:
        page.clock.run_for(INTERVAL_SECONDS * 1000)
    assert first.value.status == 200 and first.value.json()["count"] == 0
    expect(button).to_be_hidden()

    # The writer posts through the admin's live page, in a browser of their own.
    desk = browser.new_context()
    desk.add_cookies(session_cookies(writer, live_server))
    admin = desk.new_page()
    admin.goto(f"{live_server.url}/admin/articles/article/{article.pk}/live/")
    admin.get_by_label("Headline").fill("Power cut")
    admin.get_by_label("Text").fill("<p>The old town has no power.</p>")
    admin.get_by_role("button", name="Post").click()
    expect(admin.get_by_text("Posted.")).to_be_visible()

    # One polling interval later the reader is told, politely.
    with page.expect_response(is_poll):
        page.clock.run_for(INTERVAL_SECONDS * 1000)
    expect(button).to_have_text("1 new update")
    expect(button).to_be_visible()
    assert page.locator("[data-live-notice]").get_attribute("aria-live") == "polite"
    assert page.get_by_text("The old town has no power.").count() == 0

    # Activating it inserts the post under the pinned one, newest first, and focuses it.
    button.click()
    expect(button).to_be_hidden()
    posts = page.locator("[data-live-posts] > li")
    expect(posts).to_have_count(3)
    expect(posts.nth(0)).to_contain_text("Stay indoors.")
    expect(posts.nth(1)).to_contain_text("The old town has no power.")
    expect(posts.nth(1)).to_be_focused()
    expect(posts.nth(2)).to_contain_text("The first gusts reached the pier.")

    # Ending the coverage: the next poll says so and polling stops.
    editors = browser.new_context()
    editors.add_cookies(session_cookies(editor, live_server))
    admin = editors.new_page()
    admin.goto(f"{live_server.url}/admin/articles/article/{article.pk}/live/")
    admin.get_by_role("button", name="End live coverage").click()
    expect(admin.get_by_text("Live coverage ended")).to_be_visible()
    with page.expect_response(is_poll):
        page.clock.run_for(INTERVAL_SECONDS * 1000)
    expect(page.get_by_text("Live coverage has ended.")).to_be_visible()
    polled = len(polls)
    page.clock.run_for(10 * INTERVAL_SECONDS * 1000)
    # A poll the clock started would be on its way by the time this round trip ends.
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(resolve))")
    assert len(polls) == polled
    for context in (reader, desk, editors):
        context.close()


def test_without_javascript_the_live_page_is_complete_on_reload(live_server, browser, newsroom):
    article, _editor, writer = newsroom
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_text("Trains are stopped")).to_be_visible()
    expect(page.locator("[data-live-posts] > li")).to_have_count(2)
    services.add_post(article, writer, body="<p>Ferries are cancelled.</p>")
    page.reload()
    expect(page.locator("[data-live-posts] > li")).to_have_count(3)
    expect(page.get_by_text("Ferries are cancelled.")).to_be_visible()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_live_article_has_no_axe_violations(live_server, browser, newsroom, scheme):
    article, _editor, writer = newsroom
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    page.clock.install()
    page.goto(live_server.url + article.get_absolute_url())
    services.add_post(article, writer, body="<p>A tree fell on the road.</p>")
    page.clock.run_for(INTERVAL_SECONDS * 1000)
    # The new-update button is on screen: audited too.
    expect(page.locator("[data-live-button]")).to_be_visible()
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    violations = [(v["id"], [n["html"] for n in v["nodes"]]) for v in result["violations"]]
    assert violations == []
    context.close()


def test_the_admin_live_page_has_no_axe_violations_of_its_own(live_server, browser, newsroom):
    article, editor, _writer = newsroom
    context = browser.new_context(bypass_csp=True)
    context.add_cookies(session_cookies(editor, live_server))
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/live/")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "() => axe.run('#content-main', {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    assert [(v["id"], [n["html"] for n in v["nodes"]]) for v in result["violations"]] == []
    context.close()
