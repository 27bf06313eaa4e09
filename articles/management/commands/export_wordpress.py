"""``manage.py export_wordpress FILE``: every article as a WordPress export (WXR 1.2)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.wordpress.exporter import export


class Command(BaseCommand):
    help = "Write every article, category, tag and author as a WordPress export (WXR 1.2)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write the export; '-' for standard output.")

    def handle(self, *args, file: str, **options) -> None:
        if file == "-":
            count = export(self.stdout._out)
            self.stderr.write(f"Exported {count} article(s).")
            return
        path = Path(file)
        partial = path.with_name(f".{path.name}.partial")
        try:
            with open(partial, "w", encoding="utf-8") as out:
                count = export(out)
            # Whole or not at all: a reader never sees half a file under the name.
            os.replace(partial, path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"{file}: {error.strerror or error}") from None
        self.stdout.write(self.style.SUCCESS(f"Exported {count} article(s) to {path}."))
