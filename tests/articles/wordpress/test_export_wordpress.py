import datetime
import io
import re
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from taggit.models import Tag

from articles.images import Image, name_from_url
from articles.models import Article, Author, Category
from articles.wordpress import reader
from articles.wordpress.exporter import body_out, cdata
from embeds.models import Embed
from embeds.rendering import embed_urls
from tests.articles.wordpress.conftest import import_wordpress
from tests.articles.wordpress.test_import_wordpress import jpeg_with_gps
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def library_sources_described(body: str) -> str:
    """``body`` with each library image's URL (a new name on each import) as
    what it shows, so two imports of one image compare equal."""

    def describe(match: re.Match) -> str:
        name = name_from_url(match[1])
        if name is None:
            return match[0]
        image = Image.objects.get(file=name)
        return f'src="library:{image.alt}|{image.caption}|{image.width}x{image.height}"'

    return re.sub(r'src="([^"]*)"', describe, body)


def everything() -> dict[str, tuple]:
    """What a round trip must keep, per article title."""
    state = {}
    for article in Article.objects.select_related("category__parent", "image"):
        embeds = tuple(
            Embed.objects.filter(url=url)
            .values_list("url", "author_name", "author_handle", "player_id")
            .first()
            for url in embed_urls(article.body)
        )
        state[article.title] = (
            article.slug,
            article.status,
            article.state,
            article.published_at,
            article.summary,
            library_sources_described(article.body),
            article.category.slug,
            article.category.name,
            article.category.parent.slug if article.category.parent else None,
            tuple(sorted(article.tags.values_list("slug", "name"))),
            tuple((a.slug, a.name) for a in article.ordered_authors),
            embeds,
            (article.image.alt, article.image.caption, article.image.width)
            if article.image
            else None,
        )
    return state


def wipe() -> None:
    Article.objects.all().delete()
    Image.objects.all().delete()  # their files stay in MEDIA_ROOT, which the import reads
    while Category.objects.exists():
        Category.objects.filter(children__isnull=True).delete()
    Tag.objects.all().delete()
    Author.objects.all().delete()
    Embed.objects.all().delete()


def export_text() -> str:
    out = io.StringIO()
    call_command("export_wordpress", "-", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_then_import_into_an_empty_database_gives_the_same_articles(
    tmp_path, media_root, time_machine
):
    time_machine.move_to(datetime.datetime(2023, 1, 26, 12, tzinfo=datetime.UTC), tick=False)
    for name in ("news", "categories", "statuses", "shortcodes", "iframes"):
        import_wordpress(name)
    uploads = tmp_path / "uploads"
    jpeg_with_gps(uploads / "2020/06/lighthouse.jpg")
    import_wordpress("attachments", "--media-dir", str(uploads))
    article = Article.objects.get(title="Published one")
    article.bylines.create(author=make_author(name="Second Writer", slug="second"), position=1)
    before = everything()
    # The lighthouse is the lead image and in the body: one library image.
    assert 'src="library:The lighthouse in red and white|' in before["Lighthouse repainted"][5]
    images_before = Image.objects.count()

    export = tmp_path / "export.xml"
    call_command("export_wordpress", str(export), stdout=io.StringIO())
    wipe()
    import_wordpress(export, "--media-dir", str(media_root))

    after = everything()
    assert Image.objects.count() == images_before
    assert after.keys() == before.keys()
    for title in before:
        assert after[title] == before[title], title


def test_the_export_is_wxr_1_2_with_statuses_wordpress_knows(time_machine):
    time_machine.move_to(datetime.datetime(2023, 1, 26, 12, tzinfo=datetime.UTC), tick=False)
    import_wordpress("statuses")
    items = [
        e for e in reader.read(io.BytesIO(export_text().encode())) if isinstance(e, reader.Item)
    ]
    statuses = {item.title: item.status for item in items}
    assert statuses["Published one"] == "publish"
    assert statuses["Future one"] == "future"
    assert statuses["Draft one"] == "draft"
    assert statuses["Pending one"] == "pending"
    assert next(i for i in items if i.title == "Årets båt").slug == "%c3%a5rets-b%c3%a5t"


def test_embeds_are_urls_on_their_own_lines():
    assert body_out(
        "<p>Hi</p>\n<p>https://www.youtube.com/watch?v=aBcDeFgHiJk&amp;list=PLx1</p>"
    ) == ("<p>Hi</p>\n\nhttps://www.youtube.com/watch?v=aBcDeFgHiJk&list=PLx1\n")
    assert body_out("<p>https://blog.example/</p>") == "<p>https://blog.example/</p>"


def test_cdata_end_markers_in_a_body_survive_the_trip():
    text = "a]]>b ]]]]> c"
    assert ElementTree.fromstring(f"<x>{cdata(text)}</x>").text == text


def test_a_new_article_exports_with_its_authors_and_no_script(tmp_path):
    make_article(
        title="Written here",
        body="<p>Safe.</p><script>alert(1)</script>",
        authors=[make_author(name="Local Writer", slug="local")],
    )
    text = export_text()
    assert "<wp:author_login><![CDATA[local]]></wp:author_login>" in text
    assert "<title><![CDATA[Written here]]></title>" in text
    assert "alert" not in text


def test_export_to_a_folder_that_does_not_exist_is_an_error(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No such file"):
        call_command("export_wordpress", str(tmp_path / "missing" / "out.xml"))
