from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom import backups


class Command(BaseCommand):
    help = (
        "Replace the database with the one in a backup archive made by `manage.py backup`, "
        "and put its media files back (files not in the archive are left alone). Stop the "
        "site first; see docs/operations.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `backup`.")
        parser.add_argument("--database", default="default", help="Database alias to restore.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, archive: Path, database: str, interactive: bool, **options) -> None:
        if interactive:
            answer = input(
                f"This replaces every row of the '{database}' database with {archive}.\n"
                "Type 'yes' to continue: "
            )
            if answer.strip() != "yes":
                raise CommandError("restore cancelled; nothing was changed")
        try:
            manifest = backups.restore(archive, database)
        except (backups.BackupError, OSError) as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        self.stdout.write(f"Restored the backup made at {manifest['created']} from {archive}.")
