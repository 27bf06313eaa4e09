"""The XSS corpus through the WordPress import: every vector in an export's
titles, content, shortcodes, excerpts, category, tag and author names, read
back from every public surface the imported articles reach."""

import re
from pathlib import Path

import pytest
from django.test.utils import override_settings

from articles.models import Article, Author, Category
from tests.articles.wordpress.conftest import import_wordpress
from tests.articles.xss import VECTORS, feed_problems, problems

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

SITE = "https://hostile-export.example"
HEAD = f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
\t<title>Hostile export</title>
\t<link>{SITE}</link>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>{SITE}</wp:base_site_url>
\t<wp:base_blog_url>{SITE}</wp:base_blog_url>
"""


# XML 1.0 cannot carry these even in CDATA: an export holding one is not
# well-formed, which the reader refuses with its line and column.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# The corpus as an export can hold it.
EXPORTABLE = [NOT_XML.sub("", vector) for vector in VECTORS]


def cdata(text: str) -> str:
    """``text`` as CDATA, a ``]]>`` inside it split across two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def item(n: int, vector: str) -> str:
    content = (
        f"A line before.\n\n{vector}\n\n"
        f'[caption id="attachment_{n}" width="300"]<img src="x.jpg" alt="{vector}"> {vector}'
        "[/caption]\n\n"
        f"[embed]https://www.youtube.com/watch?v=Xss{n:08d}&amp;t={vector}[/embed]\n\n"
        f'<blockquote class="instagram-media" data-instgrm-permalink='
        f'"https://www.instagram.com/p/Xss{n}/"><p><a href="https://www.instagram.com/p/Xss{n}/">'
        f"A post shared by {vector} (@xss{n})</a></p></blockquote>"
        '<script async src="//www.instagram.com/embed.js"></script>\n\n'
        f"[unknown_shortcode attr='{vector}']"
    )
    return f"""
\t<item>
\t\t<title>{cdata(vector[:180])}</title>
\t\t<dc:creator>{cdata(f"writer{n}")}</dc:creator>
\t\t<content:encoded>{cdata(content)}</content:encoded>
\t\t<excerpt:encoded>{cdata(vector)}</excerpt:encoded>
\t\t<wp:post_id>{1000 + n}</wp:post_id>
\t\t<wp:post_date_gmt>{cdata(f"2022-05-{1 + n % 28:02d} 08:00:00")}</wp:post_date_gmt>
\t\t<wp:post_name>{cdata(f"xss-{n}")}</wp:post_name>
\t\t<wp:status>{cdata("publish")}</wp:status>
\t\t<wp:post_type>{cdata("post")}</wp:post_type>
\t\t<category domain="category" nicename="xss-c{n}">{cdata(vector[:90])}</category>
\t\t<category domain="post_tag" nicename="xss-t{n}">{cdata(vector[:90])}</category>
\t</item>"""


def export(path: Path) -> Path:
    parts = [HEAD]
    for n, vector in enumerate(EXPORTABLE):
        parts.append(
            f"\t<wp:author><wp:author_login>{cdata(f'writer{n}')}</wp:author_login>"
            f"<wp:author_display_name>{cdata(vector[:140])}</wp:author_display_name>"
            "</wp:author>\n"
            f"\t<wp:category><wp:category_nicename>{cdata(f'xss-c{n}')}</wp:category_nicename>"
            f"<wp:category_parent>{cdata('')}</wp:category_parent>"
            f"<wp:cat_name>{cdata(vector[:90])}</wp:cat_name>"
            f"<wp:category_description>{cdata(vector)}</wp:category_description>"
            "</wp:category>\n"
        )
    parts += [item(n, vector) for n, vector in enumerate(EXPORTABLE)]
    parts.append("\n</channel>\n</rss>\n")
    path.write_text("".join(parts), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def imported(module_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-import")
    with override_settings(MEDIA_ROOT=folder / "media"):
        output = import_wordpress(export(folder / "export.xml"))
        yield output


def test_every_vector_was_imported(imported):
    assert "0 skipped" in imported
    assert Article.objects.published().filter(source="wordpress").count() == len(VECTORS)


def test_imported_pages_run_no_injected_script(client, imported):
    urls = [article.get_absolute_url() for article in Article.objects.published()]
    urls += [category.get_absolute_url() for category in Category.objects.all()]
    urls += [author.get_absolute_url() for author in Author.objects.all()]
    urls += [f"/tag/xss-t{n}/" for n in range(len(VECTORS))]
    urls += ["/", "/?page=2", "/2022/05/", "/search/?q=line"]
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found += problems(response.content, where=url)
    assert found == []


def test_imported_feeds_decode_to_no_injected_script(client, imported):
    feeds = ["/feed/", "/feed/atom/"]
    feeds += [f"/category/xss-c{n}/feed/" for n in range(0, len(VECTORS), 7)]
    feeds += [f"/tag/xss-t{n}/feed/" for n in range(0, len(VECTORS), 7)]
    found = []
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        found += feed_problems(response.content, where=url)
    assert found == []


def test_no_wordpress_script_survives(client, imported):
    for article in Article.objects.published():
        assert "A line before." in article.body
        assert "embed.js" not in article.body
        assert "<script" not in article.body.lower()
