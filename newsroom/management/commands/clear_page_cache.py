from django.core.management.base import BaseCommand

from newsroom import cache as content


class Command(BaseCommand):
    help = (
        "Retire every cached page and fragment by starting a new content generation. "
        "Saves do this by themselves; run it after a deploy that changes templates."
    )

    def handle(self, *args, **options) -> None:
        content.bump()
        self.stdout.write("Cached pages retired: the next request to each page builds it afresh.")
