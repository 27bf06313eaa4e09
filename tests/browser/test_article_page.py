import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import make_article, make_author, make_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def long_article():
    paragraphs = "".join(
        f"<p>Paragraph {n}. " + "The council met again to talk about buses. " * 12 + "</p>"
        for n in range(30)
    )
    return make_article(
        title="A long read about night buses",
        dek="Everything the vote changes.",
        body=paragraphs,
        category=make_category(name="City", slug="city"),
        authors=[make_author(name="Tomás Ferreira", slug="tomas")],
        tags=["transport"],
        published_at=timezone.now() - datetime.timedelta(hours=1),
    )


def test_article_page_has_no_axe_violations(live_server, axe_audit, long_article):
    assert axe_audit(live_server.url + long_article.get_absolute_url()) == []


def test_go_to_top_appears_after_scrolling_and_takes_focus_to_the_top(
    live_server, browser, long_article
):
    context = browser.new_context(reduced_motion="reduce", viewport={"width": 800, "height": 600})
    page = context.new_page()
    page.goto(live_server.url + long_article.get_absolute_url())
    control = page.get_by_role("link", name="Go to Top")
    assert control.is_hidden()
    page.mouse.wheel(0, 5000)
    page.wait_for_function("window.scrollY > window.innerHeight")
    control.wait_for(state="visible")
    control.click()
    page.wait_for_function("window.scrollY === 0")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    context.close()


def test_without_javascript_the_page_reads_fully_and_go_to_top_still_works(
    live_server, browser, long_article
):
    context = browser.new_context(
        java_script_enabled=False, reduced_motion="reduce", viewport={"width": 800, "height": 600}
    )
    page = context.new_page()
    page.goto(live_server.url + long_article.get_absolute_url())
    assert page.locator("h1").inner_text() == "A long read about night buses"
    assert page.get_by_text("Paragraph 29.").is_visible()
    assert page.get_by_text("Share This Story, Choose Your Platform!").is_visible()
    page.get_by_text("Paragraph 29.").scroll_into_view_if_needed()
    control = page.get_by_role("link", name="Go to Top")
    # Shown by a scroll-driven animation: it may take a frame after the scroll.
    expect(control).to_be_visible()
    control.click()
    page.wait_for_url("**#top")
    page.wait_for_function("window.scrollY === 0")
    context.close()


def test_page_is_usable_at_320_pixels(live_server, browser, long_article):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server.url + long_article.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


@pytest.fixture
def article_with_embeds():
    from embeds.models import Embed

    posts = [f"https://www.instagram.com/p/Nv8Kq2{c}/" for c in "ABC"]
    track = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
    for url in posts:
        Embed.objects.create(url=url, author_name="Nadia Vale", author_handle="nadiavale")
    Embed.objects.create(url=track, title="Lantern Light")
    body = "".join(f"<p>Before embed {n}.</p><p>{url}</p>" for n, url in enumerate(posts))
    body += f'<p><a href="{track}">{track}</a></p><p>The end.</p>'
    return make_article(title="Three posts and a song", body=body)


def is_local(url: str) -> bool:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname in {"127.0.0.1", "localhost"}


def test_article_embeds_make_no_third_party_request_before_the_click(
    live_server, browser, article_with_embeds
):
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    # Offline machine: anything non-local is recorded above, then aborted.
    context.route(lambda url: not is_local(url), lambda route: route.abort())
    page = context.new_page()
    page.goto(live_server.url + article_with_embeds.get_absolute_url())
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("View this post on Instagram").count() == 3
    assert page.get_by_text("A post shared by Nadia Vale (@nadiavale)").count() == 3
    assert page.locator("iframe").count() == 0
    assert [url for url in requests if not is_local(url)] == []

    page.get_by_role("button", name="Load Spotify content").click()
    frame = page.locator("iframe")
    frame.wait_for(state="attached")
    assert frame.get_attribute("src") == (
        "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC"
    )
    context.close()
