"""PostgreSQL search: an indexed ``tsvector`` of adjacent word pairs.

A phrase query (``"night buses"``) needs word positions, which the GIN index
of ``document`` does not hold: finding the newest phrase matches meant
reading thousands of documents. ``pairs`` holds every two lexemes found at
adjacent positions of the same ``tsvector`` as ``document`` (``'night
buse'``), so its GIN index lists the articles holding each of a phrase's
word pairs; ``articles.search`` then confirms the real phrase on those only.

Pairs come from ``document``'s own positions (same expression), so an
article matching a phrase always holds its pairs, whatever PostgreSQL's
position caps do to long texts. A generated column: every write path that
fills ``articles_search`` (``index_articles``, ``search_rebuild``) keeps it
in step without a change. SQLite is untouched: FTS5 has positions already.
"""

from django.db import migrations

DOCUMENT = """
    setweight(to_tsvector('newsroom_search'::regconfig, title), 'A')
    || setweight(to_tsvector('newsroom_search'::regconfig, dek), 'B')
    || setweight(to_tsvector('newsroom_search'::regconfig, names), 'C')
    || setweight(to_tsvector('newsroom_search'::regconfig, body), 'D')
"""

POSTGRES_FORWARD = [
    # Each lexeme at position p paired with each lexeme at p + 1.
    """
    CREATE FUNCTION articles_search_pairs(document tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        WITH at AS (
            SELECT w.lexeme, p.pos FROM unnest(document) w, unnest(w.positions) p(pos)
        )
        SELECT coalesce(
            array_to_tsvector(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme)), ''::tsvector
        )
        FROM at a JOIN at b ON b.pos = a.pos + 1
    $$
    """,
    # The pairs a phrase requires, AND-ed; NULL when it has none (one word,
    # or words apart only with stop words between them).
    """
    CREATE FUNCTION articles_search_pairs_query(phrases text[]) RETURNS tsquery
    LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
        SELECT nullif(string_agg(DISTINCT
            '''' || replace(replace(pair, '\\', '\\\\'), '''', '''''') || '''', ' & '
        ), '')::tsquery
        FROM unnest(phrases) phrase,
            unnest(articles_search_pairs(to_tsvector('newsroom_search'::regconfig, phrase))) t(pair)
    $$
    """,
    f"""
    ALTER TABLE articles_search ADD COLUMN pairs tsvector
        GENERATED ALWAYS AS (articles_search_pairs({DOCUMENT})) STORED
    """,
    "CREATE INDEX articles_search_pairs_idx ON articles_search USING gin (pairs)",
    "ANALYZE articles_search",
]
POSTGRES_BACKWARD = [
    "ALTER TABLE articles_search DROP COLUMN IF EXISTS pairs",
    "DROP FUNCTION IF EXISTS articles_search_pairs_query(text[])",
    "DROP FUNCTION IF EXISTS articles_search_pairs(tsvector)",
]


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_live_coverage")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
