"""Write the provider marks in ``templates/embeds/icons/`` from simple-icons.

The marks come from the ``simple-icons`` npm package (CC0 1.0, pinned in
``package.json``; ``make install`` puts it in ``node_modules``). Only each
icon's path is kept, wrapped in our own ``<svg>`` so the card inlines it:
no page ever fetches an icon, from us or from anyone else. Run it after
bumping simple-icons or adding a provider; a test checks the files match.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from embeds.providers import PROVIDERS

# Provider key -> simple-icons slug, where they differ.
SLUGS = {"apple_music": "applemusic"}
PATH = re.compile(r'<path d="([^"]+)"\s*/>')
TEMPLATE = (
    "{{# {name} mark: simple-icons {version} ({slug}.svg), CC0 1.0. Written by embed_icons. #}}"
    '<svg class="embed__icon embed__icon--mark" aria-hidden="true" focusable="false" '
    'width="20" height="20" viewBox="0 0 24 24"><path fill="currentColor" d="{path}"/></svg>\n'
)


def icons_dir() -> Path:
    return Path(settings.BASE_DIR) / "templates" / "embeds" / "icons"


def source_dir() -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / "simple-icons"


def rendered_icons() -> dict[str, str]:
    """``{file name: content}`` for every provider, from ``node_modules``."""
    source = source_dir()
    try:
        version = re.search(r'"version":\s*"([^"]+)"', (source / "package.json").read_text())[1]
    except (OSError, TypeError) as exc:
        raise CommandError("simple-icons is not installed: run `make install`.") from exc
    icons = {}
    for provider in PROVIDERS:
        slug = SLUGS.get(provider.key, provider.key)
        try:
            svg = (source / "icons" / f"{slug}.svg").read_text()
        except OSError as exc:
            raise CommandError(f"simple-icons {version} has no {slug}.svg.") from exc
        match = PATH.search(svg)
        if match is None:
            raise CommandError(f"{slug}.svg has no single path.")
        icons[f"{provider.key}.svg"] = TEMPLATE.format(
            name=provider.name, version=version, slug=slug, path=match[1]
        )
    return icons


class Command(BaseCommand):
    help = "Write the provider marks in templates/embeds/icons from node_modules/simple-icons."

    def handle(self, *args, **options) -> None:
        icons_dir().mkdir(parents=True, exist_ok=True)
        for name, content in rendered_icons().items():
            (icons_dir() / name).write_text(content)
            self.stdout.write(f"Wrote {name}")
