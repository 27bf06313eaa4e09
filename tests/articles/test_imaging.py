"""Uploads are checked before anything is stored and redrawn from their pixels."""

import io
import time
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from PIL import Image as Pillow

from articles import imaging
from tests.articles import pictures


def refusal(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        imaging.prepare(data)
    return caught.value


class RefusalTests:
    def test_html_named_like_a_photo_is_refused_as_html(self):
        error = refusal(b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
        assert error.code == "format"
        assert "HTML" in error.message

    def test_svg_holding_a_script_is_refused_as_svg(self):
        svg = (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(document.cookie)</script></svg>'
        )
        error = refusal(svg)
        assert error.code == "format"
        assert "SVG" in error.message

    def test_eps_is_refused_as_eps(self):
        error = refusal(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
        assert "EPS" in error.message

    def test_tiff_is_refused_as_tiff(self):
        out = io.BytesIO()
        pictures.scene(40, 30).save(out, "TIFF")
        assert "TIFF" in refusal(out.getvalue()).message

    def test_psd_is_refused_as_psd(self):
        assert "PSD" in refusal(b"8BPS\x00\x01" + b"\x00" * 40).message

    def test_a_jpeg_with_a_script_appended_is_refused_as_a_polyglot(self):
        error = refusal(pictures.jpeg(200, 100) + b"<script>alert(1)</script>")
        assert error.code == "polyglot"
        assert "polyglot" in error.message

    def test_a_png_with_html_after_its_end_is_refused_as_a_polyglot(self):
        data = pictures.png(50, 40) + b"<!DOCTYPE html><html><body>hi</body></html>"
        assert refusal(data).code == "polyglot"

    def test_a_png_with_a_script_in_a_text_chunk_is_refused_as_a_polyglot(self):
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "<script>alert(1)</script>")
        out = io.BytesIO()
        pictures.scene(50, 40).save(out, "PNG", pnginfo=info)
        assert refusal(out.getvalue()).code == "polyglot"

    def test_a_script_hidden_behind_a_second_end_marker_is_refused(self):
        data = pictures.jpeg(80, 60) + b"<script>alert(1)</script>\xff\xd9"
        assert refusal(data).code == "polyglot"

    def test_a_jpeg_comment_holding_a_script_is_refused_as_a_polyglot(self):
        data = pictures.jpeg(80, 60, comment=b"<script src=//evil.example></script>")
        assert refusal(data).code == "polyglot"

    def test_markup_like_bytes_inside_compressed_pixels_are_not_a_polyglot(self):
        data = pictures.jpeg(80, 60)
        scan = data.index(b"\xff\xda")
        parts = imaging._outside_pixels(data[: scan + 40] + b"<svg " + data[scan + 45 :], "JPEG")
        assert not any(b"<svg" in part for part in parts)

    def test_truncated_jpeg_is_refused_as_damaged(self):
        data = pictures.jpeg(800, 600)
        error = refusal(data[: len(data) // 2])
        assert error.code == "damaged"
        assert "truncated" in error.message

    def test_random_bytes_are_refused_whatever_the_name(self):
        error = refusal(b"\x00\x01garbage" * 100)
        assert error.code == "format"
        assert "content decides" in error.message

    def test_empty_file_is_refused(self):
        assert refusal(b"").code == "format"

    def test_a_25_mb_upload_is_refused_before_it_is_read(self):
        error = refusal(b"\xff\xd8\xff" + b"\x00" * (25 * 1024 * 1024))
        assert error.code == "too_large"
        assert "25.0 MB" in error.message
        assert "20 MB" in error.message

    def test_the_byte_cap_follows_the_setting(self, settings):
        settings.IMAGES_MAX_BYTES = 1000
        assert refusal(pictures.jpeg(200, 200)).code == "too_large"

    def test_a_png_claiming_30000_square_is_refused_quickly_in_bounded_memory(self):
        bomb = pictures.png_bomb_header(30_000, 30_000)
        tracemalloc.start()
        started = time.perf_counter()
        error = refusal(bomb)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert error.code == "too_many_pixels"
        assert "900 megapixels" in error.message
        assert elapsed < 1
        assert peak < 5 * 1024 * 1024  # 30,000² RGB would be 2.7 GB

    def test_the_pixel_cap_follows_the_setting(self, settings):
        settings.IMAGES_MAX_PIXELS = 100 * 100
        assert refusal(pictures.png(200, 100)).code == "too_many_pixels"


class RedrawTests:
    def test_gps_serial_comment_and_xmp_leave_the_original_and_every_rendition(self):
        data = pictures.jpeg_with_gps()
        source = pictures.reopen(data)
        assert source.getexif().get_ifd(0x8825)  # the input really carries GPS
        prepared = imaging.prepare(data)
        for name, out in {"original": prepared.original, **prepared.renditions}.items():
            image = pictures.reopen(out)
            assert not image.getexif(), name
            assert "exif" not in image.info, name
            assert "comment" not in image.info, name
            assert "xmp" not in image.info, name
            assert "icc_profile" not in image.info, name
            assert b"SERIAL-123456" not in out, name
            assert b"secret source" not in out, name
            assert b"GPSLatitude" not in out, name

    def test_exif_orientation_is_applied_before_it_is_dropped(self):
        prepared = imaging.prepare(pictures.jpeg_with_gps(600, 400, orientation=6))
        assert (prepared.width, prepared.height) == (400, 600)

    def test_renditions_have_each_width_up_to_the_original_in_webp_and_its_family(self):
        prepared = imaging.prepare(pictures.jpeg(1300, 650))
        assert prepared.extension == "jpg"
        assert set(prepared.renditions) == {
            "w480.webp", "w480.jpg", "w800.webp", "w800.jpg", "w1200.webp", "w1200.jpg", "og.jpg",
        }  # fmt: skip
        for name, data in prepared.renditions.items():
            image = pictures.reopen(data)
            assert image.format == {"webp": "WEBP", "jpg": "JPEG"}[name.rsplit(".")[-1]]
            if name != "og.jpg":
                assert image.width == int(name[1:].split(".")[0])
                assert image.height == round(650 * image.width / 1300)

    def test_a_small_original_is_never_upscaled(self):
        prepared = imaging.prepare(pictures.png(300, 200))
        assert set(prepared.renditions) == {"w300.webp", "w300.png", "og.jpg"}
        assert pictures.reopen(prepared.renditions["w300.png"]).size == (300, 200)

    def test_the_social_crop_is_1200_by_630_around_the_focal_point(self):
        # Left half black, right half white; a focal point far right sees white.
        image = Pillow.new("RGB", (4000, 1000), "black")
        image.paste("white", (2000, 0, 4000, 1000))
        right = imaging.social_crop(image, 0.95, 0.5)
        left = imaging.social_crop(image, 0.05, 0.5)
        assert right.size == left.size == (1200, 630)
        assert right.getpixel((600, 315)) == (255, 255, 255)
        assert left.getpixel((600, 315)) == (0, 0, 0)

    def test_a_cmyk_jpeg_is_accepted_and_stored_as_rgb(self):
        prepared = imaging.prepare(pictures.cmyk_jpeg())
        original = pictures.reopen(prepared.original)
        assert original.format == "JPEG"
        assert original.mode == "RGB"

    def test_a_16_bit_png_is_accepted_and_scaled_to_8_bits(self):
        prepared = imaging.prepare(pictures.png_16_bit_grey(300, 200))
        original = pictures.reopen(prepared.original)
        assert original.mode == "L"
        assert original.getpixel((0, 0)) == 0
        assert original.getpixel((299, 0)) == 255  # scaled, not clipped at 255 of 65535
        assert 120 <= original.getpixel((150, 0)) <= 135

    def test_an_animated_gif_keeps_its_first_frame_as_a_still_png(self):
        prepared = imaging.prepare(pictures.animated_gif())
        original = pictures.reopen(prepared.original)
        assert prepared.extension == "png"
        assert original.format == "PNG"
        assert not getattr(original, "is_animated", False)
        assert original.convert("RGB").getpixel((10, 10)) == (200, 40, 40)

    def test_a_transparent_png_stays_png_with_its_alpha(self):
        prepared = imaging.prepare(pictures.png(200, 100, mode="RGBA"))
        assert prepared.extension == "png"
        image = Pillow.new("RGBA", (10, 10), (255, 0, 0, 0))
        out = io.BytesIO()
        image.save(out, "PNG")
        see_through = pictures.reopen(imaging.prepare(out.getvalue()).original)
        assert see_through.mode == "RGBA"

    def test_an_opaque_webp_gets_a_jpeg_family(self):
        assert imaging.prepare(pictures.webp(500, 300)).extension == "jpg"

    def test_a_colour_profile_is_converted_to_srgb_and_not_embedded(self):
        from PIL import ImageCms

        profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        out = io.BytesIO()
        pictures.scene(300, 200).save(out, "JPEG", icc_profile=srgb)
        prepared = imaging.prepare(out.getvalue())
        assert "icc_profile" not in pictures.reopen(prepared.original).info
        # A profile that cannot describe RGB is ignored, not a 500.
        out = io.BytesIO()
        pictures.scene(300, 200).save(out, "JPEG", icc_profile=profile)
        assert imaging.prepare(out.getvalue()).width == 300
