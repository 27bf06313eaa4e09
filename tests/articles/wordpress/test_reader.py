import io

import pytest

from articles.wordpress import reader
from tests.articles.wordpress.conftest import fixture


def entries(name: str) -> list:
    return list(reader.read(fixture(name)))


class ReaderTests:
    def test_the_site_comes_first_then_authors_terms_and_items(self):
        found = entries("news")
        assert isinstance(found[0], reader.Site)
        assert found[0].url == "https://riverside-sounds.example"
        assert [type(entry).__name__ for entry in found[1:]] == ["Author", "Term", "Term", "Item"]

    def test_an_item_carries_its_fields_terms_and_meta(self):
        item = entries("news")[-1]
        assert item.post_id == 101
        assert item.post_type == "post"
        assert item.status == "publish"
        assert item.creator == "tessa"
        assert item.date_gmt == "2022-05-03 08:41:55"
        assert ("category", "news", "News") in item.terms
        assert ("post_tag", "summer-tour", "Summer Tour") in item.terms
        assert item.meta["_edit_last"] == "3"

    def test_comments_are_not_part_of_the_content(self):
        item = entries("news")[-1]
        assert "Cannot wait" not in item.content
        assert "alert" not in item.content

    def test_cdata_holding_its_own_end_marker_is_read_whole(self):
        item = next(e for e in entries("statuses") if getattr(e, "post_id", 0) == 228)
        assert "<code>a[i]]>b</code>" in item.content

    def test_wxr_1_1_is_read(self):
        assert entries("categories")[0].wxr_version == "1.1"

    def test_items_are_dropped_from_the_tree_once_read(self):
        stream = io.BytesIO(fixture("statuses").read_bytes())
        count = 0
        for _entry in reader.read(stream):
            count += 1
        assert count == 13


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed", "line 9, column 4: not well-formed XML (mismatched tag)"),
        ("truncated", "not well-formed XML"),
        ("bomb", "line 2, column 15: refused: the file has a DTD"),
        ("external_entity", "line 2, column 15: refused: the file has a DTD"),
        ("not_wxr", "not a WordPress export: no <wp:wxr_version>"),
    ],
)
def test_a_bad_file_is_one_error_naming_line_and_column(name, message):
    with pytest.raises(reader.WXRError) as error:
        entries(name)
    assert message in str(error.value)
    assert str(error.value).startswith("line ")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "line 1, column 1: not well-formed XML (no element found)"),
        (b"<html><body/></html>", "the root element is <html>, not <rss>"),
        (b"<rss><item/></rss>", "<rss> has no <channel>"),
        (b"\xff\xfe<\x00r\x00", "not well-formed"),
        (
            b'<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
            b"<wp:wxr_version>9.9</wp:wxr_version><item/></channel></rss>",
            "unsupported WXR version '9.9'",
        ),
        (
            b'<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
            b"<wp:wxr_version>1.2</wp:wxr_version><item><wp:post_id>x1</wp:post_id>"
            b"</item></channel></rss>",
            "wp:post_id is not a number",
        ),
    ],
)
def test_hostile_or_foreign_bytes_are_refused_with_a_position(data, message):
    with pytest.raises(reader.WXRError) as error:
        list(reader.read(io.BytesIO(data)))
    assert message in str(error.value)


def test_wordpress_zero_date_is_no_date():
    assert reader.parse_date("0000-00-00 00:00:00") is None
    assert reader.parse_date("2022-02-30 10:00:00") is None
    assert reader.parse_date("2022-05-03 08:41:55").hour == 8


def test_numbers_that_are_not_plain_digits_refer_to_nothing():
    item = reader.Item(post_id=1, post_type="post", status="publish")
    item.meta = {"_thumbnail_id": "²", "_other": " 12 "}
    assert item.meta_int("_thumbnail_id") is None
    assert item.meta_int("_other") == 12
    assert item.meta_int("_missing") is None
