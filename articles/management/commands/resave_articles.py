"""Run articles through the write path again.

After the sanitizer's allowlist changes or a new embed provider is added,
stored bodies and embed rows lag behind the code. Re-saving through
``save_article`` brings them up to date, with a revision that says why.
"""

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.services import StaleVersion, save_article

COMMENT = "Re-saved by manage.py resave_articles."
MAX_ID = 2**63 - 1  # the largest primary key either database stores
RETRIES = 3


class Command(BaseCommand):
    help = "Save articles again through the write path (sanitizing, embed rows, revision)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("ids", nargs="*", help="Article ids to re-save.")
        parser.add_argument("--all", action="store_true", help="Re-save every article.")

    def handle(self, *args, ids: list[str], all: bool = False, **options) -> None:
        if bool(ids) == all:
            raise CommandError("Give article ids or --all, not both and not neither.")
        if all:
            articles = Article.objects.order_by("pk")
        else:
            bad = [
                value
                for value in ids
                if not (value.isascii() and value.isdigit() and int(value) <= MAX_ID)
            ]
            if bad:
                raise CommandError(f"Not article ids: {', '.join(map(repr, bad[:10]))}.")
            wanted = {int(value) for value in ids}
            articles = Article.objects.filter(pk__in=wanted).order_by("pk")
            missing = wanted - set(articles.values_list("pk", flat=True))
            if missing:
                listed = ", ".join(str(pk) for pk in sorted(missing)[:10])
                raise CommandError(f"No article with id {listed}; nothing was saved.")
        count = 0
        for article in articles.iterator(chunk_size=200):
            self._resave(article)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-saved {count} article(s)."))

    def _resave(self, article: Article) -> None:
        """Saved as it is now: an edit made since the batch was read is re-saved,
        never saved over."""
        for _attempt in range(RETRIES):
            try:
                save_article(article, comment=COMMENT)
                return
            except StaleVersion:
                article.refresh_from_db()
        raise CommandError(
            f"Article {article.pk} kept changing while being re-saved; run the command again."
        )
