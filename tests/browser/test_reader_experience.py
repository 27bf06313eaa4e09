"""Issue #15 as a reader meets it, in Chromium at 375 and 1280 pixels, with
JavaScript on and off: every visible control does something, Go to Top comes
and goes with the scroll, nothing scrolls sideways, the article prints clean,
and axe (WCAG 2.2 A/AA and best practice) finds nothing on any reader page in
light or dark mode."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import AXE_JS
from tests.factories import make_article, make_author, make_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WIDTHS = [375, 1280]


def is_local(url: str) -> bool:
    return urlsplit(url).hostname in {"127.0.0.1", "localhost"}


@pytest.fixture
def site():
    """A small site with every kind of reader page: a section with a
    subsection, an article with embeds and links, tags, an author, a month."""
    from embeds.models import Embed

    news = make_category(name="News", slug="news")
    music = make_category(name="Music", slug="music", parent=news)
    author = make_author(name="Tomás Ferreira", slug="tomas")
    posts = [f"https://www.instagram.com/p/Nv8Kq2{c}/" for c in "ABC"]
    for url in posts:
        Embed.objects.create(url=url, author_name="Nadia Vale", author_handle="nadiavale")
    track = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
    Embed.objects.create(url=track, title="Lantern Light")
    paragraph = "The council met again to talk about night buses and the new routes. " * 10
    body = "".join(f"<p>Part {n}. {paragraph}</p><p>{url}</p>" for n, url in enumerate(posts))
    body += f'<p><a href="{track}">{track}</a></p>'
    body += '<p>See <a href="https://example.org/minutes">the minutes</a>.</p>'
    body += "".join(f"<p>More {n}. {paragraph}</p>" for n in range(12))
    published = timezone.now() - datetime.timedelta(hours=2)
    article = make_article(
        title="Night buses return with three posts and a song",
        dek="What the vote changes.",
        body=body,
        category=music,
        authors=[author],
        tags=["transport"],
        published_at=published,
    )
    for n in range(4):
        make_article(
            title=f"Night buses, part {n}",
            body=f"<p>{paragraph}</p>",
            category=music,
            authors=[author],
            tags=["transport"],
            published_at=published - datetime.timedelta(days=n + 1),
        )
    month = timezone.localtime(published).strftime("/%Y/%m/")
    return {
        "article": article,
        "pages": {
            "home": "/",
            "article": article.get_absolute_url(),
            "category": "/category/news/",
            "tag": "/tag/transport/",
            "author": "/author/tomas/",
            "month": month,
            "search": "/search/?q=buses",
            "search-empty": "/search/?q=zyzzyva",
            "404": "/no/such/page/",
        },
    }


def new_context(browser, *, width: int, javascript: bool = True, **options):
    context = browser.new_context(
        viewport={"width": width, "height": 700},
        java_script_enabled=javascript,
        reduced_motion="reduce",
        **options,
    )
    # Nothing may leave 127.0.0.1; a provider's frame loads nothing here.
    context.route(lambda url: not is_local(url), lambda route: route.abort())
    return context


VISIBLE_CONTROLS = """() => [...document.querySelectorAll('button, summary, [role=button]')]
    .filter(el => el.checkVisibility({visibilityProperty: true, opacityProperty: true}))
    .map((el, index) => {
        el.setAttribute('data-test-control', String(index));
        return {index, text: el.textContent.trim(), type: el.type || '',
                inForm: !!el.form, tag: el.tagName};
    })"""

WATCH = """() => {
    window.__changes = 0;
    new MutationObserver(records => { window.__changes += records.length; })
        .observe(document.documentElement, {subtree: true, childList: true,
                                            attributes: true, characterData: true});
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_every_visible_control_works_and_nothing_scrolls_sideways(
    live_server, browser, site, width, javascript
):
    context = new_context(
        browser, width=width, javascript=javascript, permissions=["clipboard-write"]
    )
    page = context.new_page()
    try:
        for name, path in site["pages"].items():
            page.goto(live_server.url + path)
            overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
            for control in page.evaluate(VISIBLE_CONTROLS):
                where = f"{name} at {width}px, {'JS' if javascript else 'no JS'}: {control}"
                if control["tag"] == "BUTTON" and control["type"] == "submit":
                    assert control["inForm"], where  # submits its form, script or not
                    continue
                # Anything else needs the script, and must change the page when used.
                assert javascript, f"visible without the script that drives it: {where}"
                target = page.locator(f"[data-test-control='{control['index']}']")
                if not target.count() or not target.is_visible():
                    continue  # replaced by an earlier control (a card's Load takes its toggle)
                page.evaluate(WATCH)
                target.click()
                page.wait_for_function("() => window.__changes > 0")
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_share_buttons_show_only_where_they_work(live_server, browser, site, width):
    url = live_server.url + site["pages"]["article"]
    context = new_context(browser, width=width, javascript=False)
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_role("link", name="Share on Facebook")).to_be_visible()
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(page.get_by_role("button", name="More options")).to_be_hidden()
    context.close()

    context = new_context(browser, width=width, permissions=["clipboard-write"])
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    copy = page.get_by_role("button", name="Copy link")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator("[data-share-status]")).to_have_text("Link copied.")
    # Desktop Chromium on Linux has no navigator.share: no button for it.
    native = page.get_by_role("button", name="More options")
    if page.evaluate("typeof navigator.share === 'function'"):
        expect(native).to_be_visible()
    else:
        expect(native).to_be_hidden()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_go_to_top_is_hidden_at_the_top_and_shows_after_scrolling(
    live_server, browser, site, width, javascript
):
    context = new_context(browser, width=width, javascript=javascript)
    page = context.new_page()
    page.goto(live_server.url + site["pages"]["article"])
    control = page.get_by_role("link", name="Go to Top")
    page.wait_for_load_state("load")
    expect(control).to_be_hidden()
    page.mouse.wheel(0, 3000)
    page.wait_for_function("window.scrollY > window.innerHeight")
    expect(control).to_be_visible()
    control.click()
    page.wait_for_function("window.scrollY === 0")
    expect(control).to_be_hidden()
    context.close()


PRINT_STATE = """() => {
    const display = selector => {
        const el = document.querySelector(selector);
        if (!el) { return 'absent'; }
        return el.checkVisibility() ? getComputedStyle(el).display : 'none';
    };
    const after = selector => getComputedStyle(document.querySelector(selector), '::after').content;
    return {
        hidden: Object.fromEntries(['.site-header', '.site-nav', '.site-search', '.share',
            '.go-to-top', '.article-pager', '.related', '.more-in', '.site-footer']
            .map(s => [s, display(s)])),
        body: display('.article__body'),
        outside: after('.article__body a[href="https://example.org/minutes"]'),
        kicker: after('.article .kicker a'),
        nav: after('.site-nav a'),
    };
}"""


def test_an_article_prints_without_navigation_or_controls_and_shows_link_addresses(
    live_server, browser, site
):
    context = new_context(browser, width=1280)
    page = context.new_page()
    page.goto(live_server.url + site["pages"]["article"])
    page.mouse.wheel(0, 3000)
    page.wait_for_function("window.scrollY > window.innerHeight")
    screen = page.evaluate(PRINT_STATE)
    assert screen["hidden"][".share"] != "none"
    assert screen["outside"] == "none"

    page.emulate_media(media="print")
    printed = page.evaluate(PRINT_STATE)
    assert printed["hidden"] == dict.fromkeys(printed["hidden"], "none")
    assert printed["body"] == "block"
    assert printed["outside"] == '" (https://example.org/minutes)"'
    assert printed["kicker"] == "none"
    assert printed["nav"] == "none"
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reader_pages_have_no_axe_violations(live_server, browser, site, scheme):
    found = {}
    for width in WIDTHS:
        context = new_context(browser, width=width, bypass_csp=True, color_scheme=scheme)
        page = context.new_page()
        for name, path in site["pages"].items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            page.add_script_tag(path=str(AXE_JS))
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
            )
            for violation in result["violations"]:
                nodes = [node["html"][:160] for node in violation["nodes"]]
                found.setdefault(f"{name} @{width}", []).append((violation["id"], nodes))
        context.close()
    assert found == {}


def test_the_footer_copyright_sits_on_the_line_of_the_feed_links(live_server, browser, site):
    context = new_context(browser, width=1280)
    page = context.new_page()
    page.goto(live_server.url + "/")
    copyright_box = page.locator(".site-footer p").bounding_box()
    feed_box = page.locator(".site-footer li").first.bounding_box()
    assert abs(copyright_box["y"] - feed_box["y"]) <= 2
    assert abs(copyright_box["height"] - feed_box["height"]) <= 2
    context.close()
