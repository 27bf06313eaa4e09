"""``{% picture image %}``: a library image as <picture>, from the row alone."""

from django import template

from articles import images

register = template.Library()

SIZES = {
    "article": images.ARTICLE_SIZES,
    "card": images.CARD_SIZES,
    "lead-card": images.LEAD_CARD_SIZES,
}


@register.inclusion_tag("includes/picture.html")
def picture(
    image: images.Image | None, shown_as: str = "article", lead: bool = False, css: str = ""
) -> dict:
    """``image`` for where it is ``shown_as`` (article, card, lead-card); the
    ``lead`` picture is fetched first instead of lazily."""
    return {
        "picture": image.picture() if image is not None else None,
        "sizes": SIZES[shown_as],
        "lead": lead,
        "class": css,
        "captioned": shown_as == "article",
    }
