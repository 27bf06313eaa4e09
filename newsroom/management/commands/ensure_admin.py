import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse


class Command(BaseCommand):
    help = (
        "Create a superuser with a generated password when the site has none, and print "
        "the login once. Does nothing when a superuser already exists."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.com")

    def handle(self, *args, username: str, email: str, **options) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account exists; its login was printed when it was made.")
            return
        if User.objects.filter(username=username).exists():
            self.stderr.write(f"A non-admin user named {username!r} exists; pass --username.")
            raise SystemExit(1)
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=email, password=password)
        admin_url = settings.SITE_URL + reverse("admin:index")
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin login (shown once): {admin_url}  username: {username}  password: {password}"
            )
        )
