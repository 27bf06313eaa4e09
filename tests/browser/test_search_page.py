import pytest

from tests.factories import make_article, make_author, make_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def results():
    """Two pages of results, with snippets, filters and pagination on show."""
    section = make_category(name="City", slug="city")
    author = make_author(name="Tomás Ferreira", slug="tomas")
    for n in range(14):
        make_article(
            title=f"Night buses, part {n}",
            body="<p>" + "The council met again to talk about night buses. " * 6 + "</p>",
            category=section,
            authors=[author],
            tags=["transport"],
        )


def test_search_results_have_no_axe_violations(live_server, axe_audit, results):
    url = f"{live_server.url}/search/?q=buses&category=city&from=2000-01-01"
    assert axe_audit(url) == []


def test_the_empty_search_page_has_no_axe_violations(live_server, axe_audit, results):
    assert axe_audit(f"{live_server.url}/search/?q=zyzzyva&from=nonsense") == []
