from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from embeds import providers
from embeds.models import Embed

IG = "https://www.instagram.com/p/CdKJx1xLk2Z/"

pytestmark = pytest.mark.django_db


class EmbedTests:
    def test_save_stores_the_canonical_url_and_provider_fields(self):
        embed = Embed.objects.create(url="https://instagram.com/p/CdKJx1xLk2Z?utm_source=ig_embed")
        assert embed.url == IG
        assert (embed.provider, embed.kind, embed.provider_id) == (
            "instagram",
            "social",
            "CdKJx1xLk2Z",
        )

    def test_one_row_per_canonical_url(self):
        Embed.objects.create(url=IG)
        with pytest.raises(IntegrityError):
            Embed.objects.create(url="https://instagram.com/p/CdKJx1xLk2Z")

    def test_unique_constraint_is_named(self):
        names = {c.name for c in Embed._meta.constraints}
        assert "embeds_embed_unique_url" in names

    def test_clean_rejects_an_unsupported_url(self):
        embed = Embed(url="https://www.instagram.com/natgeo/")
        with pytest.raises(ValidationError) as error:
            embed.full_clean()
        assert "url" in error.value.message_dict

    def test_clean_reports_a_duplicate_in_another_form(self):
        Embed.objects.create(url=IG)
        with pytest.raises(ValidationError) as error:
            Embed(url="https://instagram.com/p/CdKJx1xLk2Z/?igsh=x").full_clean()
        assert "already exists" in str(error.value)

    def test_handle_is_stored_without_the_at_sign(self):
        embed = Embed.objects.create(url=IG, author_handle=" @natgeo ")
        assert embed.author_handle == "natgeo"

    def test_str_names_the_provider_and_the_author(self):
        assert str(Embed(url=IG, provider="instagram", author_handle="natgeo")) == (
            "Instagram: @natgeo"
        )
        assert str(Embed(url=IG, provider="instagram")) == f"Instagram: {IG}"

    def test_clean_accepts_a_handle_with_its_at_sign(self):
        embed = Embed(url=IG, author_handle="@ringo.starr_1")
        embed.full_clean()
        assert embed.author_handle == "ringo.starr_1"

    @pytest.mark.parametrize("handle", ["javascript:alert(1)", "two words", '"><b>'])
    def test_clean_rejects_a_handle_no_provider_allows(self, handle):
        with pytest.raises(ValidationError) as error:
            Embed(url=IG, author_handle=handle).full_clean()
        assert "author_handle" in error.value.message_dict

    def test_player_id_must_be_digits(self):
        embed = Embed(url="https://artist.bandcamp.com/album/record", player_id="42/../x")
        with pytest.raises(ValidationError):
            embed.full_clean()


class EmbedQuerySetTests:
    def test_for_urls_fetches_every_row_in_one_query(self):
        Embed.objects.create(url=IG)
        Embed.objects.create(url="https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC")
        urls = [
            "https://instagram.com/p/CdKJx1xLk2Z",
            "https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=1",
            "https://youtu.be/dQw4w9WgXcQ",
            "https://example.com/not-an-embed",
        ]
        with CaptureQueriesContext(connection) as queries:
            rows = list(Embed.objects.for_urls(urls))
        assert len(queries) == 1
        assert {row.url for row in rows} == {
            IG,
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
        }

    def test_for_urls_runs_no_query_without_embeds(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert list(Embed.objects.for_urls(["https://example.com/"])) == []

    def test_missing_metadata_depends_on_the_kind(self):
        bare_post = Embed.objects.create(url=IG)
        named_post = Embed.objects.create(
            url="https://www.instagram.com/p/CdKJx1xLk2A/", author_name="N", author_handle="n"
        )
        half_post = Embed.objects.create(
            url="https://www.instagram.com/p/CdKJx1xLk2B/", author_name="N"
        )
        bare_track = Embed.objects.create(
            url="https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
        )
        titled_track = Embed.objects.create(
            url="https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQD", title="Song"
        )
        missing = set(Embed.objects.missing_metadata())
        assert missing == {bare_post, half_post, bare_track}
        assert named_post not in missing
        assert titled_track not in missing

    def test_ensure_creates_missing_rows_once(self):
        Embed.objects.create(url=IG, author_name="Kept")
        urls = [IG, "https://youtu.be/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"]
        assert Embed.objects.ensure(urls) == 1
        assert Embed.objects.ensure(urls) == 0
        assert Embed.objects.get(url=IG).author_name == "Kept"
        assert Embed.objects.filter(provider="youtube").count() == 1

    def test_matches_already_made_are_not_matched_again(self, monkeypatch):
        video = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        found = [providers.match(IG), providers.match("https://youtu.be/dQw4w9WgXcQ?t=42")]

        def rematch(url: str) -> None:
            raise AssertionError(f"{url} was matched again")

        monkeypatch.setattr(providers, "match", rematch)
        assert Embed.objects.ensure(found) == 2
        assert {row.url for row in Embed.objects.for_urls(found)} == {IG, video}
        row = Embed.objects.get(url=video)
        assert (row.provider, row.kind, row.provider_id) == ("youtube", "video", "dQw4w9WgXcQ")


def test_embeds_has_no_pending_migrations():
    call_command("makemigrations", "embeds", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.django_db
def test_lacks_metadata_mirrors_the_queryset():
    rows = [
        Embed.objects.create(url="https://www.instagram.com/p/Mirror1/"),
        Embed.objects.create(url="https://www.instagram.com/p/Mirror2/", author_name="A"),
        Embed.objects.create(
            url="https://www.instagram.com/p/Mirror3/", author_name="A", author_handle="a"
        ),
        Embed.objects.create(url="https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"),
        Embed.objects.create(url="https://vimeo.com/76979871", title="A film"),
    ]
    missing = set(Embed.objects.missing_metadata())
    assert {row for row in rows if row.lacks_metadata} == missing
    assert len(missing) == 3
