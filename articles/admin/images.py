"""The media library: upload, describe, find and reuse images."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles import images, imaging
from articles.admin.article import ADMIN_MEDIA
from articles.images import Image


class ImageAdminForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("File"),
        help_text=_(
            "JPEG, PNG, WebP or GIF, up to 20 MB and 50 megapixels. It is redrawn "
            "without its metadata (GPS, camera details); an animated GIF keeps its "
            "first frame."
        ),
    )

    class Meta:
        model = Image
        fields = ["alt", "caption", "credit", "focal_x", "focal_y"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["upload"]  # a stored picture is replaced by a new image

    def clean_upload(self) -> imaging.Prepared:
        upload = self.cleaned_data["upload"]
        imaging.check_size(upload.size)
        return imaging.prepare(upload.read())


class AltTextFilter(admin.SimpleListFilter):
    title = _("alt text")
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing")), ("present", _("Present"))]

    def queryset(self, request, queryset: QuerySet[Image]) -> QuerySet[Image]:
        if self.value() == "missing":
            return queryset.filter(alt="")
        if self.value() == "present":
            return queryset.exclude(alt="")
        return queryset


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ["thumbnail", "__str__", "dimensions", "credit", "uploaded_by", "created_at"]
    list_display_links = ["thumbnail", "__str__"]
    list_filter = [AltTextFilter, "created_at", "uploaded_by"]
    list_select_related = ["uploaded_by"]
    search_fields = ["alt", "caption", "credit"]
    readonly_fields = ["preview", "dimensions", "uploaded_by", "created_at"]
    list_per_page = 50

    class Media:
        css = ADMIN_MEDIA["css"]

    def get_fields(self, request: HttpRequest, obj: Image | None = None) -> list[str]:
        if obj is None:
            return ["upload", "alt", "caption", "credit", "focal_x", "focal_y"]
        return ["preview", "alt", "caption", "credit", "focal_x", "focal_y", "dimensions"]

    @admin.display(description=_("Image"))
    def thumbnail(self, image: Image) -> str:
        return self._img(image, 120, "")

    @admin.display(description=_("Preview"))
    def preview(self, image: Image) -> str:
        return self._img(image, 400, image.alt)

    def _img(self, image: Image, width: int, alt: str) -> str:
        # The smallest rendition in the original's family (names: webp, family, ...).
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}" class="nr-thumbnail">',
            images.default_storage.url(image.rendition_names()[1]),
            alt,
            width,
            max(1, round(width * image.height / image.width)),
        )

    @admin.display(description=_("Size"))
    def dimensions(self, image: Image) -> str:
        return f"{image.width} × {image.height}"

    def save_model(self, request: HttpRequest, obj: Image, form, change: bool) -> None:
        if change:
            focal_changed = {"focal_x", "focal_y"} & set(form.changed_data)
            obj.save()
            if focal_changed:
                images.rebuild(obj)  # the social crop follows the focal point
            return
        prepared = form.cleaned_data["upload"]
        obj.pk = images.add(
            prepared,
            focal=(obj.focal_x, obj.focal_y),
            alt=obj.alt,
            caption=obj.caption,
            credit=obj.credit,
            uploaded_by=request.user,
        ).pk
        obj.refresh_from_db()
