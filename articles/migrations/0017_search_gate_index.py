"""SQLite search: a narrow index for the publish gate of each match.

Search checks every candidate against ``Article.objects.published()`` (and
the section or date filters) by article id, up to a thousand times a query,
more with a section filter. An article's row is wide and SQLite stores the
body before the status and publish time, so reading those two followed the
body's overflow pages: about 2.5 µs a candidate, the largest share of a
common word's search at 100k articles. This index holds exactly what the
gate reads, keyed by id, and ``articles.search`` names it (``INDEXED BY``:
SQLite's planner prefers the row itself for an id lookup). PostgreSQL keeps
long bodies out of line, so its rows are narrow already; it gets no index.
"""

from django.db import migrations

INDEX = "article_search_gate_idx"
FORWARD = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article "
    "(id, status, published_at, published_on, category_id)"
)
BACKWARD = f"DROP INDEX IF EXISTS {INDEX}"


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_autosave")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
