"""End to end, in the browser: a Writer drafts and submits, an Editor
schedules, readers see nothing until the clock passes the hour.

time-machine moves the clock of this process, and pytest-django's live
server is a thread of it, so the server sees the moved clock too.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone

from articles.models import Article
from tests.articles.editorial import PASSWORD, make_editor, make_writer
from tests.factories import make_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INSTAGRAM = "https://www.instagram.com/p/CdGx1aPrQ3e/"
TITLE = "Night buses return to the river line"


def log_in(browser, live_server, username: str, csp_errors: list[str]):
    context = browser.new_context()
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return context, page


def public_texts(request, base: str) -> dict[str, str]:
    """Home, the category page, the feed and every sitemap section, as text.
    The category is a 404 while no published article uses it."""
    texts = {}
    for name, path in [("home", "/"), ("category", "/category/news/"), ("feed", "/feed/")]:
        response = request.get(base + path)
        assert response.ok or (name, response.status) == ("category", 404), (path, response.status)
        texts[name] = response.text()
    index = request.get(base + "/sitemap.xml").text()
    sections = re.findall(r"<loc>([^<]+)</loc>", index)
    texts["sitemap"] = "".join(
        request.get(section.replace(settings.SITE_URL, base)).text() for section in sections
    )
    return texts


def test_writer_submits_editor_schedules_readers_see_it_on_time(
    browser, live_server, time_machine, plain_static
):
    make_category(name="News", slug="news")
    writer = make_writer("wanda")
    make_editor("eddie")
    csp_errors: list[str] = []

    # The writer drafts an article with an Instagram post on its own line and a link.
    writer_context, page = log_in(browser, live_server, "wanda", csp_errors)
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_title", TITLE)
    page.locator(".field-category .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("News")
    page.locator(".select2-results__option", has_text="News").click()
    editor = page.locator(".ProseMirror[contenteditable]")
    editor.click()
    page.keyboard.type("The night buses are back from Monday.")
    page.keyboard.press("Enter")
    page.keyboard.type(INSTAGRAM)
    page.keyboard.press("Enter")
    page.keyboard.type("Timetables are at https://example.com/night-buses for now.")
    assert page.locator("#id_publish_at").count() == 0  # writers cannot schedule
    page.get_by_role("button", name="Submit for review").first.click()
    page.wait_for_url(re.compile(r".*/admin/articles/article/\d+/change/$"))
    assert "was added successfully" in page.content()
    writer_context.close()

    article = Article.objects.get(title=TITLE)
    assert article.status == Article.Status.REVIEW
    assert [author.user for author in article.ordered_authors] == [writer]
    assert f'<p><a href="{INSTAGRAM}" rel="noopener noreferrer">{INSTAGRAM}</a></p>' in (
        article.body
    )
    assert '<a href="https://example.com/night-buses" rel="noopener noreferrer">' in article.body

    # The editor schedules it one hour ahead (to the minute, as the field takes it).
    go_live = (timezone.now() + datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    local = timezone.localtime(go_live)
    editor_context, page = log_in(browser, live_server, "eddie", csp_errors)
    page.goto(f"{live_server.url}/admin/articles/article/?state=review")
    page.get_by_role("link", name=TITLE).click()
    assert INSTAGRAM in page.locator(".nr-embeds").inner_text()
    assert not page.locator("#id_publish_at").is_visible()
    page.get_by_role("button", name="Schedule…").first.click()
    page.fill("#id_publish_at", local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule", exact=True).click()
    # The same page comes back: with the news, or with why not.
    page.locator(".messagelist .success, .errornote").first.wait_for()
    assert "Scheduled: it goes live at" in page.content(), page.locator("#content").inner_text()
    page.goto(f"{live_server.url}/admin/articles/article/?state=scheduled")
    assert page.locator(".nr-badge--scheduled").count() == 1
    editor_context.close()

    article.refresh_from_db()
    assert article.is_scheduled
    assert article.published_at == go_live

    # Readers see nothing of it yet.
    reader = browser.new_context()
    before = public_texts(reader.request, live_server.url)
    for name, text in before.items():
        assert TITLE not in text, name
        assert article.slug not in text, name
    assert reader.request.get(live_server.url + article.get_absolute_url()).status == 404
    # Its section has no published article yet, so it is not there either.
    assert reader.request.get(live_server.url + "/category/news/").status == 404

    # Past the hour it is on the home page, its category, the feed and the sitemap.
    time_machine.move_to(go_live + datetime.timedelta(minutes=1), tick=True)
    after = public_texts(reader.request, live_server.url)
    for name in ("home", "category", "feed"):
        assert TITLE in after[name], name
    assert article.get_absolute_url() in after["sitemap"]
    page = reader.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    assert page.locator("h1").inner_text() == TITLE
    assert "View this post on Instagram" in page.content()
    reader.close()

    assert csp_errors == []
