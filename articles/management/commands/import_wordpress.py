"""``manage.py import_wordpress EXPORT.xml``: move a WordPress site's posts over.

See ``articles/wordpress/importer.py`` for what is imported and how a re-run
behaves; the README's "Moving from WordPress" has the whole procedure.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.wordpress.importer import Importer
from articles.wordpress.reader import WXRError

BAR_WIDTH = 30
# Without a terminal, one line per this share of the items (10%).
LINES = 10


class Command(BaseCommand):
    help = "Import posts, categories, tags and authors from a WordPress export (WXR) file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("export", help="The WXR file from Tools → Export in WordPress.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything, write nothing."
        )
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="The site's wp-content/uploads folder: featured images become lead images.",
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The old site's address, if the export's is not the public one.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Also overwrite articles edited in newsroom since the last import.",
        )

    def handle(self, *args, export: str, dry_run: bool, media_dir: Path | None,
               site_url: str, force: bool, **options) -> None:  # fmt: skip
        path = Path(export)
        if not path.is_file():
            raise CommandError(f"{export}: no such file")
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"{media_dir}: not a folder")
        started = time.monotonic()
        importer = Importer(
            path,
            site_url=site_url,
            media_dir=media_dir,
            force=force,
            dry_run=dry_run,
            progress=self._progress(),
        )
        try:
            summary = importer.run()
        except WXRError as error:
            raise CommandError(f"{path.name}: {error}; nothing was imported.") from None
        except OSError as error:
            raise CommandError(f"{path.name}: {error.strerror or error}") from None
        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning}")
        for line in summary.lines():
            self.stdout.write(line)
        took = time.monotonic() - started
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run in {took:.1f} s: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported in {took:.1f} s."))

    def _progress(self):
        tty = self.stdout.isatty()
        state = {"next": 0}

        def report(done: int, total: int) -> None:
            if tty:
                filled = BAR_WIDTH * done // max(total, 1)
                bar = "#" * filled + "-" * (BAR_WIDTH - filled)
                self.stdout.write(f"\r[{bar}] {done}/{total} items", ending="")
                if done >= total:
                    self.stdout.write("")
                self.stdout.flush()
            elif done >= state["next"] or done == total:
                self.stdout.write(f"{done}/{total} items")
                state["next"] = done + max(total // LINES, 1)

        return report
