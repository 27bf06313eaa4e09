"""Write the content API's OpenAPI schema to docs/api/openapi-v1.json (or print it)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from articles.api.views import api

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "openapi-v1.json"


def served_schema() -> dict:
    prefix = reverse("api-v1:openapi-json").removesuffix("openapi.json")
    return api.get_openapi_schema(path_prefix=prefix)


class Command(BaseCommand):
    help = "Write the committed OpenAPI schema of /api/v1/ after a change to the API."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--stdout", action="store_true", help="Print instead of writing.")

    def handle(self, *args, stdout: bool = False, **options) -> None:
        text = json.dumps(served_schema(), indent=2, sort_keys=True) + "\n"
        if stdout:
            self.stdout.write(text, ending="")
        else:
            SCHEMA_FILE.write_text(text)
            self.stdout.write(f"Wrote {SCHEMA_FILE}")
