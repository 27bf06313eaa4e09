"""The article form while writing, in Chromium: embed cards appear as a
URL is typed on its own line, word count and reading time follow the text,
the public address follows the slug, and the search preview warns of long
titles. No request leaves for a provider."""

import re

import pytest
from playwright.sync_api import expect

from embeds.models import Embed
from tests.articles.editorial import make_writer
from tests.browser.test_editorial_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INSTAGRAM = "https://www.instagram.com/p/CdGx1aPrQ3e/"


def test_a_url_typed_on_its_own_line_shows_as_its_card(browser, live_server, plain_static):
    make_writer("wanda")
    Embed.objects.create(url=INSTAGRAM, author_name="Nadia Vale", author_handle="nadiavale")
    csp_errors: list[str] = []
    context, page = log_in(browser, live_server, "wanda", csp_errors)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else outside.append(request.url)
        ),
    )
    try:
        page.goto(f"{live_server.url}/admin/articles/article/add/")
        cards = page.locator("#nr-cards-body")
        expect(cards).to_contain_text("No embeds yet")

        page.fill("#id_title", "A headline that is long enough to be cut off in search results")
        expect(page.locator("#nr-serp-warnings")).to_contain_text("search engines cut it")
        # Leaving the title fills the slug from it; the address follows.
        page.locator("#id_title").press("Tab")
        address = page.locator("#nr-permalink-url")
        expect(address).to_have_text(re.compile(r"/\d{4}/\d{2}/\d{2}/a-headline-that-is-long"))
        page.fill("#id_slug", "two-nights")
        expect(address).to_have_text(re.compile(r"^http://[^/]+/\d{4}/\d{2}/\d{2}/two-nights/$"))
        expect(page.locator(".field-body .ProseMirror[contenteditable]")).to_have_attribute(
            "spellcheck", "true"
        )

        page.locator(".ProseMirror[contenteditable]").click()
        page.keyboard.type("The band played two nights in a row.")
        expect(page.locator("#nr-stats")).to_have_text("8 words · 1 min read")
        page.keyboard.press("Enter")
        page.keyboard.type(INSTAGRAM)
        expect(cards).to_contain_text("View this post on Instagram")
        expect(cards).to_contain_text("A post shared by Nadia Vale (@nadiavale)")
        assert outside == []
        assert csp_errors == []
    finally:
        context.close()
