"""Pictures in a real browser: they load, pick a small rendition on a phone,
keep the page light and accessible, and break no CSP rule."""

import datetime
import io

import pytest
from django.conf import settings
from django.urls import include, path, re_path
from django.utils import timezone
from django.views.static import serve
from PIL import Image as Pillow
from PIL import ImageChops

from articles import images
from tests.articles import pictures
from tests.factories import make_article, make_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def media(request, path: str):
    # MEDIA_ROOT is read per request: tests keep media in a temporary folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), path("", include("newsroom.urls"))]


def phone_photo(width: int = 3000, height: int = 2000) -> bytes:
    """A 3000×2000 'phone photo': a scene with sensor-like grain, GPS in its EXIF."""
    grain = Pillow.effect_noise((width, height), 24).convert("RGB")
    photo = ImageChops.overlay(pictures.scene(width, height), grain)
    exif = Pillow.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0)}
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def article_with_pictures(settings):
    settings.ROOT_URLCONF = __name__
    original = phone_photo()
    lead = images.ingest(original, alt="Hills under a hazy sky", caption="Before the storm.")
    inline = images.ingest(pictures.jpeg(1600, 1000), alt="A sun over two green hills")
    body = "".join(f"<p>Paragraph {n} of the report.</p>" for n in range(6))
    article = make_article(
        title="The storm that skipped the valley",
        body=body + f"<p>{inline.file.url}</p>" + body,
        image=lead,
        category=make_category(name="City", slug="city"),
        published_at=timezone.now() - datetime.timedelta(hours=1),
    )
    from articles.services import save_article

    return save_article(article), len(original)


def test_pictures_load_small_on_a_phone_and_the_page_stays_light(
    live_server, browser, article_with_pictures
):
    article, original_bytes = article_with_pictures
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    violations, weights = [], {}
    page.on("console", lambda m: m.type == "error" and violations.append(m.text))

    def weigh(response):
        if response.ok:
            weights[response.url] = len(response.body())

    page.on("response", weigh)
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_load_state("load")
    lead = page.locator(".article__lead-image img")
    lead_source = lead.evaluate("img => img.currentSrc")
    assert lead.evaluate("img => img.complete && img.naturalWidth > 0")
    assert lead_source.endswith("/w800.webp")  # 375 css px × 2
    # The page with every picture it fetched at 375 px, scrolled to the end.
    page.mouse.wheel(0, 20_000)
    page.wait_for_function(
        "() => [...document.images].every(img => img.complete && img.naturalWidth > 0)"
    )
    total = sum(weights.values())
    lead_kb, original_kb = weights[lead_source] / 1024, original_bytes / 1024
    print(
        f"\narticle page at 375px (DPR 2): {total / 1024:.1f} KB in {len(weights)} responses; "
        f"lead {lead_kb:.1f} KB; original upload {original_kb:.0f} KB"
    )
    assert total < 150 * 1024
    assert violations == []  # no CSP report, no failed load
    context.close()


def test_the_article_page_with_pictures_has_no_axe_violations(
    live_server, axe_audit, article_with_pictures
):
    article, _ = article_with_pictures
    assert axe_audit(live_server.url + article.get_absolute_url()) == []


def test_home_page_cards_with_pictures_have_no_axe_violations(
    live_server, axe_audit, article_with_pictures
):
    assert axe_audit(live_server.url + "/") == []
