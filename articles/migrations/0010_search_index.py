"""The full-text search index (articles/search.py), one table per vendor.

SQLite: an FTS5 table whose rowid is the article id, and a trigger that
drops a deleted article's row. PostgreSQL: a table keyed by article id with
a generated, weighted ``tsvector``, a GIN index, triggers that drop the rows
of deleted (or truncated) articles, and the ``newsroom_search`` text search configuration (English
stemming, accents folded by ``unaccent``). Each vendor's statements are a
no-op on the other. Existing articles are indexed here; afterwards
``manage.py search_rebuild`` does the same.
"""

from django.db import migrations

from articles.html import plain_text

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE articles_search USING fts5(
        title, dek, names, body, tokenize = "unicode61 remove_diacritics 2"
    )
    """,
    """
    CREATE TRIGGER articles_search_article_deleted AFTER DELETE ON articles_article
    BEGIN DELETE FROM articles_search WHERE rowid = old.id; END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_search_article_deleted",
    "DROP TABLE IF EXISTS articles_search",
]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION newsroom_search (COPY = pg_catalog.english)",
    """
    ALTER TEXT SEARCH CONFIGURATION newsroom_search
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem
    """,
    """
    CREATE TABLE articles_search (
        article_id bigint PRIMARY KEY,
        title text NOT NULL,
        dek text NOT NULL,
        names text NOT NULL,
        body text NOT NULL,
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('newsroom_search'::regconfig, title), 'A')
            || setweight(to_tsvector('newsroom_search'::regconfig, dek), 'B')
            || setweight(to_tsvector('newsroom_search'::regconfig, names), 'C')
            || setweight(to_tsvector('newsroom_search'::regconfig, body), 'D')
        ) STORED
    )
    """,
    "CREATE INDEX articles_search_document_idx ON articles_search USING gin (document)",
    # Triggers rather than a foreign key: Django's flush truncates only its own
    # tables, and would refuse to truncate articles referenced from this one.
    """
    CREATE FUNCTION articles_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE articles_search;
        ELSE
            DELETE FROM articles_search WHERE article_id = OLD.id;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER articles_search_article_deleted AFTER DELETE ON articles_article
        FOR EACH ROW EXECUTE FUNCTION articles_search_forget()
    """,
    """
    CREATE TRIGGER articles_search_articles_truncated AFTER TRUNCATE ON articles_article
        FOR EACH STATEMENT EXECUTE FUNCTION articles_search_forget()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_search_articles_truncated ON articles_article",
    "DROP TRIGGER IF EXISTS articles_search_article_deleted ON articles_article",
    "DROP FUNCTION IF EXISTS articles_search_forget()",
    "DROP TABLE IF EXISTS articles_search",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS newsroom_search",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}
UNPRINTABLE = {**dict.fromkeys(range(32), " "), 0x7F: " ", 0xE000: " ", 0xE001: " "}


def index_existing(apps, schema_editor) -> None:
    """Index the articles there are, with this migration's models."""
    vendor = schema_editor.connection.vendor
    Article = apps.get_model("articles", "Article")
    Byline = apps.get_model("articles", "Byline")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    columns = "rowid" if vendor == "sqlite" else "article_id"
    last = 0
    while True:
        rows = list(
            Article.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "title", "dek", "body")[:500]
        )
        if not rows:
            return
        pks = [row[0] for row in rows]
        names = {pk: [] for pk in pks}
        for pk, name in (
            Byline.objects.filter(article_id__in=pks)
            .order_by("article_id", "position")
            .values_list("article_id", "author__name")
        ):
            names[pk].append(name)
        for pk, name in (
            TaggedArticle.objects.filter(content_object_id__in=pks)
            .order_by("content_object_id", "tag__name")
            .values_list("content_object_id", "tag__name")
        ):
            names[pk].append(name)
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO articles_search ({columns}, title, dek, names, body) "
                "VALUES (%s, %s, %s, %s, %s)",
                [
                    (
                        pk,
                        title.translate(UNPRINTABLE),
                        dek.translate(UNPRINTABLE),
                        " · ".join(names[pk]).translate(UNPRINTABLE),
                        plain_text(body).translate(UNPRINTABLE),
                    )
                    for pk, title, dek, body in rows
                ],
            )
        last = pks[-1]


def forward(apps, schema_editor) -> None:
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    if statements is None:
        return
    for sql in statements[0]:
        schema_editor.execute(sql)
    index_existing(apps, schema_editor)


def backward(apps, schema_editor) -> None:
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    if statements is None:
        return
    for sql in statements[1]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_public_taxonomy")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
