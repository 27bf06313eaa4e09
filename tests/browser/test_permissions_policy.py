"""Chromium reads the site's Permissions-Policy as meant: no feature it does not
know (each would be a console error), powerful features off, embeds' on."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_accepts_the_policy_and_applies_it(live_server, browser):
    page = browser.new_context().new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(live_server.url + "/")
    assert [text for text in messages if "Permissions-Policy" in text] == []
    allows = "([feature, origin]) => document.featurePolicy.allowsFeature(feature, origin)"
    assert page.evaluate(allows, ["camera", live_server.url]) is False
    assert page.evaluate(allows, ["geolocation", live_server.url]) is False
    assert page.evaluate(allows, ["fullscreen", "https://www.youtube-nocookie.com"]) is True
    assert page.evaluate(allows, ["fullscreen", "https://evil.example"]) is False
    page.context.close()
