"""Fill Embed rows from providers' public oEmbed endpoints.

Exit status: 0 even when some fetches fail (providers come and go, and a
nightly cron should not page anyone for one deleted post); ``--strict`` makes
any failure exit 1. Skipped rows (providers without a public endpoint, such
as Instagram) never count as failures.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from embeds import oembed, providers
from embeds.models import Embed


class Command(BaseCommand):
    help = "Fill embed metadata (author, title, thumbnail) from providers' oEmbed endpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--missing",
            action="store_true",
            help="Only embeds whose card lacks metadata (the default).",
        )
        which.add_argument("--all", action="store_true", help="Every embed.")
        parser.add_argument(
            "--provider",
            choices=[provider.key for provider in providers.PROVIDERS],
            help="Only this provider's embeds.",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace stored values, including hand-entered ones (default: fill blanks).",
        )
        parser.add_argument(
            "--no-thumbnails", action="store_true", help="Do not download thumbnails."
        )
        parser.add_argument(
            "--strict", action="store_true", help="Exit with status 1 if any fetch failed."
        )

    def handle(self, *args, **options) -> None:
        embeds = Embed.objects.all() if options["all"] else Embed.objects.missing_metadata()
        if options["provider"]:
            embeds = embeds.filter(provider=options["provider"])
        filled = failed = skipped = 0
        for embed in embeds.order_by("pk").iterator():
            result = oembed.refresh(
                embed, thumbnails=not options["no_thumbnails"], overwrite=options["overwrite"]
            )
            if result.skipped:
                skipped += 1
                self.stdout.write(f"skipped {result.url}: {result.message}", self.style.WARNING)
            elif result.ok:
                filled += 1
                note = f" ({result.message})" if result.message else ""
                self.stdout.write(f"filled  {result.url}{note}", self.style.SUCCESS)
            else:
                failed += 1
                self.stderr.write(f"failed  {result.url}: {result.message}")
        self.stdout.write(f"{filled} filled, {failed} failed, {skipped} skipped.")
        if failed and options["strict"]:
            raise CommandError(f"{failed} embed(s) could not be fetched.", returncode=1)
