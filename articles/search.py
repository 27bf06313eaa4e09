"""Full-text search over articles, in the database's own engine.

One interface, ``search()``, with two backends chosen by the database
vendor: SQLite's FTS5 (``unicode61`` tokenizer, diacritics removed, ``bm25``
ranking, ``snippet``) and PostgreSQL's ``tsvector`` with a GIN index
(``websearch_to_tsquery``, ``ts_rank``, ``ts_headline``, accents folded by
``unaccent`` in the ``newsroom_search`` text search configuration). Both
tables are made by migration 0010; the adjacent word pairs that answer
phrases by 0014 (PostgreSQL, a column) and 0018 (SQLite, a second table).

Every article is indexed whatever its state: title, dek, tag and author
names, and the body as plain text (never its markup). The publish gate is
applied when searching, by joining with ``Article.objects.published()``, so
publishing, unpublishing and scheduling need no index update; only content
does. ``index_articles()`` is called by ``services.save_article`` (after tags
and byline are saved), tag merges, author and tag renames, and
``generate_articles``; a database trigger removes a deleted article's row,
whichever way it is deleted. ``manage.py search_rebuild``
rebuilds the whole index.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from articles.html import plain_text
from articles.models import Article, Byline, Category, TaggedArticle, category_family

TABLE = "articles_search"
# SQLite: adjacent word pairs, one token each (migration 0018, SQLiteBackend).
PAIRS = "articles_search_pairs"
PAIRS_VERSION_TABLE = "articles_search_pairs_version"
# How pairs are made: pair_text() and the Unicode tables of Python's
# unicodedata and re. Pairs made otherwise would not be deleted exactly.
PAIRS_VERSION = f"1 unicode {unicodedata.unidata_version}"
# How many of the newest matching articles are ranked (see Backends).
CANDIDATES = 1000
# PostgreSQL: past this many articles holding the query's words, the newest
# are walked rather than listed from the GIN index (see PostgreSQLBackend).
SPARSE = 10000
# A query longer than this is cut; more terms than this are dropped.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# Rows written per statement when indexing many articles.
BATCH_SIZE = 500

# Highlight markers the engines put around matched words in snippets. Private
# use characters never occur in indexed text (``_clean`` removes them), so the
# snippet is escaped as text and only these become <mark> elements.
MARK_START = "\ue000"
MARK_END = "\ue001"
ELLIPSIS = "…"

# Relative weights of title, dek, tag and author names, body.
SQLITE_WEIGHTS = (10.0, 4.0, 3.0, 1.0)
# PostgreSQL's ts_rank weights for D (body), C (names), B (dek), A (title).
POSTGRES_WEIGHTS = "{0.1, 0.3, 0.4, 1.0}"
POSTGRES_CONFIG = "newsroom_search"
SNIPPET_WORDS = 28
# PostgreSQL: characters of the body a snippet is first looked for in.
SNIPPET_HEAD = 2000

_WORD = re.compile(r"[^\W_]+")
_CLAUSE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ue000\ue001]")


# Queries -------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A reader's query parsed the way ``websearch_to_tsquery`` reads it:
    words, "quoted phrases", ``-excluded`` words and ``or`` between them.
    Each phrase is a tuple of words (letters and digits only); ``groups`` are
    alternatives (``or``) of all-required phrases."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def fts5(self) -> str:
        """The query in FTS5 syntax: every phrase quoted, so no user text is
        ever read as an operator."""

        def quoted(phrase: tuple[str, ...]) -> str:
            return '"' + " ".join(phrase) + '"'

        expression = " OR ".join(
            " AND ".join(quoted(phrase) for phrase in group) for group in self.groups
        )
        for phrase in self.excluded:
            expression = f"({expression}) NOT {quoted(phrase)}"
        return expression

    def websearch(self) -> str:
        """The same query rebuilt for ``websearch_to_tsquery``, from words only."""

        def quoted(phrase: tuple[str, ...]) -> str:
            return '"' + " ".join(phrase) + '"' if len(phrase) > 1 else phrase[0]

        text = " or ".join(" ".join(quoted(phrase) for phrase in group) for group in self.groups)
        return " ".join([text, *("-" + quoted(phrase) for phrase in self.excluded)])

    def words(self) -> str:
        """A looser query for ``websearch_to_tsquery``: each phrase's words
        AND-ed, exclusions dropped. It matches every article the query
        matches, and PostgreSQL's GIN index answers it without reading the
        documents (a phrase needs word positions, which the index lacks)."""
        return " or ".join(" ".join(" ".join(phrase) for phrase in group) for group in self.groups)

    def phrases(self) -> list[list[str]] | None:
        """Each group's phrases of two words or more, for PostgreSQL's index of
        word pairs; ``None`` unless every group has one (a group without could
        match articles that hold no pair at all)."""
        groups = [[" ".join(p) for p in group if len(p) > 1] for group in self.groups]
        return groups if groups and all(groups) else None

    def pairs_fts5(self) -> str | None:
        """The query for SQLite's table of word pairs when it is phrases
        alone: a phrase of words is the phrase of its adjacent pairs."""
        if self.phrases_alone() is None:
            return None

        def quoted(phrase: tuple[str, ...]) -> str:
            return '"' + " ".join(_pairs(phrase)) + '"'

        return " OR ".join(
            " AND ".join(quoted(phrase) for phrase in group) for group in self.groups
        )

    def phrases_alone(self) -> list[str] | None:
        """Every phrase, when the query is phrases of two words or more and
        nothing else (no plain word, no exclusion); ``None`` otherwise."""
        every = [phrase for group in self.groups for phrase in group]
        if not every or self.excluded or any(len(phrase) < 2 for phrase in every):
            return None
        return [" ".join(phrase) for phrase in every]


def clean_query(raw: str) -> str:
    """``raw`` as a search box shows it: printable, single-spaced, capped."""
    printable = "".join(char if char.isprintable() else " " for char in raw)
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def parse(raw: str) -> Query:
    """Parse a reader's query; anything that is not a word is ignored."""
    groups: list[list[tuple[str, ...]]] = [[]]
    excluded: list[tuple[str, ...]] = []
    terms = 0
    for match in _CLAUSE.finditer(_fold(clean_query(raw))):
        negated, phrase_text, word = match.groups()
        if word is not None:
            if word.lower() == "or":
                if groups[-1]:
                    groups.append([])
                continue
            negated = "-" if word.startswith("-") else ""
            phrase_text = word
        phrase = tuple(w.lower() for w in _WORD.findall(phrase_text))[:MAX_TERMS]
        if not phrase or terms >= MAX_TERMS:
            continue
        terms += 1
        if negated:
            excluded.append(phrase)
        else:
            groups[-1].append(phrase)
    return Query(tuple(tuple(g) for g in groups if g), tuple(excluded))


def _pairs(words: Sequence[str]) -> list[str]:
    return [f"{first}_{second}" for first, second in zip(words, words[1:], strict=False)]


def pair_text(text: str) -> str:
    """Every two adjacent words of ``text`` as one token, "first_second", in
    order: the words as ``parse`` reads a query's, which never hold "_"."""
    return " ".join(_pairs([word.lower() for word in _WORD.findall(_fold(text))]))


def _fold(text: str) -> str:
    """Accents off, as both engines index: "Café" is "Cafe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    # Recomposed, so scripts that decompose without accents (Hangul) are whole again.
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare)


# Results -------------------------------------------------------------------


@dataclass
class Hit:
    article: Article
    rank: float
    snippet: SafeString


def highlight(marked: str) -> SafeString:
    """A snippet with the engine's markers as <mark>, everything else escaped."""
    first, *rest = marked.split(MARK_START)
    pairs = [part.split(MARK_END, 1) if MARK_END in part else [part, ""] for part in rest]
    return format_html(
        "{}{}",
        first.replace(MARK_END, ""),
        format_html_join("", "<mark>{}</mark>{}", pairs),
    )


class Results:
    """The published articles matching a query, best first, sliceable like a
    queryset (which is what ``Paginator`` needs). At most ``CANDIDATES`` are
    listed; ``more`` says whether others match too.

    Told the slice it will be asked for (``want``), the count comes with
    that page's hits from one query; otherwise ``count()`` is a query of its
    own. The hits' articles are loaded with ``cards``.
    """

    def __init__(self, query: Query, articles: QuerySet[Article], cards=None) -> None:
        self.query = query
        self.articles = articles  # the published articles allowed, filters applied
        self.cards = cards or (lambda qs: qs)
        self.backend = BACKENDS[connection.vendor]
        self.wanted: tuple[int, int] | None = None
        self.fetched: tuple[int, int, Page] | None = None

    def want(self, start: int, stop: int) -> None:
        self.wanted = (start, stop)

    @cached_property
    def found(self) -> int:
        """Matches counted up to one past the cap."""
        if not self.query:
            return 0
        if self.wanted is not None:
            start, stop = self.wanted
            page = self.backend.page(self.query, self.articles, stop - start, start)
            self.fetched = (start, stop, page)
            if page.found is not None:
                return page.found
            if start == 0:
                return 0
        return self.backend.count(self.query, self.articles)

    @property
    def more(self) -> bool:
        return self.found > CANDIDATES

    def count(self) -> int:
        return min(self.found, CANDIDATES)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Hit]:
        if not isinstance(index, slice):
            raise TypeError("Results are sliced, not indexed.")
        start = index.start or 0
        stop = min(index.stop if index.stop is not None else CANDIDATES, CANDIDATES)
        if not self.query or stop <= start:
            return []
        if self.fetched and self.fetched[0] == start and stop <= self.fetched[1]:
            rows = self.fetched[2].rows[: stop - start]
        else:
            rows = self.backend.page(self.query, self.articles, stop - start, start).rows
        if not rows:
            return []
        found = self.cards(Article.objects.filter(pk__in=[pk for pk, *_ in rows])).in_bulk()
        return [
            Hit(found[pk], rank, highlight(snippet)) for pk, rank, snippet in rows if pk in found
        ]


def search(
    query: str,
    *,
    category: Category | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    cards=None,
) -> Results:
    """Published articles matching ``query``, best first, as ``Results``.

    ``category`` includes its descendants; ``date_from`` and ``date_to``
    bound the permalink date, both inclusive. ``cards`` shapes the article
    queryset a page of hits is loaded with (``articles.listing.cards``).
    """
    articles = Article.objects.published()
    if category is not None:
        _ancestors, descendants = category_family(category)
        articles = articles.in_categories([category, *descendants])
    if date_from is not None:
        articles = articles.filter(published_on__gte=date_from)
    if date_to is not None:
        articles = articles.filter(published_on__lte=date_to)
    return Results(parse(query), articles, cards)


def matching(query: str) -> RawSQL | None:
    """A subquery of the ids of every article, in any state, matching
    ``query`` (for ``pk__in``); ``None`` when the query has no words."""
    parsed = parse(query)
    if not parsed:
        return None
    return BACKENDS[connection.vendor].matching(parsed)


# Indexing ------------------------------------------------------------------


@dataclass
class Document:
    pk: int
    title: str
    dek: str
    names: str
    body: str


def _clean(text: str) -> str:
    return _UNPRINTABLE.sub(" ", text or "")


def documents(pks: Iterable[int]) -> Iterator[Document]:
    """What the index holds for each article of ``pks`` that exists."""
    pks = list(pks)
    names: dict[int, list[str]] = {pk: [] for pk in pks}
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
    for pk, title, dek, body in Article.objects.filter(pk__in=pks).values_list(
        "pk", "title", "dek", "body"
    ):
        yield Document(
            pk,
            _clean(title),
            _clean(dek),
            _clean(" · ".join(names[pk])),
            _clean(plain_text(body)),
        )


def index_articles(pks: Iterable[int]) -> None:
    """Bring the index rows of the articles ``pks`` in line with the database:
    (re)written for those that exist, removed for those that do not."""
    pks = sorted(set(pks))
    backend = BACKENDS[connection.vendor]
    with transaction.atomic():
        for start in range(0, len(pks), BATCH_SIZE):
            batch = pks[start : start + BATCH_SIZE]
            backend.write(batch, list(documents(batch)))


def add_documents(docs: list[Document]) -> None:
    """Index new articles from text in hand (bulk inserts, which have no rows
    in the index yet); ``Document.body`` is already plain text."""
    backend = BACKENDS[connection.vendor]
    for start in range(0, len(docs), BATCH_SIZE):
        batch = [
            Document(d.pk, _clean(d.title), _clean(d.dek), _clean(d.names), _clean(d.body))
            for d in docs[start : start + BATCH_SIZE]
        ]
        backend.write([d.pk for d in batch], batch, fresh=True)


def rebuild(batch_size: int = 2000, progress=None) -> int:
    """Empty the index and fill it again from every article, ``batch_size``
    at a time (memory stays bounded). Returns how many articles it holds."""
    backend = BACKENDS[connection.vendor]
    total, last = 0, 0
    with transaction.atomic():
        backend.clear()
        while True:
            batch = list(
                Article.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not batch:
                break
            for start in range(0, len(batch), BATCH_SIZE):
                part = batch[start : start + BATCH_SIZE]
                backend.write(part, list(documents(part)), fresh=True)
            total += len(batch)
            last = batch[-1]
            if progress is not None:
                progress(total)
        backend.optimize()
    return total


def indexed_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608 - a constant
        return cursor.fetchone()[0]


# Backends ------------------------------------------------------------------
#
# Both backends rank the newest CANDIDATES matching published articles (by
# id, which is creation order), best first. A rare word has fewer matches and
# is ranked exactly; a word in half the archive costs the same at 100,000
# articles as at 1,000 instead of scoring every match, and the count says
# "more than" past the cap. On SQLite the gate is a correlated lookup by
# primary key per match; PostgreSQL's way is in PostgreSQLBackend.candidates.


@dataclass
class Page:
    """Hits as (article id, rank, marked snippet), and how many matched up to
    one past ``CANDIDATES`` (``None`` when the page was empty, so unknown)."""

    rows: list[tuple[int, float, str]]
    found: int | None


def _found(rows: list[tuple]) -> int | None:
    return rows[0][2] if rows else None


def _gate(articles: QuerySet[Article], column: str) -> tuple[str, tuple]:
    """``articles`` as an EXISTS condition on the index row's article id."""
    correlated = articles.order_by().filter(pk=RawSQL(column, ())).values("pk")
    sql, params = correlated.query.sql_with_params()
    return f"EXISTS ({sql})", tuple(params)


def _gate_scalar(articles: QuerySet[Article], column: str) -> tuple[str, tuple]:
    """``articles`` as a scalar subquery of the id ``column`` names, NULL
    when that article is not among them (never hashed nor joined)."""
    correlated = articles.order_by().filter(pk=RawSQL(column, ())).values("pk")
    sql, params = correlated.query.sql_with_params()
    return f"({sql})", tuple(params)


class SQLiteBackend:
    """FTS5: the table's rowid is the article's id.

    A phrase's weight in ``bm25()`` needs how many articles hold it, and
    FTS5 finds that by running the phrase over the whole table: at 100,000
    articles, 10-14 ms for two words that most articles hold apart. So a
    query of phrases alone is asked of ``PAIRS`` instead, a second FTS5 table
    (migration 0018) whose columns hold every two adjacent words of the
    same columns as one token (``pair_text``): there "night buses" is the
    token ``night_buses``, and a longer phrase the phrase of its pairs. The
    same articles match, ranked by the same weights (column lengths are
    counted in pairs, so scores differ slightly); snippets still come from
    the words' table.

    ``PAIRS`` is contentless (storing the text again would double the
    database), so a row is deleted by giving FTS5 the values it was written
    with, made again from the words' table: ``PAIRS_VERSION`` records how,
    and a system check asks for ``search_rebuild`` when it changes. The
    trigger that drops a deleted article's words cannot make pairs, so its
    pairs stay until the next rebuild; the publish gate never lets them
    through (SQLite never reuses an article id).
    """

    # Migration 0017's narrow index, which the gate must be told to use.
    GATE_INDEX = "article_search_gate_idx"

    def gate(self, articles: QuerySet[Article], table: str = TABLE) -> tuple[str, tuple]:
        """``_gate`` read from the narrow index, never the wide article rows."""
        sql, params = _gate(articles, f"{table}.rowid")
        source = f'FROM "{Article._meta.db_table}" '
        if source not in sql:  # pragma: no cover - the ORM's own spelling
            raise RuntimeError(f"unexpected gate SQL: {sql}")
        return sql.replace(source, f"{source}INDEXED BY {self.GATE_INDEX} ", 1), params

    WEIGHTS = ", ".join(map(str, SQLITE_WEIGHTS))

    def source(self, query: Query) -> tuple[str, str]:
        """The table to find and rank ``query``'s articles in, and the query
        in that table's terms."""
        pairs = query.pairs_fts5()
        return (PAIRS, pairs) if pairs is not None else (TABLE, query.fts5())

    def matching(self, query: Query) -> RawSQL:
        return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", (query.fts5(),))

    def count(self, query: Query, articles: QuerySet[Article]) -> int:
        table, expression = self.source(query)
        gate, params = self.gate(articles, table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT count(*) FROM (
                    SELECT 1 FROM {table} WHERE {table} MATCH %s AND {gate}
                    ORDER BY rowid DESC LIMIT %s
                )
                """,  # noqa: S608 - identifiers are constants, values are parameters
                (expression, *params, CANDIDATES + 1),
            )
            return cursor.fetchone()[0]

    def page(self, query: Query, articles: QuerySet[Article], limit: int, offset: int) -> Page:
        table, expression = self.source(query)
        gate, params = self.gate(articles, table)
        with connection.cursor() as cursor:
            # One pass over the matches counts them (to one past the cap) and
            # ranks the candidates; snippets are made for the page's rows only.
            cursor.execute(
                f"""
                WITH candidates AS (
                    SELECT rowid AS id, bm25({table}, {self.WEIGHTS}) AS score FROM {table}
                    WHERE {table} MATCH %s AND {gate}
                    ORDER BY rowid DESC LIMIT %s
                ),
                counted AS (
                    SELECT id, score, count(*) OVER () AS found,
                        row_number() OVER (ORDER BY id DESC) AS newest
                    FROM candidates
                ),
                best AS (
                    SELECT id, score, found FROM counted WHERE newest <= %s
                    ORDER BY score, id DESC LIMIT %s OFFSET %s
                )
                SELECT best.id, best.score, best.found,
                    snippet({TABLE}, 3, %s, %s, %s, {SNIPPET_WORDS})
                FROM best JOIN {TABLE} ON {TABLE}.rowid = best.id
                WHERE {TABLE} MATCH %s
                ORDER BY best.score, best.id DESC
                """,  # noqa: S608 - identifiers are constants, values are parameters
                (
                    expression,
                    *params,
                    CANDIDATES + 1,
                    CANDIDATES,
                    limit,
                    offset,
                    MARK_START,
                    MARK_END,
                    ELLIPSIS,
                    query.fts5(),
                ),
            )
            rows = cursor.fetchall()
        # bm25() is lower for better matches; a rank reads the other way.
        return Page([(pk, -score, snippet) for pk, score, _, snippet in rows], _found(rows))

    def write(self, pks: list[int], docs: list[Document], fresh: bool = False) -> None:
        columns = "rowid, title, dek, names, body"
        with connection.cursor() as cursor:
            if not fresh:
                marks = ", ".join(["%s"] * len(pks))
                cursor.execute(f"SELECT {columns} FROM {TABLE} WHERE rowid IN ({marks})", pks)
                # A contentless table forgets a row given the values it holds.
                written = [Document(*row) for row in cursor.fetchall()]
                if written:
                    cursor.executemany(
                        f"INSERT INTO {PAIRS} ({PAIRS}, {columns}) "
                        "VALUES ('delete', %s, %s, %s, %s, %s)",
                        [self.pairs(d) for d in written],
                    )
                cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", pks)
            cursor.executemany(
                f"INSERT INTO {TABLE} ({columns}) VALUES (%s, %s, %s, %s, %s)",
                [(d.pk, d.title, d.dek, d.names, d.body) for d in docs],
            )
            cursor.executemany(
                f"INSERT INTO {PAIRS} ({columns}) VALUES (%s, %s, %s, %s, %s)",
                [self.pairs(d) for d in docs],
            )

    @staticmethod
    def pairs(doc: Document) -> tuple[int, str, str, str, str]:
        return (doc.pk, *(pair_text(text) for text in (doc.title, doc.dek, doc.names, doc.body)))

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
            cursor.execute(f"INSERT INTO {PAIRS} ({PAIRS}) VALUES ('delete-all')")
            cursor.execute(f"UPDATE {PAIRS_VERSION_TABLE} SET version = %s", (PAIRS_VERSION,))

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            for table in (TABLE, PAIRS):
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")


class PostgreSQLBackend:
    """A table keyed by article with a generated, weighted ``tsvector``."""

    TSQUERY = f"websearch_to_tsquery('{POSTGRES_CONFIG}', %s)"

    def matching(self, query: Query) -> RawSQL:
        return RawSQL(
            f"SELECT article_id FROM {TABLE} WHERE document @@ {self.TSQUERY}",
            (query.websearch(),),
        )

    def candidates(self, query: Query, articles: QuerySet[Article]) -> tuple[str, tuple]:
        """A ``WITH`` clause whose ``candidates`` are the ids of the newest
        ``CANDIDATES + 1`` published articles matching ``query``.

        The GIN index cannot list matches newest first, and checking ``@@``
        on a row reads its whole ``tsvector`` out of TOAST (~10 µs), so the
        cost depends on how many articles hold the query's words:

        * ``matched`` asks the index for at most ``SPARSE + 1`` ids of
          articles holding all the words (``Query.words``, no TOAST read).
          The tsquery comes from a CTE, so the planner cannot see the words
          and always takes the index (a known common word would make it
          read every row's document instead).
          A query whose every ``or`` group holds a phrase asks the index of
          word pairs instead (``pairs``, migration 0014): articles holding
          each of the phrase's adjacent word pairs, a few thousand where its
          words apart are in most articles. The phrase itself is still
          checked on each, so results are the same as without the pairs,
          unless every phrase is two words side by side and nothing else
          is asked (``exact``): then holding the pair *is* holding the
          phrase, and no document is read at all.
          Asking costs most when it is in vain: building the index's list
          of a word in nearly every article takes longer than the walk
          below. So when ``ANALYZE``'s statistics of the document column
          (``pg_stats.most_common_elems``) hold every word of a one-group
          query and their frequencies, multiplied as if independent, make
          more than ``SPARSE`` articles, the index is not asked. A word
          missing from the statistics is taken as rare. Either way the
          same articles are found; only the cost differs.
        * Up to ``SPARSE`` of them, those ids are sorted newest first and
          checked one by one, publish gate first, until enough are found;
          the documents are read only to check a phrase or an exclusion.
        * More than that, and the words are in so many articles that the
          published articles are taken newest first and their documents
          checked one by one until enough match. ``LIMIT (SELECT NULL)`` is
          no limit, but one the planner cannot read, so it plans for a
          fraction of the rows: it walks the primary key backwards when most
          articles pass the filters, and sorts the ids a section's or a
          date range's index gives when few do. The check is a scalar
          subquery, so it runs after that order, never on every row first.

        The sparse branch's gate is a scalar subquery inside ``CASE``:
        PostgreSQL neither turns it into a join nor hashes every published
        id first, and ``CASE`` keeps it before the document check.
        """
        loose = query.words()
        exact = loose == query.websearch()
        phrases = query.phrases()
        # OR of each group's required pairs; NULL (the words' way) when a
        # group's phrases give none (stop words between, say).
        pairs = (
            " || ".join(["articles_search_pairs_query(%s::text[])"] * len(phrases))
            if phrases
            else "NULL::tsquery"
        )
        # Pairs are taken from the document's own positions, so a phrase
        # that PostgreSQL reads as two lexemes at positions 1 and 2 (no stop
        # word between) matches exactly the articles holding its one pair.
        alone = query.phrases_alone()
        pairs_exact = (
            f"""(SELECT bool_and(coalesce(p.positions = '{{1,2}}', false))
                FROM unnest(%s::text[]) phrase,
                LATERAL (SELECT array_agg(pos ORDER BY pos) AS positions
                    FROM unnest(to_tsvector('{POSTGRES_CONFIG}', phrase)) w,
                        unnest(w.positions) pos) p)"""
            if alone
            else "false"
        )
        check = (
            "true"
            if exact
            else f"""CASE WHEN (SELECT exact FROM words) THEN true ELSE (
                SELECT s.document @@ {self.TSQUERY} FROM {TABLE} s WHERE s.article_id = m.id
            ) END"""
        )
        sparse_gate, sparse_params = _gate_scalar(articles, "m.id")
        published, published_params = articles.order_by().values("pk").query.sql_with_params()
        sql = f"""
            WITH words AS MATERIALIZED (
                SELECT websearch_to_tsquery('{POSTGRES_CONFIG}', %s) AS tsquery, {pairs} AS pairs,
                    {pairs_exact} AS exact
            ),
            common AS MATERIALIZED (
                SELECT CASE WHEN count(*) > 0 AND count(*) = (
                        SELECT cardinality(tsvector_to_array(to_tsvector('{POSTGRES_CONFIG}', %s)))
                    ) THEN exp(sum(ln(e.freq))) * max(greatest(c.reltuples, 0)) ELSE 0 END > %s
                    AS yes
                FROM pg_stats st
                    CROSS JOIN LATERAL unnest(
                        st.most_common_elems::text::text[], st.most_common_elem_freqs
                    ) e(lexeme, freq)
                    JOIN pg_class c ON c.oid = '{TABLE}'::regclass
                WHERE st.schemaname = current_schema() AND st.tablename = '{TABLE}'
                    AND st.attname = 'document'
                    AND e.lexeme = ANY(tsvector_to_array(to_tsvector('{POSTGRES_CONFIG}', %s)))
            ),
            matched AS MATERIALIZED (
                (SELECT s.article_id AS id FROM {TABLE} s
                 WHERE (SELECT pairs FROM words) IS NOT NULL
                    AND s.pairs @@ (SELECT pairs FROM words) LIMIT %s)
                UNION ALL
                (SELECT s.article_id AS id FROM {TABLE} s
                 WHERE (SELECT pairs FROM words) IS NULL AND NOT (SELECT yes FROM common)
                    AND s.document @@ (SELECT tsquery FROM words) LIMIT %s)
            ),
            sparse AS MATERIALIZED (
                SELECT NOT (SELECT yes FROM common) AND count(*) <= %s AS yes FROM matched
            ),
            candidates AS (
                (SELECT m.id FROM (SELECT id FROM matched ORDER BY id DESC OFFSET 0) m
                 WHERE (SELECT yes FROM sparse)
                    AND CASE WHEN {sparse_gate} IS NOT NULL THEN {check} END
                 ORDER BY m.id DESC LIMIT %s)
                UNION ALL
                (SELECT g.pk FROM (
                    SELECT pk FROM ({published}) a ORDER BY pk DESC LIMIT (SELECT NULL::bigint)
                 ) g
                 WHERE NOT (SELECT yes FROM sparse)
                    AND (SELECT s.document @@ {self.TSQUERY} FROM {TABLE} s
                         WHERE s.article_id = g.pk)
                 ORDER BY g.pk DESC LIMIT %s)
            )
        """  # noqa: S608 - identifiers are constants, values are parameters
        websearch = query.websearch()
        # One group of words, no phrase: the words' frequencies in the
        # planner's statistics may say the index need not be asked.
        estimated = loose if len(query.groups) == 1 and not phrases else None
        params = (
            loose,
            *(phrases or ()),
            *([alone] if alone else ()),
            estimated,
            SPARSE,
            estimated,
            SPARSE + 1,
            SPARSE + 1,
            SPARSE,
            *sparse_params,
            *(() if exact else (websearch,)),
            CANDIDATES + 1,
            *published_params,
            websearch,
            CANDIDATES + 1,
        )
        return sql, params

    def count(self, query: Query, articles: QuerySet[Article]) -> int:
        candidates, params = self.candidates(query, articles)
        with connection.cursor() as cursor:
            cursor.execute(f"{candidates} SELECT count(*) FROM candidates", params)
            return cursor.fetchone()[0]

    def page(self, query: Query, articles: QuerySet[Article], limit: int, offset: int) -> Page:
        candidates, params = self.candidates(query, articles)
        # Only the candidates are ranked, after the cut. ts_headline parses
        # the text it is given word by word (~0.8 ms for a 1,000-word body),
        # so snippets come from the body's head when a match is there (most
        # hits of a common word) or when the body holds none at all (a match
        # in the title or a name: the head is what the whole would give);
        # only a body whose matches all lie further on is read whole.
        websearch = query.websearch()
        options = (
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
            f'MinWords={SNIPPET_WORDS // 2}, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                {candidates},
                counted AS (
                    SELECT c.id,
                        ts_rank('{POSTGRES_WEIGHTS}', s.document, {self.TSQUERY}) AS score,
                        count(*) OVER () AS found,
                        row_number() OVER (ORDER BY c.id DESC) AS newest
                    FROM candidates c JOIN {TABLE} s ON s.article_id = c.id
                ),
                best AS (
                    SELECT id, score, found FROM counted WHERE newest <= %s
                    ORDER BY score DESC, id DESC LIMIT %s OFFSET %s
                )
                SELECT best.id, best.score, best.found,
                    CASE WHEN length(s.body) <= %s OR strpos(head.snippet, %s) > 0
                            OR NOT ts_filter(s.document, '{{d}}') @@ head.tsquery
                        THEN head.snippet
                        ELSE ts_headline('{POSTGRES_CONFIG}', s.body, head.tsquery, %s)
                    END
                FROM best JOIN {TABLE} s ON s.article_id = best.id
                    CROSS JOIN LATERAL (
                        SELECT ts_headline('{POSTGRES_CONFIG}', CASE
                                WHEN length(s.body) <= %s THEN s.body
                                -- cut at a space: no half word at the end
                                ELSE regexp_replace(left(s.body, %s), '\\S*$', '')
                            END, q.tsquery, %s
                        ) AS snippet, q.tsquery
                        FROM (SELECT {self.TSQUERY} AS tsquery) q
                        OFFSET 0  -- computed once, not copied into each use
                    ) head
                ORDER BY best.score DESC, best.id DESC
                """,  # noqa: S608 - identifiers are constants, values are parameters
                (
                    *params,
                    websearch,
                    CANDIDATES,
                    limit,
                    offset,
                    SNIPPET_HEAD,
                    MARK_START,
                    options,
                    SNIPPET_HEAD,
                    SNIPPET_HEAD,
                    options,
                    websearch,
                ),
            )
            rows = cursor.fetchall()
        return Page([(pk, score, snippet) for pk, score, _, snippet in rows], _found(rows))

    def write(self, pks: list[int], docs: list[Document], fresh: bool = False) -> None:
        with connection.cursor() as cursor:
            if not fresh:
                cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = ANY(%s)", (pks,))
            cursor.executemany(
                f"INSERT INTO {TABLE} (article_id, title, dek, names, body) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(d.pk, d.title, d.dek, d.names, d.body) for d in docs],
            )

    def clear(self) -> None:
        # Not TRUNCATE: its lock would make every search wait for the rebuild.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

    def optimize(self) -> None:
        # Fresh statistics let the planner tell a rare word from a common one.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")


BACKENDS = {"sqlite": SQLiteBackend(), "postgresql": PostgreSQLBackend()}
