"""The content API: the gate, filters, cursors, hostile input, HTTP, schema."""

import datetime
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from articles.models import Article
from tests.articles.conftest import NOON
from tests.factories import make_article, make_author, make_category, make_draft

pytestmark = pytest.mark.django_db

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi-v1.json"


@pytest.fixture
def newsroom(noon):
    news = make_category(name="News", slug="news")
    music = make_category(name="Music", slug="music")
    ana = make_author(name="Ana", slug="ana")
    published = [
        make_article(
            title=f"Live {n}",
            category=news if n % 2 else music,
            authors=[ana] if n % 3 == 0 else [],
            tags=["shared", f"tag-{n % 2}"],
            published_at=NOON - datetime.timedelta(hours=n + 1),
        )
        for n in range(7)
    ]
    hidden_category = make_category(name="Hidden Section", slug="hidden-section")
    hidden_author = make_author(name="Hidden Hugo", slug="hidden-hugo")
    hidden = [
        make_draft(title="Secret draft", category=hidden_category, authors=[hidden_author],
                   tags=["hidden-tag"]),
        make_article(title="Secret review", status=Article.Status.REVIEW,
                     published_at=NOON - datetime.timedelta(hours=1), tags=["hidden-tag"]),
        make_article(title="Secret scheduled", published_at=NOON + datetime.timedelta(minutes=30),
                     category=news, authors=[hidden_author], tags=["hidden-tag", "shared"]),
    ]  # fmt: skip
    return published, hidden


def get(client, path, **params):
    return client.get(f"/api/v1{path}", params)


def walk(client, path, **params) -> list[dict]:
    """Every result of a list, following ``next`` to the end."""
    results, response = [], get(client, path, **params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        results += body["results"]
        if not body["next"]:
            return results
        response = client.get(body["next"])


class GateTests:
    def test_no_unpublished_article_appears_in_any_endpoint(self, client, newsroom):
        _published, hidden = newsroom
        paths = [
            "/articles", "/articles?category=news", "/articles?tag=shared",
            "/articles?tag=hidden-tag", "/articles?author=hidden-hugo",
            "/articles?ordering=published_at", "/categories", "/tags", "/authors",
            "/search?q=secret", "/search?q=live", "/site",
            *(f"/articles/{a.pk}" for a in hidden),
            *(f"/permalinks/{a.published_on:%Y/%m/%d}/{a.slug}"
              for a in hidden if a.published_on),
        ]  # fmt: skip
        for path in paths:
            text = client.get(f"/api/v1{path}").content.decode()
            for article in hidden:
                assert article.title not in text, path
            for name in ("Hidden", "hidden-tag", "hidden-section", "hidden-hugo"):
                assert name not in text, path

    def test_hidden_articles_answer_not_found_as_problem_json(self, client, newsroom):
        _published, hidden = newsroom
        for article in hidden:
            response = get(client, f"/articles/{article.pk}")
            assert response.status_code == 404
            assert response["Content-Type"] == "application/problem+json"
            assert response.json()["status"] == 404

    def test_a_scheduled_article_appears_at_its_time(self, client, newsroom, time_machine):
        _published, hidden = newsroom
        scheduled = hidden[2]
        assert scheduled.pk not in [a["id"] for a in walk(client, "/articles")]
        time_machine.move_to(NOON + datetime.timedelta(minutes=31), tick=False)
        ids = [a["id"] for a in walk(client, "/articles")]
        assert ids[0] == scheduled.pk
        assert get(client, f"/articles/{scheduled.pk}").status_code == 200
        assert "hidden-tag" in {t["slug"] for t in get(client, "/tags").json()}


class ArticleTests:
    def test_detail_has_the_fields_of_the_issue(self, client, newsroom):
        article = newsroom[0][3]
        body = get(client, f"/articles/{article.pk}").json()
        assert body["title"] == article.title
        assert body["published_at"] == "2024-03-10T08:00:00+00:00"
        assert body["url"].endswith(article.get_absolute_url())
        assert body["category"]["slug"] == "news"
        assert [a["slug"] for a in body["authors"]] == ["ana"]
        assert {t["slug"] for t in body["tags"]} == {"shared", "tag-1"}
        assert body["body"].startswith("<p>")
        assert body["embeds"] == []
        assert body["image"] is None

    def test_embeds_are_structured_objects(self, client, noon):
        url = "https://www.instagram.com/p/ABC123def/"
        article = make_article(body=f"<p>Before.</p><p>{url}</p>")
        from embeds.models import Embed

        Embed.objects.ensure([url])
        Embed.objects.filter(url=url).update(author_name="Ana Lens", author_handle="analens")
        embeds = get(client, f"/articles/{article.pk}").json()["embeds"]
        assert embeds == [
            {"provider": "instagram", "url": url, "author_name": "Ana Lens",
             "author_handle": "analens", "title": ""}
        ]  # fmt: skip

    def test_permalink_finds_the_published_article(self, client, newsroom):
        article = newsroom[0][0]
        path = f"/permalinks/{article.published_on:%Y/%m/%d}/{article.slug}"
        assert get(client, path).json()["id"] == article.pk
        assert get(client, "/permalinks/2024/02/30/x").status_code == 400

    def test_cursor_pages_stay_stable_while_articles_are_published(self, client, newsroom):
        first = get(client, "/articles", limit=3).json()
        make_article(title="Brand new", published_at=NOON - datetime.timedelta(seconds=1))
        second = client.get(first["next"]).json()
        ids = [a["id"] for a in first["results"] + second["results"]]
        expected = [a.pk for a in sorted(newsroom[0], key=lambda a: a.published_at, reverse=True)]
        assert ids == expected[:6]

    def test_cursor_pages_neither_skip_nor_repeat_articles_sharing_a_time(self, client, noon):
        moment = NOON - datetime.timedelta(microseconds=123457)
        same = {make_article(published_at=moment).pk for _ in range(5)}
        listed = [a["id"] for a in walk(client, "/articles", limit=2)]
        assert sorted(listed) == sorted(same)
        oldest = [a["id"] for a in walk(client, "/articles", limit=2, ordering="published_at")]
        assert oldest == sorted(same)

    def test_filters_and_ordering(self, client, newsroom):
        published = newsroom[0]
        by = {a.pk: a for a in published}
        news = [a["id"] for a in walk(client, "/articles", category="news")]
        assert news and all(by[pk].category.slug == "news" for pk in news)
        ana = [a["id"] for a in walk(client, "/articles", author="ana")]
        assert sorted(ana) == sorted(a.pk for a in published[::3])
        tagged = walk(client, "/articles", tag="tag-0", limit=2)
        assert len(tagged) == 4
        oldest = walk(client, "/articles", ordering="published_at", limit=2)
        assert [a["id"] for a in oldest] == [a.pk for a in reversed(published)]
        window = walk(
            client, "/articles",
            published_after="2024-03-10T08:00:00+00:00", published_before="2024-03-10T11:00:00Z",
        )  # fmt: skip
        assert [a["title"] for a in window] == ["Live 1", "Live 2", "Live 3"]

    def test_fields_trims_the_payload(self, client, newsroom):
        results = get(client, "/articles", fields="id,title").json()["results"]
        assert all(set(item) == {"id", "title"} for item in results)


class HostileInputTests:
    @pytest.mark.parametrize(
        "query",
        [
            "limit=abc",
            "limit=0",
            "limit=101",
            "limit=99999999999999999999999999",
            "published_after=yesterday",
            "published_after=99999999999999999999",
            "published_before=2024-13-01",
            "ordering=title",
            "cursor=%21%21%21",
            "cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTk6MQ",
            "cursor=MTow",
            "cursor=LTE6MQ",
            "cursor=MS41OjE",
            "category=a%00b",
            "tag=%00",
            "author=../../etc",
            "fields=body",
            "fields=,",
            "unknown=1",
            "tag=a&tag=b",
            "category=" + "x" * 500,
        ],  # fmt: skip
    )
    def test_bad_list_filters_answer_400_problem_json(self, client, newsroom, query):
        response = client.get(f"/api/v1/articles?{query}")
        assert response.status_code == 400, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 400

    @pytest.mark.parametrize(
        "path",
        [
            "/articles/0",
            "/articles/99999999999999999999999",
            "/articles/abc",
            "/search",
            "/search?q=",
            "/search?q=a%00",
            "/search?q=x&offset=-1",
            "/search?q=x&offset=1000000000000000",
            "/search?q=x&date_from=never",
            "/categories?x=1",
            "/site?q=1",
            "/permalinks/99999/01/01/x",
        ],  # fmt: skip
    )
    def test_bad_values_anywhere_answer_400(self, client, newsroom, path):
        response = client.get(f"/api/v1{path}")
        assert response.status_code == 400, response.content
        assert response["Content-Type"] == "application/problem+json"

    def test_an_id_past_every_row_is_a_404_not_a_500(self, client, newsroom):
        assert get(client, f"/articles/{2**63 - 1}").status_code == 404

    def test_an_unknown_address_is_a_problem_json_404(self, client, newsroom):
        for path in ("/api/v1/nope", "/api/v1/articles/1/extra"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response["Content-Type"] == "application/problem+json", path

    def test_head_is_answered_like_get(self, client, newsroom):
        response = client.head("/api/v1/articles")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"

    def test_writes_are_refused(self, client, newsroom):
        assert client.post("/api/v1/articles").status_code == 405
        assert client.delete(f"/api/v1/articles/{newsroom[0][0].pk}").status_code == 405


class TaxonomyAndSearchTests:
    def test_lists_name_only_what_readers_may_see(self, client, newsroom):
        assert [c["slug"] for c in get(client, "/categories").json()] == ["music", "news"]
        assert {t["slug"] for t in get(client, "/tags").json()} == {"shared", "tag-0", "tag-1"}
        assert [a["slug"] for a in get(client, "/authors").json()] == ["ana"]

    def test_search_finds_published_articles_only(self, client, newsroom):
        body = get(client, "/search", q="live", limit=3).json()
        assert len(body["results"]) == 3 and body["more"]
        assert all(hit["article"]["title"].startswith("Live") for hit in body["results"])
        assert get(client, "/search", q="secret").json() == {"results": [], "more": False}

    def test_site_settings(self, client, settings):
        settings.SITE_NAME = "The Daily"
        assert get(client, "/site").json() == {
            "name": "The Daily", "url": settings.SITE_URL, "language": "en-us"
        }  # fmt: skip


class HttpTests:
    def test_responses_carry_validators_and_answer_304(self, client, newsroom):
        response = get(client, "/articles")
        assert response["Cache-Control"].startswith("public")
        assert "Last-Modified" in response
        again = client.get("/api/v1/articles", HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304

    def test_cache_lifetime_stops_at_the_next_scheduled_article(self, client, newsroom):
        max_age = get(client, "/articles")["Cache-Control"].split("max-age=")[1].split(",")[0]
        assert int(max_age) <= 30 * 60

    def test_errors_are_not_cached(self, client, newsroom):
        assert "no-store" in get(client, "/articles", limit="x")["Cache-Control"]

    def test_cors_is_open_for_get_on_the_api_only(self, client, newsroom):
        origin = {"HTTP_ORIGIN": "https://app.example"}
        assert client.get("/api/v1/site", **origin)["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Origin" not in client.get("/", **origin)
        preflight = client.options(
            "/api/v1/site", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin
        )
        assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


class QueryCountTests:
    @pytest.mark.parametrize("size", [1, 10])
    def test_article_list_queries_do_not_grow_with_page_size(
        self, client, noon, page_cache_off, size
    ):
        news = make_category(name="News", slug="news")
        authors = [make_author(), make_author()]
        for n in range(12):
            make_article(category=news, authors=authors, tags=["a", "b"],
                         published_at=NOON - datetime.timedelta(hours=n + 1))  # fmt: skip
        get(client, "/categories")  # warm the public-category tree
        with CaptureQueriesContext(connection) as captured:
            response = get(client, "/articles", limit=size)
        assert response.status_code == 200
        # articles, bylines with authors, tags.
        assert len(captured) == 3

    @pytest.mark.parametrize("size", [1, 10])
    def test_search_queries_do_not_grow_with_page_size(self, client, noon, page_cache_off, size):
        for n in range(12):
            make_article(title=f"Findable {n}", authors=[make_author()], tags=["a"])
        with CaptureQueriesContext(connection) as captured:
            response = get(client, "/search", q="findable", limit=size)
        assert len(response.json()["results"]) == size
        # Public categories, count and page of hits, cards, bylines, tags.
        assert len(captured) == 6


class SchemaTests:
    def test_served_schema_is_openapi_3_1_and_valid(self, client):
        schema = get(client, "/openapi.json").json()
        assert schema["openapi"].startswith("3.1")
        validate(schema)

    def test_every_documented_example_validates_against_its_schema(self, client):
        schema = get(client, "/openapi.json").json()
        components = schema["components"]
        checked = 0
        for component in components["schemas"].values():
            for example in component.get("examples", []):
                OAS31Validator({**component, "components": components}).validate(example)
                checked += 1
        assert checked >= 5, "examples went missing"

    @pytest.mark.parametrize("fields", [None, "id,title,url", "tags,authors,image,category"])
    def test_list_responses_validate_against_the_schema(self, client, newsroom, fields):
        """The list is written out without ninja's validation: this is its check."""
        schema = get(client, "/openapi.json").json()
        components = schema["components"]
        page = {"$ref": "#/components/schemas/ArticlePage"}
        params = {"limit": 3} | ({"fields": fields} if fields else {})
        body = get(client, "/articles", **params).json()
        assert len(body["results"]) == 3 and body["next"]
        OAS31Validator({**page, "components": components}).validate(body)
        if fields:
            assert all(list(card) == fields.split(",") for card in body["results"])

    def test_served_schema_matches_the_committed_file(self, client):
        """A change to the API must update docs/api/openapi-v1.json (make api-schema)."""
        served = get(client, "/openapi.json").json()
        assert served == json.loads(SCHEMA_FILE.read_text()), "update docs/api/openapi-v1.json"

    def test_docs_page_uses_only_our_own_static_files(self, client):
        html = get(client, "/docs").content.decode()
        assert '<script src="/static/ninja/swagger-ui-bundle.' in html
        assert "cdn" not in html.lower()


class RateLimitTests:
    def test_a_client_past_its_budget_gets_429_until_the_next_minute(
        self, client, settings, time_machine
    ):
        time_machine.move_to(NOON, tick=False)
        settings.API_RATE_LIMIT = 3
        assert [get(client, "/site").status_code for _ in range(3)] == [200, 200, 200]
        refused = get(client, "/site")
        assert refused.status_code == 429
        assert refused["Content-Type"] == "application/problem+json"
        assert refused["Retry-After"] == "61"
        assert "no-store" in refused["Cache-Control"]
        assert client.get("/api/v1/site", REMOTE_ADDR="10.0.0.2").status_code == 200
        assert client.get("/").status_code == 200  # the reader pages have no such budget
        time_machine.move_to(NOON + datetime.timedelta(minutes=1), tick=False)
        assert get(client, "/site").status_code == 200

    def test_behind_the_proxy_each_client_has_its_own_budget(self, client, settings, time_machine):
        time_machine.move_to(NOON, tick=False)
        settings.API_RATE_LIMIT = 2
        settings.FORWARDED_ALLOW_IPS = ["127.0.0.1"]

        def via_proxy(forwarded: str) -> int:
            return client.get(
                "/api/v1/site", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
            ).status_code

        assert [via_proxy("203.0.113.7") for _ in range(3)] == [200, 200, 429]
        assert via_proxy("198.51.100.9") == 200  # another reader, not the proxy's budget
        # A client that is not a trusted proxy cannot pick its own address.
        spoofed = client.get("/api/v1/site", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
        again = client.get("/api/v1/site", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="5.6.7.8")
        blocked = client.get("/api/v1/site", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="9.9.9.9")
        assert [spoofed.status_code, again.status_code, blocked.status_code] == [200, 200, 429]


class ArticleUrlTests:
    @pytest.mark.parametrize("slug", ["plain-slug", "café-ñandú", "日本語", "a_b-1"])
    def test_card_urls_are_what_reverse_gives(self, slug):
        from articles.api.output import article_url
        from articles.links import absolute_url

        article = make_article(title="Any", slug=slug)
        assert article_url(article) == absolute_url(article.get_absolute_url())


class IndexTests:
    def test_the_index_lists_every_endpoint_the_schema_and_the_docs(self, client, settings):
        settings.SITE_URL = "https://news.example.org"
        response = client.get("/api/v1/")
        assert response.status_code == 200
        body = response.json()
        assert body["openapi"] == "https://news.example.org/api/v1/openapi.json"
        assert body["docs"] == "https://news.example.org/api/v1/docs"
        paths = set(get(client, "/openapi.json").json()["paths"]) - {"/api/v1/"}
        listed = {
            url.removeprefix("https://news.example.org") for url in body["endpoints"].values()
        }
        assert listed == paths
        assert client.get("/api/v1/docs").status_code == 200

    def test_the_index_refuses_unknown_parameters(self, client):
        response = client.get("/api/v1/", {"x": "1"})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"

    def test_the_schema_offers_the_partner_key_as_optional(self, client):
        schema = get(client, "/openapi.json").json()
        assert set(schema["components"]["securitySchemes"]) == {"bearerKey", "apiKeyHeader"}
        assert {} in schema["security"]
        assert "401" in schema["paths"]["/api/v1/articles"]["get"]["responses"]
