from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Path:
    return FIXTURES / f"{name}.xml"


def import_wordpress(name: str | Path, *args: str) -> str:
    """Run the command on a fixture (or a path); what it printed."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    path = name if isinstance(name, Path) else fixture(name)
    call_command("import_wordpress", str(path), *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def snapshot() -> dict[str, int]:
    """Row counts of every table an import could write."""
    labels = ("articles", "embeds", "taggit", "reversion")
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
