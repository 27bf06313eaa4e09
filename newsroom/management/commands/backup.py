from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom import backups


class Command(BaseCommand):
    help = (
        "Write a backup archive: a consistent online copy of the database (SQLite's backup "
        "API, or pg_dump on PostgreSQL) and the media folder, in one timestamped .tar.gz. "
        "Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=Path("backups"),
            help="Folder the archive is written to (made if missing). Default: ./backups",
        )
        parser.add_argument("--database", default="default", help="Database alias to back up.")

    def handle(self, *args, output: Path, database: str, **options) -> None:
        try:
            archive = backups.create(output, database)
        except (backups.BackupError, OSError) as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        self.stdout.write(str(archive))
