"""Full-text search (articles/search.py) through /search/, the admin and the
write paths. Runs on SQLite (FTS5) and, with DATABASE_URL, PostgreSQL."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from taggit.models import Tag

from articles import search
from articles.models import Article
from articles.services import merge_tags, publish_now, save_article, unpublish
from tests.articles.editorial import CHANGELIST_URL, logged_in, make_editor
from tests.factories import (
    make_article,
    make_author,
    make_category,
    make_draft,
    make_scheduled,
)

pytestmark = pytest.mark.django_db


def found(client, query: str, **params) -> list[str]:
    """Titles /search/ lists for ``query``, best first."""
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return [hit.article.title for hit in response.context["hits"]]


def indexed(query: str) -> set[int]:
    """Ids of every article, in any state, the index matches for ``query``."""
    return set(Article.objects.filter(pk__in=search.matching(query)).values_list("pk", flat=True))


class MustHoldTests:
    def test_cafe_finds_cafe_with_its_accent_and_back(self, client):
        make_article(title="Corner café opens", body="<p>The café serves soup.</p>")
        assert found(client, "cafe") == ["Corner café opens"]
        assert found(client, "CAFÉ") == ["Corner café opens"]

    def test_words_in_other_scripts_are_found(self, client):
        make_article(title="서울 소식", body="<p>Новости Москвы и Αθήνα.</p>")
        assert found(client, "서울") == ["서울 소식"]
        assert found(client, "новости") == ["서울 소식"]

    def test_markup_is_never_searched(self, client):
        make_article(title="Plain", body="<p>Words in <strong>bold</strong> type.</p>")
        assert found(client, "p") == []
        assert found(client, "<p>") == []
        assert found(client, "strong") == []
        assert found(client, "bold") == ["Plain"]

    def test_an_authors_surname_and_a_tag_find_their_articles(self, client):
        author = make_author(name="Saoirse Lindqvist", slug="saoirse-lindqvist")
        make_article(title="Bylined", authors=[author])
        make_article(title="Tagged", tags=["Amber Foxes"])
        make_article(title="Neither")
        assert found(client, "lindqvist") == ["Bylined"]
        assert found(client, "foxes") == ["Tagged"]

    def test_a_title_match_ranks_above_a_body_match(self, client):
        make_article(
            title="Buses run late",
            body="<p>The lighthouse keeper says nothing.</p>",
            published_at=search_now() - datetime.timedelta(days=3),
        )
        make_article(title="Lighthouse reopens", body="<p>Visitors return.</p>")
        make_article(title="Weather", body="<p>A lighthouse in the fog.</p>")
        titles = found(client, "lighthouse")
        assert titles[0] == "Lighthouse reopens"
        assert set(titles) == {"Lighthouse reopens", "Buses run late", "Weather"}

    def test_a_phrase_query_wants_its_words_together(self, client):
        make_article(title="Night buses return", body="<p>The night buses run again.</p>")
        make_article(title="Buses at night", body="<p>No buses in the night.</p>")
        assert found(client, '"night buses"') == ["Night buses return"]
        assert set(found(client, "night buses")) == {"Night buses return", "Buses at night"}

    def test_a_hyphenated_word_is_found(self, client):
        make_article(title="Tour news", body="<p>A twelve-city tour starts.</p>")
        make_article(title="Other", body="<p>Twelve days in the city.</p>")
        assert found(client, "twelve-city") == ["Tour news"]

    def test_drafts_and_scheduled_articles_never_appear(self, client):
        make_article(title="Live marmalade")
        make_draft(title="Draft marmalade")
        make_scheduled(title="Scheduled marmalade")
        assert found(client, "marmalade") == ["Live marmalade"]

    def test_a_scheduled_article_appears_after_its_time(self, client, time_machine):
        time_machine.move_to(datetime.datetime(2024, 3, 10, 12, tzinfo=datetime.UTC), tick=False)
        make_scheduled(datetime.timedelta(hours=2), title="Comet tonight")
        assert found(client, "comet") == []
        time_machine.move_to(datetime.datetime(2024, 3, 10, 14, 1, tzinfo=datetime.UTC))
        assert found(client, "comet") == ["Comet tonight"]

    def test_an_edited_title_is_found_by_its_new_words_only(self, client):
        article = make_article(title="Old walrus headline")
        article.title = "New narwhal headline"
        save_article(article)
        assert found(client, "narwhal") == ["New narwhal headline"]
        assert found(client, "walrus") == []

    def test_a_deleted_article_disappears(self, client):
        one = make_article(title="Pelican one")
        make_article(title="Pelican two")
        one.delete()
        assert found(client, "pelican") == ["Pelican two"]
        Article.objects.filter(title="Pelican two").delete()
        assert found(client, "pelican") == []
        assert indexed("pelican") == set()


HOSTILE_QUERIES = [
    '"unbalanced',
    'un"balanced"quotes"',
    '""',
    "AND (",
    "OR OR OR",
    "NOT",
    "a NEAR b",
    "NEAR(a b, 2)",
    "*",
    "band*",
    "-",
    "--band",
    "-band",
    ":",
    "title:band",
    "{title}: band",
    "^band",
    "band + tour",
    "(((",
    ")",
    "a" * 10_000,
    "band " * 2_000,
    "\x00",
    "band\x00tour",
    "🎸🥁 band",
    "🎸",
    "'; DROP TABLE articles_article; --",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "<script>alert(1)</script>",
    "&amp; &lt;",
    "\ue000band\ue001",
    "ｂａｎｄ",
    "ǅ ß ﬁ",
    "!!!",
    "!",
    "& | ! <->",
    "<-> band",
    "band <2> tour",
    "or",
    "-or",
    '"-"',
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_answer_200(client, query):
    make_article(title="Band tour", body="<p>The band tours.</p>")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_queries_are_capped_in_length(client):
    response = client.get("/search/", {"q": "x" * 10_000})
    assert len(response.context["query"]) == search.MAX_QUERY_LENGTH


class QueryTests:
    def test_every_term_is_quoted_for_fts5(self):
        assert search.parse('band "night bus" -tour or jazz*').fts5() == (
            '("band" AND "night bus" OR "jazz") NOT "tour"'
        )

    def test_operators_are_words_or_nothing(self):
        assert search.parse("AND ( NEAR * : -").fts5() == '"and" AND "near"'
        assert not search.parse("( * : - ^ \"\" ''")

    def test_a_query_of_exclusions_only_matches_nothing(self, client):
        make_article(title="Band")
        assert not search.parse("-band")
        assert found(client, "-band") == []

    def test_websearch_text_is_rebuilt_from_words(self):
        assert search.parse('a "b c" -d or e').websearch() == 'a "b c" or e -d'

    def test_phrases_are_listed_only_when_every_group_has_one(self):
        assert search.parse('"night buses" heron or "late tram"').phrases() == [
            ["night buses"],
            ["late tram"],
        ]
        assert search.parse('"night buses" or heron').phrases() is None
        assert search.parse("night buses").phrases() is None

    def test_the_loose_words_drop_phrases_quotes_and_exclusions(self):
        assert search.parse('a "b c" -d or e').words() == "a b c or e"


# SPARSE 0 walks the newest rows by primary key (the words are "common");
# a large SPARSE lists the matches from the index first (they are "rare").
# Both ways must list the same articles, newest first up to the cap.
@pytest.mark.parametrize("sparse", [0, 10_000], ids=["walked", "listed-from-index"])
class CandidateTests:
    @pytest.fixture(autouse=True)
    def small_cap(self, monkeypatch, sparse):
        monkeypatch.setattr(search, "CANDIDATES", 3)
        monkeypatch.setattr(search, "SPARSE", sparse)

    def listed(self, query: str, **filters) -> tuple[set[str], bool]:
        results = search.search(query, **filters)
        return {hit.article.title for hit in results[:]}, results.more

    def test_past_the_cap_the_newest_published_are_ranked_and_more_is_said(self, client):
        for n in range(5):
            make_article(title=f"Heron {n}")
        make_draft(title="Heron draft")
        make_scheduled(title="Heron scheduled")
        assert self.listed("heron") == ({"Heron 2", "Heron 3", "Heron 4"}, True)
        html = client.get("/search/", {"q": "heron"}).content.decode()
        assert "More than 3 articles found; the 3 newest are ranked" in html

    def test_at_the_cap_nothing_more_is_said(self):
        for n in range(3):
            make_article(title=f"Heron {n}")
        make_draft(title="Heron draft")
        assert self.listed("heron") == ({"Heron 0", "Heron 1", "Heron 2"}, False)

    def test_a_phrase_is_checked_beyond_articles_holding_its_words_apart(self):
        make_article(title="Night buses one")
        make_article(title="Night buses two")
        for n in range(4):
            make_article(title=f"Buses at night {n}")
        assert self.listed('"night buses"') == ({"Night buses one", "Night buses two"}, False)

    def test_phrases_with_stop_words_or_beside_a_plain_word_are_checked_too(self):
        # PostgreSQL's word pairs cannot list these: the other ways still must.
        make_article(title="State of the art tram")
        make_article(title="Art of the state")
        make_article(title="The heron")
        make_article(title="Night buses")
        assert self.listed('"state of the art"') == ({"State of the art tram"}, False)
        assert self.listed('"the heron"') == ({"The heron"}, False)
        assert self.listed('"night buses" or heron') == ({"The heron", "Night buses"}, False)
        assert self.listed('"night buses" or "the heron"') == (
            {"The heron", "Night buses"},
            False,
        )

    def test_a_phrase_of_several_pairs_wants_all_of_them(self):
        make_article(title="Late night buses run")
        make_article(title="Late night trams, buses run")
        assert self.listed('"night buses run"') == ({"Late night buses run"}, False)
        assert self.listed('"late night" "buses run"') == (
            {"Late night buses run", "Late night trams, buses run"},
            False,
        )

    def test_two_word_phrases_alone_are_found_by_their_pair_exactly(self):
        make_article(title="Twelve-city tour")
        make_article(title="A city of twelve")
        make_article(title="Night buses", dek="Late trams")
        make_article(title="Buses at night", dek="Trams late")
        assert self.listed("twelve-city") == ({"Twelve-city tour"}, False)
        assert self.listed('"night buses" or "late trams"') == ({"Night buses"}, False)
        assert self.listed('"buses night"') == (set(), False)

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
    def test_words_the_statistics_call_common_are_walked_to_the_same_results(self):
        for n in range(5):
            make_article(title=f"Heron {n}")
        make_article(title="Egret")
        make_draft(title="Heron draft")
        before = self.listed("heron")
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {search.TABLE}")
            cursor.execute(
                "SELECT most_common_elems::text FROM pg_stats "
                "WHERE tablename = %s AND attname = 'document'",
                [search.TABLE],
            )
            assert "heron" in cursor.fetchone()[0]  # the statistics' way is taken
        assert self.listed("heron") == before == ({"Heron 2", "Heron 3", "Heron 4"}, True)
        assert self.listed("heron egret") == (set(), False)

    def test_an_excluded_word_is_checked_on_every_candidate(self):
        make_article(title="Heron river")
        for n in range(4):
            make_article(title=f"Heron lake {n}")
        make_article(title="Heron pond")
        assert self.listed("heron -lake") == ({"Heron river", "Heron pond"}, False)

    def test_either_of_two_words_is_found(self):
        make_article(title="Heron")
        make_article(title="Egret")
        make_article(title="Plover")
        assert self.listed("heron or egret") == ({"Heron", "Egret"}, False)

    def test_filters_apply_before_the_cap(self):
        old = search_now() - datetime.timedelta(days=400)
        music = make_category(name="Music", slug="music")
        for n in range(3):
            make_article(title=f"Heron song {n}", category=music, published_at=old)
        for n in range(4):
            make_article(title=f"Heron {n}")
        assert self.listed("heron", category=music)[0] == {f"Heron song {n}" for n in range(3)}
        assert self.listed("heron", date_to=old.date())[0] == {f"Heron song {n}" for n in range(3)}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's row layout")
def test_the_gate_reads_only_the_narrow_index_on_sqlite():
    music = make_category(name="Music", slug="music")
    articles = (
        Article.objects.published()
        .in_categories([music])
        .filter(published_on__gte=datetime.date(2020, 1, 1))
    )
    gate, params = search.BACKENDS["sqlite"].gate(articles)
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN QUERY PLAN SELECT rowid FROM {search.TABLE} "
            f"WHERE {search.TABLE} MATCH 'heron' AND {gate}",
            params,
        )
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert "COVERING INDEX article_search_gate_idx" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's word pairs")
def test_a_pair_stands_for_a_phrase_only_when_it_is_the_whole_phrase():
    exact = {
        '"night buses"': True,
        "twelve-city": True,
        '"night buses" or "late trams"': True,
        '"night buses" "late trams"': True,
        '"night buses" heron': False,
        '"night buses" -tram': False,
        '"night buses run"': False,
        '"state of the art"': False,
        '"the heron"': False,
        "heron": False,
    }
    backend = search.BACKENDS["postgresql"]
    with connection.cursor() as cursor:
        for query, expected in exact.items():
            sql, params = backend.candidates(search.parse(query), Article.objects.published())
            cursor.execute(f"{sql} SELECT (SELECT exact FROM words)", params)
            assert cursor.fetchone()[0] is expected, query


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's word pairs")


def sqlite_pairs(pk: int, token: str) -> bool:
    """Whether SQLite's table of word pairs holds ``token`` for article ``pk``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {search.PAIRS} WHERE {search.PAIRS} MATCH %s AND rowid = %s",
            ['"' + token + '"', pk],
        )
        return cursor.fetchone() is not None


@sqlite_only
class SQLitePairsTests:
    PHRASES = (
        '"night buses"',
        '"night buses run"',
        '"late night" "buses run"',
        '"night buses" or "late trams"',
        '"cafe society"',
        '"café society"',
        '"priya achterberg"',
        '"achterberg copper"',
        '"copper kites"',
        '"twelve city"',
        "twelve-city",
        '"東京 駅"',
        '"buses night"',
        '"no such pair"',
    )

    def listed(self, query: str) -> list[str]:
        return [hit.article.title for hit in search.search(query)[:]]

    def test_phrases_alone_are_asked_of_the_pairs(self):
        backend = search.BACKENDS["sqlite"]
        assert backend.source(search.parse('"night buses" or "late trams"')) == (
            search.PAIRS,
            '"night_buses" OR "late_trams"',
        )
        assert backend.source(search.parse('"night buses run"'))[1] == '"night_buses buses_run"'
        for query in ('"night buses" heron', '"night buses" -tram', "heron", '"heron"'):
            assert backend.source(search.parse(query))[0] == search.TABLE, query

    def test_pairs_find_and_rank_what_the_words_table_would(self, monkeypatch):
        author = make_author(name="Priya Achterberg", slug="priya")
        make_article(title="Night buses run late", authors=[author], tags=["Copper Kites"])
        make_article(title="Late night trams", body="<p>The buses run; night buses too.</p>")
        make_article(title="Café society", dek="Night buses, late trams and cafe society")
        make_article(title="Buses at night", body="<p>A twelve-city tour of 東京 駅.</p>")
        make_article(title="Twelve city halls", body="<p>Night <em>buses</em> again.</p>")
        make_draft(title="Night buses draft")
        by_pairs = {query: self.listed(query) for query in self.PHRASES}
        monkeypatch.setattr(search.Query, "pairs_fts5", lambda query: None)
        by_words = {query: self.listed(query) for query in self.PHRASES}
        assert by_pairs == by_words  # the same articles, in the same order
        assert set(by_pairs['"night buses"']) == {
            "Night buses run late",
            "Late night trams",
            "Café society",
            "Twelve city halls",
        }
        assert by_pairs['"night buses"'][0] == "Night buses run late"  # the title's weight

    def test_pairs_follow_edits_exactly(self, client):
        article = make_article(title="Night buses", tags=["Late Trams"])
        article.title = "Café trams"
        save_article(article, tags=["Sea Levels"])
        assert sqlite_pairs(article.pk, "cafe_trams")
        assert sqlite_pairs(article.pk, "sea_levels")
        assert not sqlite_pairs(article.pk, "night_buses")
        assert not sqlite_pairs(article.pk, "late_trams")
        assert found(client, '"night buses"') == []
        assert found(client, '"cafe trams"') == ["Café trams"]
        with connection.cursor() as cursor:  # the deletes matched what was written
            cursor.execute(
                f"INSERT INTO {search.PAIRS} ({search.PAIRS}) VALUES ('integrity-check')"
            )

    def test_a_deleted_articles_pairs_never_surface_and_a_rebuild_drops_them(self, client):
        gone = make_article(title="Night buses gone")
        make_article(title="Night buses kept")
        gone.delete()
        assert found(client, '"night buses"') == ["Night buses kept"]
        assert search.search('"night buses"').count() == 1
        call_command("search_rebuild", verbosity=0)
        assert not sqlite_pairs(gone.pk, "night_buses")
        assert found(client, '"night buses"') == ["Night buses kept"]

    def test_the_migration_pairs_the_articles_already_indexed(self, client):
        from importlib import import_module

        make_article(title="Night buses before", tags=["Copper Kites"])
        migration = import_module("articles.migrations.0018_search_word_pairs_sqlite")
        with connection.cursor() as cursor:  # the schema editor, as far as the migration goes
            editor = SimpleNamespace(connection=connection, execute=cursor.execute)
            migration.backward(None, editor)
            migration.forward(None, editor)
        assert found(client, '"night buses"') == ["Night buses before"]
        assert found(client, '"copper kites"') == ["Night buses before"]

    def test_pairs_made_another_way_ask_for_a_rebuild(self):
        from django.core.management import call_command as run

        from articles.checks import search_pairs_made_the_current_way

        assert search_pairs_made_the_current_way(databases=["default"]) == []
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {search.PAIRS_VERSION_TABLE} SET version = '0 unicode 13.0.0'")
        (warning,) = search_pairs_made_the_current_way(databases=["default"])
        assert warning.id == "articles.W001"
        assert "'0 unicode 13.0.0'" in warning.msg
        assert "search_rebuild" in warning.hint
        run("search_rebuild", verbosity=0)
        assert search_pairs_made_the_current_way(databases=["default"]) == []


class ResultsPageTests:
    def test_snippets_are_escaped_and_mark_the_words(self, client):
        make_article(
            title="Escaping",
            body="<p>Writing &lt;script&gt;alert(1)&lt;/script&gt; beside the kettle.</p>",
        )
        html = client.get("/search/", {"q": "kettle"}).content.decode()
        assert "<mark>kettle</mark>" in html
        assert "alert(1)" in html  # PostgreSQL's ts_headline leaves tag-like words out
        assert "<script>alert" not in html

    def test_snippets_mark_a_match_wherever_it_lies_in_a_long_body(self, client):
        filler = " ".join(["Rain fell on the harbour again today."] * 120)  # ~4,500 characters
        make_article(title="Late", body=f"<p>{filler} Then the heron came.</p>")
        make_article(title="Early", body=f"<p>The egret came first. {filler}</p>")
        make_article(title="Heron in the title only", body=f"<p>{filler}</p>")
        for query, title in (("heron", "Late"), ("egret", "Early")):
            (hit,) = [hit for hit in search.search(query)[:] if hit.article.title == title]
            assert f"<mark>{query}</mark>" in hit.snippet.lower()
        (hit,) = [h for h in search.search("heron")[:] if h.article.title.startswith("Heron")]
        assert "<mark>" not in hit.snippet
        # The body's opening words, none of them cut in half.
        assert set(re.findall(r"\w+", hit.snippet)) <= set(re.findall(r"\w+", filler))

    def test_results_are_paginated_with_a_count(self, client):
        for n in range(14):
            make_article(title=f"Otter report {n}")
        first = client.get("/search/", {"q": "otter"})
        assert "14 articles found." in first.content.decode()
        assert len(first.context["hits"]) == 12
        second = client.get("/search/", {"q": "otter", "page": 2})
        assert len(second.context["hits"]) == 2
        assert client.get("/search/", {"q": "otter", "page": 9}).status_code == 404

    def test_the_empty_state_helps(self, client):
        no_match = client.get("/search/", {"q": "zyzzyva"}).content.decode()
        assert "0 articles found." in no_match
        assert "Nothing matched" in no_match
        no_words = client.get("/search/", {"q": "!!!"}).content.decode()
        assert "needs letters or digits" in no_words

    def test_filters_by_section_including_its_subsections(self, client):
        music = make_category(name="Music", slug="music")
        jazz = make_category(name="Jazz", slug="jazz", parent=music)
        make_article(title="Heron in jazz", category=jazz)
        make_article(title="Heron elsewhere")
        assert found(client, "heron", category="music") == ["Heron in jazz"]

    def test_filters_by_date_range(self, client):
        now = search_now()
        make_article(title="Heron old", published_at=now - datetime.timedelta(days=400))
        make_article(title="Heron new", published_at=now - datetime.timedelta(days=1))
        since = (now - datetime.timedelta(days=30)).date().isoformat()
        assert found(client, "heron", **{"from": since}) == ["Heron new"]
        assert found(client, "heron", to=since) == ["Heron old"]

    @pytest.mark.parametrize(
        "params",
        [
            {"category": "no-such-section"},
            {"category": "\x00"},
            {"from": "2024-02-30"},
            {"from": "yesterday"},
            {"to": "9999-99-99"},
            {"from": "2024-03-10T00:00"},
            {"from": "x" * 5000},
            {"from": "2999-01-01", "to": "2000-01-01"},
            {"page": "abc"},
        ],
    )
    def test_malformed_filters_are_ignored_or_refused_never_a_500(self, client, params):
        make_article(title="Heron")
        response = client.get("/search/", {"q": "heron", **params})
        assert response.status_code in (200, 404)
        if response.status_code == 200 and "page" not in params:
            assert [hit.article.title for hit in response.context["hits"]] == ["Heron"]

    def test_a_draft_only_section_is_not_offered(self, client):
        hidden = make_category(name="Hidden desk", slug="hidden-desk")
        make_draft(title="Heron draft", category=hidden)
        make_article(title="Heron live")
        response = client.get("/search/", {"q": "heron", "category": "hidden-desk"})
        assert hidden not in response.context["categories"]
        assert 'value="hidden-desk"' not in response.content.decode()
        assert [hit.article.title for hit in response.context["hits"]] == ["Heron live"]


class IndexInStepTests:
    def test_tags_and_byline_given_to_save_article_are_indexed(self, client):
        author = make_author(name="Priya Achterberg", slug="priya")
        article = make_article(title="Quiet piece")
        save_article(article, authors=[author], tags=["Copper Kites"])
        assert found(client, "achterberg") == ["Quiet piece"]
        assert found(client, "kites") == ["Quiet piece"]
        save_article(article, authors=[], tags=[])
        assert found(client, "achterberg") == []

    def test_publishing_and_unpublishing_need_no_reindex(self, client):
        editor = make_editor()
        article = make_draft(title="Gannet story")
        assert found(client, "gannet") == []
        article = publish_now(article, editor)  # the transitions return the saved copy
        assert found(client, "gannet") == ["Gannet story"]
        unpublish(article, editor)
        assert found(client, "gannet") == []

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's word pairs")
    def test_word_pairs_follow_the_text_on_postgresql(self):
        article = make_article(title="Night buses", tags=["Late Trams"])
        article.title = "Café trams"
        save_article(article)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pairs::text FROM articles_search WHERE article_id = %s", [article.pk]
            )
            pairs = cursor.fetchone()[0]
        assert "'cafe tram'" in pairs
        assert "'late tram'" in pairs
        assert "night buse" not in pairs

    def test_merged_tags_are_searched_by_the_new_name(self, client):
        article = make_article(title="Merged", tags=["Salt Tides"])
        target = Tag.objects.create(name="Sea Levels", slug="sea-levels")
        merge_tags(target, [Tag.objects.get(name="Salt Tides")])
        assert indexed("levels") == {article.pk}
        assert indexed("tides") == set()

    def test_renaming_an_author_or_a_tag_in_the_admin_reindexes(self, admin_client):
        author = make_author(name="Wren Blom", slug="wren-blom")
        article = make_article(title="Renamed", authors=[author], tags=["Glass Arches"])
        admin = admin_client
        response = admin.post(
            f"/admin/articles/author/{author.pk}/change/",
            {"name": "Wren Carvalho", "slug": "wren-blom", "bio": ""},
        )
        assert response.status_code == 302
        tag = Tag.objects.get(name="Glass Arches")
        response = admin.post(
            f"/admin/taggit/tag/{tag.pk}/change/", {"name": "Glass Pylons", "slug": tag.slug}
        )
        assert response.status_code == 302
        assert indexed("carvalho") == {article.pk}
        assert indexed("blom") == set()
        assert indexed("pylons") == {article.pk}
        assert indexed("arches") == set()

    def test_generate_articles_indexes_what_it_adds(self):
        call_command("generate_articles", "30", "--seed", "3", verbosity=0)
        assert search.indexed_count() == Article.objects.count() == 30
        assert indexed("council") <= set(Article.objects.values_list("pk", flat=True))
        assert indexed("council")

    def test_search_rebuild_starts_from_scratch(self, client):
        make_article(title="Rebuilt osprey")
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {search.TABLE}")
        assert found(client, "osprey") == []
        call_command("search_rebuild", "--batch-size", "1", verbosity=0)
        assert found(client, "osprey") == ["Rebuilt osprey"]
        assert search.indexed_count() == 1

    @pytest.mark.parametrize("value", ["0", "-5", "abc", "1e9"])
    def test_search_rebuild_refuses_a_bad_batch_size(self, value):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError):
            call_command("search_rebuild", "--batch-size", value)


class AdminSearchTests:
    def test_the_changelist_finds_every_state_by_index(self):
        author = make_author(name="Oskar Dunmore", slug="oskar")
        draft = make_draft(title="Draft albatross", authors=[author])
        live = make_article(title="Live piece", body="<p>An albatross.</p>")
        make_article(title="Unrelated")
        client = logged_in(make_editor())
        response = client.get(CHANGELIST_URL, {"q": "albatross"})
        assert {a.pk for a in response.context["cl"].result_list} == {draft.pk, live.pk}
        response = client.get(CHANGELIST_URL, {"q": "dunmore"})
        assert [a.pk for a in response.context["cl"].result_list] == [draft.pk]

    @pytest.mark.parametrize("query", ['"', "AND (", "\x00", "*", "a" * 5000])
    def test_the_changelist_survives_hostile_searches(self, query):
        client = logged_in(make_editor())
        assert client.get(CHANGELIST_URL, {"q": query}).status_code == 200


def search_now() -> datetime.datetime:
    from django.utils import timezone

    return timezone.now()
