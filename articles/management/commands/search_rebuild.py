"""Rebuild the full-text search index from scratch (articles/search.py)."""

from django.core.management.base import BaseCommand, CommandParser

from articles import search
from articles.management.commands.generate_articles import MAX_BATCH_SIZE, whole_number
from newsroom import cache as content


class Command(BaseCommand):
    help = (
        "Empty the search index and index every article again, in batches. "
        "Readers keep the old index until the new one is committed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=whole_number(MAX_BATCH_SIZE),
            default=2000,
            help="Articles read per batch (default 2000); memory stays bounded by it.",
        )

    def handle(self, *args, batch_size: int, **options) -> None:
        verbose = options["verbosity"] >= 2

        def progress(done: int) -> None:
            if verbose:
                self.stdout.write(f"{done:,} articles indexed")

        total = search.rebuild(batch_size=batch_size, progress=progress)
        content.changed()  # cached search pages were answered from the old index
        self.stdout.write(self.style.SUCCESS(f"Indexed {total:,} article(s)."))
