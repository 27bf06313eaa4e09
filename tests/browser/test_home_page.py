import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_has_no_axe_violations(live_server, axe_audit):
    assert axe_audit(live_server.url + "/") == []
