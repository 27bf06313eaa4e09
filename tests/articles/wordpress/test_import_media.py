"""Attachments shown in post bodies become library images (``--media-dir``)."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PillowImage

from articles.images import Image
from articles.models import Article
from tests.articles.wordpress.conftest import import_wordpress, snapshot

pytestmark = pytest.mark.django_db


def uploads_tree(root: Path) -> Path:
    """The old site's uploads: two pictures, a page named .jpg, no nets.jpg."""
    folder = root / "uploads" / "2020" / "06"
    folder.mkdir(parents=True)
    PillowImage.new("RGB", (64, 48), "navy").save(folder / "quay.jpg", "JPEG")
    PillowImage.new("RGB", (80, 40), "grey").save(folder / "harbour.jpg", "JPEG")
    (folder / "flyer.jpg").write_text("<html><body>not a picture</body></html>")
    return root / "uploads"


def library_image(attachment_id: int) -> Image:
    return Image.objects.get(source=f"wordpress:old.example?p={attachment_id}")


def test_body_caption_gallery_and_featured_images_become_one_library_image_each(
    tmp_path, media_root
):
    output = import_wordpress("media", "--media-dir", str(uploads_tree(tmp_path)))
    quay, harbour = library_image(711), library_image(712)
    assert Image.objects.count() == 2
    assert (quay.alt, quay.caption) == ("The quay at dawn", "Boats tied up at the new quay.")
    assert (harbour.alt, harbour.width, harbour.height) == ("The harbour wall", 80, 40)
    for name in [quay.file.name, *quay.rendition_names()]:
        assert default_storage.exists(name), name

    opens = Article.objects.get(slug="new-quay-opens")
    assert opens.image == quay  # the featured image, also the [caption]'s
    # The resized copy in a link to the file: the library image, unlinked.
    assert f'<img src="{harbour.file.url}" alt="The harbour wall" width="80" height="40">' in (
        opens.body
    )
    assert f'<img src="{quay.file.url}" alt="The quay"' in opens.body
    assert "<figcaption>Boats tied up at the new quay.</figcaption>" in opens.body

    pictures = Article.objects.get(slug="harbour-in-pictures")
    assert f'src="{harbour.file.url}"' in pictures.body  # shared by both posts
    assert "<p>Nets drying on the wall.</p>" in pictures.body  # the missing file's caption
    assert "post 702: image not imported: 2020/06/nets.jpg: no such file" in output
    assert "post 702: image 2020/06/flyer.jpg refused: This is a HTML file" in output
    assert "image: 2 created" in output


def test_no_imported_page_asks_the_old_site_for_anything(client, tmp_path, media_root):
    import_wordpress("media", "--media-dir", str(uploads_tree(tmp_path)))
    for article in Article.objects.all():
        assert "old.example" not in article.body
        page = client.get(article.get_absolute_url())
        assert page.status_code == 200
        assert "old.example" not in page.content.decode()
    page = client.get(Article.objects.get(slug="new-quay-opens").get_absolute_url())
    assert page.content.decode().count("<picture") >= 2


def test_without_a_media_folder_old_site_images_are_left_out_with_a_warning():
    output = import_wordpress("media")
    assert "post 701: image 2020/06/harbour.jpg not imported (no --media-dir)" in output
    assert "post 702: image 2020/06/nets.jpg not imported (no --media-dir)" in output
    for article in Article.objects.all():
        assert "old.example" not in article.body
        assert "wp-content" not in article.body
    assert (
        "<p>Boats tied up at the new quay.</p>"
        in Article.objects.get(pk__isnull=False, slug="new-quay-opens").body
    )
    assert not Image.objects.exists()


def test_a_re_import_stores_no_image_twice(tmp_path, media_root):
    uploads = uploads_tree(tmp_path)
    import_wordpress("media", "--media-dir", str(uploads))
    files = sorted(p for p in media_root.rglob("*") if p.is_file())
    output = import_wordpress("media", "--media-dir", str(uploads))
    assert Image.objects.count() == 2
    assert sorted(p for p in media_root.rglob("*") if p.is_file()) == files
    assert "post: 0 created, 0 updated, 2 unchanged" in output


def test_a_re_import_with_the_media_folder_brings_in_images_missing_before(tmp_path, media_root):
    import_wordpress("media")
    output = import_wordpress("media", "--media-dir", str(uploads_tree(tmp_path)))
    assert "post: 0 created, 2 updated" in output
    assert Article.objects.get(slug="new-quay-opens").image == library_image(711)
    assert library_image(712).file.url in Article.objects.get(slug="harbour-in-pictures").body


def test_a_dry_run_stores_no_image(tmp_path, media_root):
    before = snapshot()
    output = import_wordpress("media", "--media-dir", str(uploads_tree(tmp_path)), "--dry-run")
    assert "image: 2 created" in output
    assert snapshot() == before
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_a_failed_run_removes_the_files_it_stored(tmp_path, media_root, monkeypatch):
    from articles.wordpress.importer import Importer

    def failing_flush(self):
        assert Image.objects.exists()
        raise RuntimeError("disk full")

    before = snapshot()
    monkeypatch.setattr(Importer, "_flush_redirects", failing_flush)
    with pytest.raises(RuntimeError):
        import_wordpress("media", "--media-dir", str(uploads_tree(tmp_path)))
    assert snapshot() == before
    assert not any(p.is_file() for p in media_root.rglob("*"))


def test_an_image_without_alt_text_keeps_its_post_as_a_draft(tmp_path, media_root):
    export = tmp_path / "no-alt.xml"
    export.write_text(
        (Path(__file__).parent / "fixtures" / "media.xml")
        .read_text()
        .replace("<![CDATA[The harbour wall]]>", "<![CDATA[]]>")
    )
    output = import_wordpress(export, "--media-dir", str(uploads_tree(tmp_path)))
    assert "post 701: An image in the body has no alt text" in output
    assert "Imported as a draft." in output
    assert Article.objects.get(slug="new-quay-opens").status == Article.Status.DRAFT


def test_odd_and_hostile_image_addresses_never_reach_a_page(tmp_path, media_root):
    export = tmp_path / "odd.xml"
    export.write_text(
        (Path(__file__).parent / "fixtures" / "media.xml")
        .read_text()
        .replace(
            "Fishing starts again next month.",
            '<img src="//WWW.OLD.EXAMPLE/wp-content/uploads/2020/06/quay-150x150.jpg" alt="Small">'
            '\n\n<img src="https://old.example/wp-content/uploads/../../../etc/passwd" alt="x">'
            '\n\n<img src="https://old.example/logo.png" alt="Logo">'
            '\n\n<img src="javascript:alert(1)" alt="y">'
            "\n\nFishing starts again next month.",
        )
    )
    output = import_wordpress(export, "--media-dir", str(uploads_tree(tmp_path)))
    body = Article.objects.get(slug="new-quay-opens").body
    assert f'<img src="{library_image(711).file.url}" alt="Small"' in body
    assert "post 701: image https://old.example/logo.png is not in the export; left out" in output
    assert "passwd" not in body
    assert "javascript" not in body
    assert "old.example" not in body.lower()
    assert Image.objects.count() == 2
