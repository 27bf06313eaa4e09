"""The XSS corpus (tests/articles/xss.py): every vector through every input,
read back from every surface with an HTML5 parser. tests/browser/test_xss.py
loads the same pages in Chromium with the CSP off."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.test.utils import override_settings

from articles.html import clean_text
from tests.articles.editorial import logged_in, make_editor
from tests.articles.xss import BIDI_CONTROLS, build_corpus, feed_problems, parse, problems

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]


@pytest.fixture(scope="module")
def corpus(module_db, tmp_path_factory):
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield build_corpus()


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def page_problems(client, urls) -> list:
    found = []
    for url in urls:
        ours = ("/static/", "/admin/jsi18n/") if url.startswith("/admin/") else ("/static/",)
        found += problems(get(client, url).content, where=url, script_src_prefixes=ours)
    return found


def text_of(element) -> str:
    return "".join(element.itertext())


def test_article_pages_run_no_injected_script_and_show_titles_as_typed(client, corpus):
    """Template syntax is never evaluated, markup is text, bidi controls are gone."""
    found = []
    for row in corpus:
        url = row["article"].get_absolute_url()
        content = get(client, url).content
        found += problems(content, where=url)
        tree = parse(content)
        title = clean_text(row["vector"][:200])
        assert not BIDI_CONTROLS & set(title)
        assert text_of(tree.find(".//h1")) == title, url
        for script in tree.iter("script"):
            if script.get("type") == "application/ld+json":
                data = json.loads(script.text)
                assert data["headline"] == title[:110]
                assert data["author"][0]["name"] == clean_text(row["vector"][:150])
    assert found == []


def test_listing_pages_run_no_injected_script_and_name_their_subject_as_text(client, corpus):
    found = []
    for url in ["/", "/?page=2", "/?page=3", "/?page=4", "/?page=5", "/?page=6", "/?page=7"]:
        found += problems(get(client, url).content, where=url)
    for row in corpus:
        for url, name in (
            (row["category"].get_absolute_url(), row["category"].name),
            (row["author"].get_absolute_url(), row["author"].name),
            (f"/tag/{row['tag'].slug}/", f"Tagged “{row['tag'].name}”"),
        ):
            content = get(client, url).content
            found += problems(content, where=url)
            heading = text_of(parse(content).find(".//h1"))
            assert heading == name
            assert not BIDI_CONTROLS & set(heading)
    assert found == []


def test_feeds_decode_to_no_injected_script(client, corpus):
    found = []
    urls = ["/feed/", "/feed/atom/"]
    for row in corpus:
        urls += [
            f"{row['category'].get_absolute_url()}feed/",
            f"{row['author'].get_absolute_url()}feed/",
            f"/tag/{row['tag'].slug}/feed/",
        ]
    for url in urls:
        found += feed_problems(get(client, url).content, where=url)
    assert found == []


def test_search_pages_run_no_injected_script(client, corpus):
    urls = [f"/search/?{_query(row['vector'])}" for row in corpus]
    assert page_problems(client, urls) == []


def test_sitemaps_are_xml_with_site_addresses_only(client, corpus):
    index = ET.fromstring(get(client, "/sitemap.xml").content)
    sections = [loc.text for loc in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    for url in [*sections, f"{settings.SITE_URL}/news-sitemap.xml"]:
        root = ET.fromstring(get(client, url.removeprefix(settings.SITE_URL)).content)
        for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
            assert loc.text.startswith(f"{settings.SITE_URL}/"), loc.text
    news = ET.fromstring(get(client, "/news-sitemap.xml").content)
    titles = {e.text for e in news.iter("{http://www.google.com/schemas/sitemap-news/0.9}title")}
    assert titles == {row["article"].title for row in corpus}


@pytest.fixture
def editor():
    return logged_in(make_editor())


def test_admin_lists_and_searches_run_no_injected_script(editor, corpus):
    urls = [
        "/admin/articles/article/",
        "/admin/articles/article/?p=2",
        "/admin/articles/category/",
        "/admin/articles/author/",
        "/admin/taggit/tag/",
        "/admin/embeds/embed/",
    ]
    # The search box reflects the query the same way whatever it holds: every
    # fourth vector keeps each family at a quarter of the cost.
    urls += [f"/admin/articles/article/?{_query(row['vector'])}" for row in corpus[::4]]
    assert page_problems(editor, urls) == []


def test_admin_change_forms_run_no_injected_script(editor, corpus):
    """Every article's change form; the category, author, tag and embed forms
    (plain Django widgets, ~0.1 s each) for every fourth vector, so each family
    is there. Their names are all on the changelists above."""
    urls = []
    for n, row in enumerate(corpus):
        urls.append(f"/admin/articles/article/{row['article'].pk}/change/")
        if n % 4 == 0:
            urls += [
                f"/admin/articles/category/{row['category'].pk}/change/",
                f"/admin/articles/author/{row['author'].pk}/change/",
                f"/admin/taggit/tag/{row['tag'].pk}/change/",
                f"/admin/embeds/embed/{row['embed'].pk}/change/",
            ]
    assert page_problems(editor, urls) == []


def _query(vector: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": vector})
