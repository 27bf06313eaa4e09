"""Make library images' renditions again: all of them, or only those missing."""

from django.core.management.base import BaseCommand

from articles import images


class Command(BaseCommand):
    help = "Regenerate the renditions of every library image (--missing: only absent files)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--missing", action="store_true", help="Only write renditions that are not stored."
        )

    def handle(self, *args, missing: bool = False, **options) -> None:
        written = failed = 0
        for image in images.Image.objects.order_by("pk").iterator(chunk_size=200):
            try:
                written += images.rebuild(image, missing_only=missing)
            except OSError as error:  # the original itself is gone or unreadable
                failed += 1
                self.stderr.write(f"Image {image.pk} ({image.file.name}): {error}")
        self.stdout.write(f"Wrote {written} renditions; {failed} images could not be read.")
        if failed:
            raise SystemExit(1)
