import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError
from PIL import Image as PillowImage
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, Author, Category, Redirect
from articles.services import save_article
from articles.wordpress.importer import source_id
from embeds.models import Embed
from tests.articles.wordpress.conftest import fixture, import_wordpress, snapshot

pytestmark = pytest.mark.django_db

LANTERNS = "/2022/05/03/lanterns-summer-shows/"


def test_a_news_post_becomes_a_published_article_with_its_metadata():
    import_wordpress("news")
    article = Article.objects.get()
    assert article.title == "The Lanterns announce a summer of riverside shows"
    assert article.get_absolute_url() == LANTERNS
    assert article.published_at == datetime.datetime(2022, 5, 3, 8, 41, 55, tzinfo=datetime.UTC)
    assert article.is_published
    assert article.summary == "Six evenings on the old wharf."
    assert article.category.slug == "news"
    assert [a.name for a in article.ordered_authors] == ["Tessa Marlowe"]
    assert [t.slug for t in article.tags.all()] == ["summer-tour"]
    assert article.source == "wordpress"
    assert article.source_id == "riverside-sounds.example?p=101"


def test_instagram_authors_from_the_export_are_on_the_embed_rows():
    import_wordpress("news")
    rows = dict(
        Embed.objects.filter(provider="instagram").values_list("author_handle", "author_name")
    )
    assert rows == {
        "thelanternsband": "The Lanterns",
        "wharf.stage": "Wharf Stage & Friends",
        "ines_calder": "Ines Calder",
    }
    assert Embed.objects.filter(url="https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC")


def test_the_article_page_shows_three_instagram_cards_and_no_wordpress_script(client):
    import_wordpress("news")
    response = client.get(LANTERNS)
    page = response.content.decode()
    assert page.count("View this post on Instagram") == 3
    assert "A post shared by The Lanterns (@thelanternsband)" in page
    assert "A post shared by Wharf Stage &amp; Friends (@wharf.stage)" in page
    assert "A post shared by Ines Calder (@ines_calder)" in page
    assert "Listen on Spotify" in page
    assert "embed.js" not in page
    assert "embed.js" not in Article.objects.get().body


def test_an_import_saves_through_the_write_path_with_a_revision():
    import_wordpress("news")
    article = Article.objects.get()
    versions = Version.objects.get_for_object(article)
    assert versions.count() == 1
    assert versions[0].revision.comment.startswith("Imported from WordPress post 101")


def test_running_it_again_changes_nothing_and_duplicates_nothing():
    import_wordpress("news")
    before = snapshot()
    output = import_wordpress("news")
    assert snapshot() == before
    assert "post: 0 created, 0 updated, 1 unchanged, 0 skipped" in output


def test_a_changed_export_updates_the_same_article(tmp_path):
    import_wordpress("news")
    changed = tmp_path / "changed.xml"
    changed.write_text(
        fixture("news").read_text().replace("More dates may follow.", "Two more dates added.")
    )
    output = import_wordpress(changed)
    assert "post: 0 created, 1 updated" in output
    article = Article.objects.get()
    assert "Two more dates added." in article.body
    assert Version.objects.get_for_object(article).count() == 2


def test_an_article_edited_in_newsroom_is_left_alone_unless_forced(tmp_path):
    import_wordpress("news")
    article = Article.objects.get()
    article.title = "Edited by the desk"
    save_article(article, comment="Desk edit.")
    changed = tmp_path / "changed.xml"
    changed.write_text(fixture("news").read_text().replace("More dates", "Other dates"))

    output = import_wordpress(changed)
    assert "edited in newsroom since the last import" in output
    assert Article.objects.get().title == "Edited by the desk"

    import_wordpress(changed, "--force")
    article = Article.objects.get()
    assert article.title == "The Lanterns announce a summer of riverside shows"
    assert "Other dates" in article.body


def test_metadata_an_editor_typed_is_not_overwritten_by_a_forced_import():
    import_wordpress("news")
    Embed.objects.filter(author_handle="ines_calder").update(author_name="Ines C.")
    import_wordpress("news", "--force")
    assert Embed.objects.get(author_handle="ines_calder").author_name == "Ines C."


def test_a_dry_run_writes_nothing_and_prints_the_same_summary():
    before = snapshot()
    output = import_wordpress("news", "--dry-run")
    assert snapshot() == before
    assert "post: 1 created" in output
    assert "nothing was written" in output


class StatusTests:
    @pytest.fixture(autouse=True)
    def imported(self, time_machine):
        time_machine.move_to(datetime.datetime(2023, 1, 26, 12, tzinfo=datetime.UTC), tick=False)
        self.output = import_wordpress("statuses")

    def by_id(self, post_id: int) -> Article:
        return Article.objects.get(source_id=source_id("https://bulletin.example", post_id))

    def test_each_wordpress_status_maps_to_a_state(self):
        assert self.by_id(221).state == "published"
        assert self.by_id(222).state == "scheduled"
        assert self.by_id(222).published_at.day == 27
        assert self.by_id(223).state == "draft"
        assert self.by_id(224).state == "review"
        assert self.by_id(225).state == "draft"  # private: never public

    def test_trash_pages_and_menus_are_skipped_and_counted(self):
        assert not Article.objects.filter(title="Trashed one").exists()
        assert not Article.objects.filter(title__in=["About us", "Menu"]).exists()
        assert "post: 7 created, 0 updated, 0 unchanged, 1 skipped" in self.output
        assert "page: 0 created, 0 updated, 0 unchanged, 1 skipped" in self.output
        assert "nav_menu_item: 0 created, 0 updated, 0 unchanged, 1 skipped" in self.output

    def test_a_percent_encoded_unicode_slug_is_decoded_and_serves(self, client):
        article = self.by_id(227)
        assert article.slug == "årets-båt"
        assert client.get(article.get_absolute_url()).status_code == 200

    def test_entities_are_decoded_exactly_once(self):
        article = self.by_id(228)
        assert article.title == "Fish & chips &amp; more"
        assert "Salt &amp; vinegar, “quoted” and a literal &amp;amp;." in article.body
        assert "The code is a[i]]&gt;b exactly." in article.body


class LegacyUrlTests:
    def test_the_old_permalink_and_the_short_link_answer_301(self, client):
        import_wordpress("categories")
        article = Article.objects.get()
        old = client.get("/news/culture/music/jazz/cellar-club-reopens/")
        assert old.status_code == 301
        assert old["Location"] == article.get_absolute_url()
        short = client.get("/?p=501")
        assert short.status_code == 301
        assert short["Location"] == article.get_absolute_url()

    def test_a_short_link_to_a_draft_or_an_unknown_post_is_not_found(self, client):
        import_wordpress("statuses")
        assert client.get("/?p=223").status_code == 404
        assert client.get("/?p=99999").status_code == 404
        assert client.get("/?p=221").status_code == 301

    def test_a_short_link_that_is_no_number_is_the_home_page(self, client):
        assert client.get("/?p=abc").status_code == 200
        assert client.get("/?p=").status_code == 200

    def test_short_links_leave_the_home_page_and_its_etag_alone(self, client):
        import_wordpress("news")
        first = client.get("/")
        assert client.get("/?p=101").status_code == 301
        again = client.get("/")
        assert again.status_code == 200
        assert again["ETag"] == first["ETag"]
        assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    def test_nested_category_archives_answer_301_to_the_flat_ones(self, client):
        import_wordpress("categories")
        response = client.get("/news/category/culture/music/jazz/")
        assert response.status_code == 301
        assert response["Location"] == "/category/jazz/"
        assert client.get("/news/tag/late-night/")["Location"] == "/tag/late-night/"


def test_nested_categories_keep_their_hierarchy_and_the_primary_category_wins():
    output = import_wordpress("categories")
    jazz = Category.objects.get(slug="jazz")
    assert jazz.parent.slug == "music"
    assert jazz.parent.parent.slug == "culture"
    assert jazz.parent.parent.name == "Culture & Arts"
    article = Article.objects.get()
    assert article.category == jazz
    # No GMT date: the local date in the site's zone (UTC here).
    assert article.published_at == datetime.datetime(2021, 11, 4, 20, 15, tzinfo=datetime.UTC)
    assert "sticky in WordPress" in output
    assert Author.objects.get().name == "nobody-declared"
    assert Tag.objects.get().name == "Late night"


def test_shortcodes_become_figures_and_embeds():
    output = import_wordpress("shortcodes")
    body = Article.objects.get().body
    # No --media-dir: the old site's image is left out, its caption kept.
    assert "<p>The morning ferry leaves at seven.</p>" in body
    assert "<p>https://www.youtube.com/watch?v=aBcDeFgHiJk</p>" in body
    assert "bulletin.example" not in body
    assert "post 201: image 2023/01/pier.jpg not imported (no --media-dir)" in output
    assert '[pullquote align="right"]We will keep the late boat.[/pullquote]' in body
    assert "[caption]" in body
    assert "post 201: unknown shortcode(s) kept as text: [pullquote]" in output
    assert "post 201: a [gallery] with no known images was removed" in output


def test_provider_iframes_become_embed_rows():
    output = import_wordpress("iframes")
    providers = set(Embed.objects.values_list("provider", flat=True))
    assert providers == {
        "youtube", "vimeo", "spotify", "soundcloud", "apple_music", "deezer", "bandcamp", "tiktok"
    }  # fmt: skip
    assert Embed.objects.get(provider="bandcamp").player_id == "2212345678"
    assert "<iframe" not in Article.objects.get().body
    assert "post 211: an iframe from tracker.example was dropped" in output


def jpeg_with_gps(path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = PillowImage.new("RGB", (40, 30), "red")
    exif = PillowImage.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPSInfo: a latitude
    exif[0x010F] = "Camera maker"
    image.save(path, "JPEG", exif=exif.tobytes())


def test_a_featured_image_in_the_media_folder_becomes_the_lead_image(tmp_path, media_root):
    uploads = tmp_path / "uploads"
    jpeg_with_gps(uploads / "2020/06/lighthouse.jpg")
    output = import_wordpress("attachments", "--media-dir", str(uploads))
    lighthouse = Article.objects.get(slug="lighthouse-repainted")
    image = lighthouse.image  # a media library image, with its renditions
    assert image.alt == "The lighthouse in red and white"
    assert image.caption == "Freshly painted, seen from the beach."
    for name in [image.file.name, *image.rendition_names()]:
        with default_storage.open(name) as stored:
            assert not PillowImage.open(stored).getexif(), name
    assert (image.width, image.height) == (40, 30)
    assert Article.objects.get(slug="storm-damage").image is None
    assert "post 603: image not imported: 2020/06/promenade.jpg: no such file" in output
    assert "attachment: 0 created, 0 updated, 0 unchanged, 2 skipped" in output


def test_without_a_media_folder_a_warning_names_the_missing_file():
    output = import_wordpress("attachments")
    assert "post 601: image 2020/06/lighthouse.jpg not imported (no --media-dir)" in output


def test_a_file_that_is_no_image_is_refused(tmp_path, media_root):
    uploads = tmp_path / "uploads"
    (uploads / "2020/06").mkdir(parents=True)
    (uploads / "2020/06/lighthouse.jpg").write_bytes(b"<?php echo 'hi';")
    output = import_wordpress("attachments", "--media-dir", str(uploads))
    assert "post 601: image 2020/06/lighthouse.jpg refused: The file is not" in output
    assert Article.objects.get(slug="lighthouse-repainted").image is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed", "malformed.xml: line 9, column 4: not well-formed XML (mismatched tag)"),
        ("truncated", "truncated.xml: line 44, column"),
        ("bomb", "bomb.xml: line 2, column 15: refused: the file has a DTD"),
        ("external_entity", "external_entity.xml: line 2, column 15: refused"),
        ("not_wxr", "not_wxr.xml: line 10, column 1: not a WordPress export"),
    ],
)
def test_a_bad_export_is_one_line_of_error_and_changes_nothing(name, message):
    import_wordpress("news")
    before = snapshot()
    with pytest.raises(CommandError) as error:
        import_wordpress(name)
    assert message in str(error.value)
    assert str(error.value).endswith("nothing was imported.")
    assert "\n" not in str(error.value)
    assert snapshot() == before


def test_a_failure_while_writing_rolls_the_whole_run_back(monkeypatch):
    """The last write of a run fails: every article written before it is gone too."""
    from articles.wordpress.importer import Importer

    def failing_flush(self):
        assert Article.objects.exists()
        raise RuntimeError("disk full")

    before = snapshot()
    monkeypatch.setattr(Importer, "_flush_redirects", failing_flush)
    with pytest.raises(RuntimeError):
        import_wordpress("news")
    assert snapshot() == before


def test_a_missing_file_or_media_folder_is_an_error():
    with pytest.raises(CommandError, match="no such file"):
        import_wordpress(fixture("nope"))
    with pytest.raises(CommandError, match="not a folder"):
        import_wordpress("news", "--media-dir", "/nonexistent/uploads")


def test_progress_is_printed_as_counted_lines_without_a_terminal():
    output = import_wordpress("statuses")
    assert "10/10 items" in output
    assert "\r" not in output


def test_redirect_rows_point_at_the_article():
    import_wordpress("news")
    assert Redirect.objects.get(old_path="/?p=101").article == Article.objects.get()


def test_an_attached_file_outside_the_media_folder_is_never_read(tmp_path, media_root):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    jpeg_with_gps(tmp_path / "secret.jpg")
    hostile = tmp_path / "hostile.xml"
    hostile.write_text(
        fixture("attachments").read_text().replace("2020/06/lighthouse.jpg]]", "../secret.jpg]]")
    )
    output = import_wordpress(hostile, "--media-dir", str(uploads))
    assert "../secret.jpg: outside the media folder" in output
    assert Article.objects.get(slug="lighthouse-repainted").image is None


def test_tags_without_a_name_or_slug_are_left_out(tmp_path):
    export = tmp_path / "empty-tag.xml"
    export.write_text(
        fixture("news")
        .read_text()
        .replace(
            '<category domain="post_tag" nicename="summer-tour">',
            '<category domain="post_tag" nicename=""><![CDATA[ ]]></category>'
            '<category domain="post_tag" nicename="summer-tour">',
        )
    )
    import_wordpress(export)
    assert [t.slug for t in Article.objects.get().tags.all()] == ["summer-tour"]


def test_an_unusable_old_address_or_date_is_a_warning_not_a_failure(tmp_path):
    export = tmp_path / "odd.xml"
    export.write_text(
        fixture("news")
        .read_text()
        .replace(
            "https://riverside-sounds.example/2022/05/03/lanterns-summer-shows/",
            "https://riverside-sounds.example/%00/" + "x" * 600,
        )
        .replace("2022-05-03 08:41:55", "2022-13-45 99:99:99")
        .replace("2022-05-03 09:41:55", "not a date")
    )
    output = import_wordpress(export)
    assert "legacy address not kept" in output
    assert "post 101: published without a readable date; dated now" in output
    assert Article.objects.get().is_published


def test_a_dry_run_stores_no_image_file(tmp_path, media_root):
    uploads = tmp_path / "uploads"
    jpeg_with_gps(uploads / "2020/06/lighthouse.jpg")
    output = import_wordpress("attachments", "--media-dir", str(uploads), "--dry-run")
    assert "image: 1 created" in output
    assert not Article.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.jpg"))


def test_on_a_terminal_progress_is_one_bar_redrawn_in_place():
    from io import StringIO

    from django.core.management import call_command

    class Terminal(StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    call_command("import_wordpress", str(fixture("statuses")), stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "\r[" in text
    assert f"[{'#' * 30}] 10/10 items\n" in text


def test_a_post_listed_twice_in_one_export_is_one_article(tmp_path):
    text = fixture("news").read_text()
    item = text[text.index("<item>") : text.index("</item>") + len("</item>")]
    twice = tmp_path / "twice.xml"
    twice.write_text(text.replace(item, item + item.replace("More dates", "Later dates")))
    output = import_wordpress(twice)
    assert "post: 1 created, 1 updated" in output
    assert "Later dates" in Article.objects.get().body
