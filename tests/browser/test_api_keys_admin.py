"""The page that shows a new API key once: made in a real browser, audited by axe."""

import pytest
from django.test import Client

from articles.models import ApiKey
from tests.articles.editorial import make_editor
from tests.conftest import AXE_JS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_key_is_shown_once_on_an_accessible_page(browser, live_server, plain_static):
    client = Client()
    client.force_login(make_editor())
    context = browser.new_context(bypass_csp=True)
    try:
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.goto(live_server.url + "/admin/articles/apikey/add/")
        page.get_by_label("Name").fill("Wire partner")
        page.get_by_label("Requests a minute").fill("1200")
        page.locator("input[name=_save]").click()
        key_field = page.get_by_label("API key")
        key_field.wait_for()
        key = key_field.input_value()
        assert key.startswith(f"nrk_{ApiKey.objects.get().prefix}_")
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate(
            "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        )
        assert result["violations"] == []
        page.get_by_role("link", name="Done").click()
        page.wait_for_url("**/admin/articles/apikey/")
        assert key not in page.content()
    finally:
        context.close()
