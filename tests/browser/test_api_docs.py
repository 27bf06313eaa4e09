"""The API's docs page works in Chromium under the site's CSP, from our own files."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docs_page_lists_the_endpoints_without_csp_errors_or_other_hosts(live_server, browser):
    make_article(title="Docs page article")
    page = browser.new_context().new_page()
    messages: list[str] = []
    hosts: set[str] = set()
    page.on("console", lambda message: messages.append(message.text))
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_server.url + "/api/v1/docs")
    expect(page.locator('.opblock-summary-path[data-path="/api/v1/articles"]')).to_be_visible()
    assert [text for text in messages if "Content Security Policy" in text] == []
    assert hosts == {live_server.url.split("/")[2]}
    page.context.close()
