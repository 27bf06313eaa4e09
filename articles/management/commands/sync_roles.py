from django.core.management.base import BaseCommand

from articles.roles import sync_roles


class Command(BaseCommand):
    help = "Create or update the Writer and Editor groups from articles.roles.ROLES."

    def handle(self, *args, **options) -> None:
        for name, count in sync_roles().items():
            self.stdout.write(f"{name}: {count} permissions")
