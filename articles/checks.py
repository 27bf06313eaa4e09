"""System checks of the database's own state (run by ``migrate`` and
``check --database default``)."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections

from articles import search


@register(Tags.database)
def search_pairs_made_the_current_way(app_configs=None, databases=None, **kwargs):
    """SQLite's word pairs are deleted by making them again, so pairs made by
    another ``pair_text`` or Unicode version must be rebuilt first."""
    warnings = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "sqlite":
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT version FROM {search.PAIRS_VERSION_TABLE}")  # noqa: S608
                row = cursor.fetchone()
        except DatabaseError:  # not migrated yet: the migration makes them the current way
            continue
        if row is None or row[0] != search.PAIRS_VERSION:
            warnings.append(
                Warning(
                    f"The search index's word pairs were made as {row[0] if row else 'nothing'!r}; "
                    f"this Python makes them as {search.PAIRS_VERSION!r}.",
                    hint="Run `manage.py search_rebuild` before editors save articles again.",
                    id="articles.W001",
                )
            )
    return warnings
