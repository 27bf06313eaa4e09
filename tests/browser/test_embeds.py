"""Embeds in a real browser: nothing third-party loads before the reader asks.

The article page belongs to the articles app, so this module serves its own
page (a template extending base.html with ``{% embed %}`` tags, under the
embeds CSP) from a test-only URLconf. Requests that would leave 127.0.0.1
are recorded and aborted: the machine is offline, and a test must not
depend on Instagram.
"""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from playwright.sync_api import Page, expect

from embeds.csp import allow_embed_frames
from embeds.models import Embed
from newsroom.urls import urlpatterns as site_urlpatterns
from tests.conftest import AXE_JS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.test_embeds"),
]

POSTS = [f"https://www.instagram.com/p/CdKJx1xLk2{c}/" for c in "ABC"]
HOSTILE_POST = "https://www.instagram.com/p/CdKJx1xLk2H/"
TRACK = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
# The live server: 127.0.0.1, which conftest may spell "localhost".
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'

PAGE = """{% extends "base.html" %}{% load static embeds %}
{% block title %}Embeds{% endblock title %}
{% block extra_head %}
<link rel="stylesheet" href="{% static 'css/embeds.css' %}">
{% endblock extra_head %}
{% block content %}<article class="wrap"><h1>Embeds</h1>
<p>Nadia shared three photos.</p>
{% for url in posts %}{% embed url %}{% endfor %}
<p>And a song:</p>
{% embed track %}
{% embed hostile_post %}
<p>{% embed hostile_link %}</p>
</article>{% endblock content %}
{% block extra_js %}<script src="{% static 'js/embeds.js' %}" defer></script>{% endblock extra_js %}
"""


@allow_embed_frames
def embeds_page(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(PAGE)
    context = {
        "posts": POSTS,
        "track": TRACK,
        "hostile_post": HOSTILE_POST,
        "hostile_link": f"https://example.com/{HOSTILE}",
    }
    return HttpResponse(template.render(context, request))


urlpatterns = [path("embeds-page/", embeds_page), *site_urlpatterns]


@pytest.fixture
def embeds_url(live_server, plain_static) -> str:
    for url in POSTS:
        Embed.objects.create(url=url, author_name="Nadia Vale", author_handle="nadiavalemusic")
    Embed.objects.create(url=TRACK, title="Photograph")
    Embed.objects.create(
        url=HOSTILE_POST,
        author_name=HOSTILE,
        author_handle="javascript:alert(3)",
        title="javascript:alert(4)",
        caption=f'It\'s "quoted" {HOSTILE}',
    )
    return f"{live_server.url}/embeds-page/"


@pytest.fixture
def page(browser) -> Iterator[Page]:
    """A fresh page of its own context (its own localStorage).

    Replaces pytest-playwright's ``page``, whose plugin-class ``base_url``
    fixture trips pytest 9's deprecation warning, an error here.
    """
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def offline(page: Page) -> dict[str, list[str]]:
    """Record every request, and dialogs and CSP reports; let only the live server through."""
    seen: dict[str, list[str]] = {"requests": [], "dialogs": [], "csp": []}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            seen["csp"].append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def route(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)
    return seen


def third_party(urls: list[str]) -> list[str]:
    return [url for url in urls if urlsplit(url).hostname not in LOCAL_HOSTS]


def test_nothing_leaves_the_site_before_the_click_then_the_frame_loads(
    page: Page, offline, embeds_url
):
    page.goto(embeds_url)
    page.wait_for_load_state("networkidle")
    assert offline["requests"], "the page itself should be recorded"
    assert third_party(offline["requests"]) == []
    expect(page.get_by_text("View this post on Instagram")).to_have_count(4)
    expect(page.get_by_text("A post shared by Nadia Vale (@nadiavalemusic)")).to_have_count(3)
    expect(page.get_by_text("Listen on Spotify")).to_have_count(1)
    assert page.locator("iframe").count() == 0

    page.get_by_role("button", name="Load Instagram content").first.click()

    frame = page.locator(f'iframe[src="{POSTS[0]}embed/"]')
    expect(frame).to_have_count(1)
    expect(frame).to_have_attribute("title", "Instagram post by Nadia Vale")
    expect(frame).to_have_attribute("loading", "lazy")
    expect(frame).to_have_attribute(
        "sandbox", "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"
    )
    expect(frame).to_be_focused()
    assert page.locator("iframe").count() == 1
    expect(page.get_by_role("button", name="Load Instagram content")).to_have_count(3)
    # The only third-party request is the one the reader asked for.
    assert {urlsplit(url).hostname for url in third_party(offline["requests"])} <= {
        "www.instagram.com"
    }
    assert offline["csp"] == []


def test_always_load_is_remembered_per_provider(page: Page, offline, embeds_url):
    page.goto(embeds_url)
    boxes = page.get_by_label("Always load content from Instagram")
    expect(boxes).to_have_count(4)
    expect(boxes.first).to_be_hidden()  # behind the card's "What loading ... shares"
    page.get_by_text("What loading Instagram shares").first.click()
    expect(page.get_by_text("This content comes from Instagram.").first).to_be_visible()
    boxes.first.check()
    for index in range(4):
        expect(boxes.nth(index)).to_be_checked()
    assert page.locator("iframe").count() == 0  # ticking is not loading
    assert third_party(offline["requests"]) == []

    page.reload()

    expect(page.locator('iframe[src^="https://www.instagram.com/p/"]')).to_have_count(4)
    expect(page.locator('iframe[src^="https://open.spotify.com/"]')).to_have_count(0)
    expect(page.get_by_role("button", name="Load Spotify content")).to_be_visible()
    assert page.evaluate("() => localStorage.getItem('newsroom:embeds:consent:instagram')") == (
        "yes"
    )


def test_unticking_forgets_the_consent(page: Page, offline, embeds_url):
    page.goto(embeds_url)
    page.evaluate("() => localStorage.setItem('newsroom:embeds:consent:spotify', 'yes')")
    page.reload()
    expect(page.locator("iframe")).to_have_count(1)
    page.evaluate("() => localStorage.removeItem('newsroom:embeds:consent:spotify')")
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator("iframe")).to_have_count(0)


def test_hostile_metadata_is_inert(page: Page, offline, embeds_url):
    page.goto(embeds_url)
    page.wait_for_load_state("networkidle")
    hostile_card = page.locator("figure.embed").filter(has_text="javascript:alert(4)")
    expect(hostile_card).to_have_count(1)
    expect(hostile_card).to_contain_text(f"A post shared by {HOSTILE} (@javascript:alert(3))")
    hostile_card.get_by_role("button", name="Load Instagram content").click()
    expect(hostile_card.locator("iframe")).to_have_attribute("src", f"{HOSTILE_POST}embed/")
    expect(page.get_by_role("link", name=f"https://example.com/{HOSTILE}")).to_have_count(1)
    assert page.locator("script:not([src])").count() == 0
    assert page.locator("img[src=x]").count() == 0
    assert offline["dialogs"] == []


def test_without_javascript_the_card_and_link_are_the_embed(browser, embeds_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(embeds_url)
        card = page.locator("figure.embed").first
        expect(card.get_by_role("link", name="View this post on Instagram")).to_have_attribute(
            "href", POSTS[0]
        )
        expect(card.get_by_role("button")).to_be_hidden()
        expect(card.locator("details")).to_be_hidden()
        assert page.locator("iframe").count() == 0
    finally:
        context.close()


def test_page_with_embeds_has_no_axe_violations(axe_audit, embeds_url):
    assert axe_audit(embeds_url) == []


# --- The compact card against a provider on 127.0.0.1 -------------------------


class LocalProvider(BaseHTTPRequestHandler):
    """Stands in for Instagram's embed page: the browser's requests to the
    provider are answered from this real server on 127.0.0.1."""

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.server.paths.append(self.path)
        body = b"<!doctype html><title>Post</title><p>Served by the local provider.</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def local_provider() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), LocalProvider)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_the_compact_card_loads_its_provider_on_click_and_nothing_before(
    page: Page, embeds_url, local_provider
):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    local = f"http://127.0.0.1:{local_provider.server_port}"

    def route(route):
        parts = urlsplit(route.request.url)
        if parts.hostname in LOCAL_HOSTS:
            route.continue_()
        elif parts.hostname == "www.instagram.com":
            # The provider's answer comes from the local server, not the network.
            route.fulfill(response=route.fetch(url=f"{local}{parts.path}"))
        else:
            route.abort()

    page.route("**/*", route)
    page.goto(embeds_url)
    page.wait_for_load_state("networkidle")
    assert third_party(requests) == []
    assert local_provider.paths == []
    card = page.locator("figure.embed").first
    expect(card.locator("svg.embed__icon")).to_have_count(1)
    load = card.get_by_role("button", name="Load Instagram content")
    expect(load).to_have_text("Load Instagram content")
    expect(load).to_be_visible()

    load.click()

    frame = page.frame_locator(f'iframe[src="{POSTS[0]}embed/"]')
    expect(frame.get_by_text("Served by the local provider.")).to_be_visible()
    assert local_provider.paths == [urlsplit(POSTS[0]).path + "embed/"]
    assert {urlsplit(url).hostname for url in third_party(requests)} == {"www.instagram.com"}
    expect(card.get_by_role("button")).to_have_count(0)
    expect(card.locator("details")).to_have_count(0)


def test_the_compact_card_is_compact(page: Page, offline, embeds_url):
    """Three posts take less room than a screen: each card is a few lines."""
    for width, most in ((375, 200), (1280, 170)):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(embeds_url)
        heights = page.locator("figure.embed").evaluate_all(
            "cards => cards.slice(0, 3).map(card => card.getBoundingClientRect().height)"
        )
        assert max(heights) < most, (width, heights)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width


@pytest.fixture
def seeded_article() -> str:
    from articles.models import Article

    call_command("load_demo", verbosity=0)
    article = Article.objects.published().get(slug="the-lanterns-announce-tour")
    return article.get_absolute_url()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_article_with_three_embeds_has_no_axe_violations(
    browser, live_server, plain_static, seeded_article, scheme
):
    """WCAG 2.2 A/AA and best practice, with the consent notes open too."""
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(live_server.url + seeded_article)
        expect(page.get_by_role("button", name="Load Instagram content")).to_have_count(3)
        expect(page.get_by_text("A post shared by The Lanterns (@thelanternsband)")).to_have_count(
            2
        )
        violations = axe(page)
        page.locator("figure.embed summary").evaluate_all(
            "summaries => summaries.forEach(s => s.click())"
        )
        violations += axe(page)
    finally:
        context.close()
    assert violations == []


def axe(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
        'wcag22aa', 'best-practice']})"""
    )
    return [
        {"id": v["id"], "nodes": [n["html"][:200] for n in v["nodes"]]}
        for v in result["violations"]
    ]
