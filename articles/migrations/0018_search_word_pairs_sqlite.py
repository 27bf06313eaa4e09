"""SQLite search: a table of adjacent word pairs for phrase queries.

FTS5's ``bm25()`` weighs a phrase by how many articles hold it, and finds
that by running the phrase over the whole table: 10-14 ms at 100,000
articles for two words most articles hold apart, where the rest of the
search takes a few. ``articles_search_pairs`` holds, per article, every two
adjacent words of each column as one token (``articles.search.pair_text``),
so a phrase is one token, or the phrase of its pairs, and its weight a
lookup (see ``articles.search.SQLiteBackend``). It is contentless: storing
the text again would double the database. ``articles_search_pairs_version``
records how the pairs were made. PostgreSQL's pairs came with 0014.
"""

from django.db import migrations

from articles.search import PAIRS_VERSION, pair_text

FORWARD = [
    """
    CREATE VIRTUAL TABLE articles_search_pairs USING fts5(
        title, dek, names, body, content = '',
        tokenize = "unicode61 remove_diacritics 2 tokenchars '_'"
    )
    """,
    "CREATE TABLE articles_search_pairs_version (version TEXT NOT NULL)",
]
BACKWARD = [
    "DROP TABLE IF EXISTS articles_search_pairs_version",
    "DROP TABLE IF EXISTS articles_search_pairs",
]


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in FORWARD:
        schema_editor.execute(sql)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO articles_search_pairs_version (version) VALUES (%s)", [PAIRS_VERSION]
        )
        last = 0
        while True:
            cursor.execute(
                "SELECT rowid, title, dek, names, body FROM articles_search "
                "WHERE rowid > %s ORDER BY rowid LIMIT 500",
                [last],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(
                "INSERT INTO articles_search_pairs (rowid, title, dek, names, body) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(pk, *map(pair_text, texts)) for pk, *texts in rows],
            )
            last = rows[-1][0]
        cursor.execute(
            "INSERT INTO articles_search_pairs (articles_search_pairs) VALUES ('optimize')"
        )


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_search_gate_index")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
