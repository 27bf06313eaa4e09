"""The article form's writing aids (articles/admin/editor.py): the embed
cards endpoint, the embeds' card text edited with the article, oEmbed on
save, and the byline name asked of a writer once."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from articles.admin.editor import MAX_PREVIEW_BODY, MAX_PREVIEW_CARDS
from articles.models import Article, Author
from embeds.models import Embed
from tests.articles.editorial import (
    ADD_URL,
    change_url,
    form_data,
    logged_in,
    make_editor,
    make_writer,
    new_article_data,
)
from tests.embeds import conftest as embeds_fixtures
from tests.factories import make_article, make_category, make_draft

# The local oEmbed server of the embeds tests, as fixtures here too.
oembed_http = embeds_fixtures.oembed_http
oembed_server = embeds_fixtures.oembed_server

pytestmark = pytest.mark.django_db

CARDS_URL = reverse("admin:articles_article_embed_cards")
NAME_URL = reverse("admin:articles_article_byline_name")
INSTAGRAM = "https://www.instagram.com/p/CdGx1aPrQ3e/"
OTHER_INSTAGRAM = "https://www.instagram.com/p/CdKJx1xLk2A/"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def own_draft(writer: User, **overrides) -> Article:
    return make_draft(authors=[writer.author], **overrides)


def embed_data(response) -> dict:
    """The embed formset's fields as the change form posts them."""
    formset = response.context["adminform"].form.embeds
    data = {}
    management = formset.management_form
    for name in management.fields:
        data[management.add_prefix(name)] = management[name].value()
    for form in formset.forms:
        for name in form.fields:
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else str(value)
    return data


class EmbedCardsTests:
    def test_cards_of_urls_on_their_own_line_as_the_page_shows_them(self):
        Embed.objects.create(url=INSTAGRAM, author_name="Nadia Vale", author_handle="nadiavale")
        client = logged_in(make_writer())
        body = f"<p>Intro {YOUTUBE} inline.</p><p>{INSTAGRAM}</p><p> {YOUTUBE} </p>"
        response = client.post(CARDS_URL, {"body": body})
        assert response.status_code == 200
        text = response.content.decode()
        assert "View this post on Instagram" in text
        assert "A post shared by Nadia Vale (@nadiavale)" in text
        assert "Watch on YouTube" in text
        assert text.count('class="nr-cards__item"') == 2
        # Nothing loads from a provider: frames wait in data attributes.
        assert "<iframe" not in text
        assert "<script" not in text

    def test_a_body_without_embeds_says_so(self):
        client = logged_in(make_writer())
        response = client.post(CARDS_URL, {"body": "<p>Just words, https://example.com/x.</p>"})
        assert response.status_code == 200
        assert "No embeds yet" in response.content.decode()
        assert client.post(CARDS_URL, {}).status_code == 200

    def test_hostile_bodies_are_escaped_never_an_error(self):
        client = logged_in(make_writer())
        for body in [
            '<p>https://www.instagram.com/p/"><script>alert(1)</script>/</p>',
            '<p><a href="javascript:alert(1)">javascript:alert(1)</a></p>',
            '<p>[embed]https://www.instagram.com/p/x"><img src=x onerror=alert(1)>[/embed]</p>',
            "<p>" * 5000,
            "\x00\u202e<p>https://www.instagram.com/p/CdGx1aPrQ3e/\x00</p>",
            "[embed]" * 1000,
        ]:
            response = client.post(CARDS_URL, {"body": body})
            assert response.status_code == 200, body[:60]
            text = response.content.decode()
            assert "<script" not in text
            assert "onerror" not in text
            assert "javascript:" not in text

    def test_a_huge_body_is_a_clear_400(self):
        client = logged_in(make_writer())
        response = client.post(CARDS_URL, {"body": "x" * (MAX_PREVIEW_BODY + 1)})
        assert response.status_code == 400
        assert "too long" in response.content.decode()

    def test_a_request_beyond_the_upload_limit_is_a_400(self, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
        client = logged_in(make_writer())
        response = client.post(CARDS_URL, {"body": "x" * 20_000})
        assert response.status_code == 400

    def test_cards_are_capped(self):
        client = logged_in(make_writer())
        body = "".join(
            f"<p>https://www.youtube.com/watch?v=a{n:010d}</p>"
            for n in range(MAX_PREVIEW_CARDS + 5)
        )
        text = client.post(CARDS_URL, {"body": body}).content.decode()
        assert text.count('class="nr-cards__item"') == MAX_PREVIEW_CARDS

    def test_only_people_who_write_articles_may_ask(self):
        assert self_post(None).status_code == 302  # to the login page
        nobody = User.objects.create_user("nobody", password="x", is_staff=True)
        assert self_post(nobody).status_code == 403
        client = logged_in(make_writer())
        assert client.get(CARDS_URL).status_code == 405

    def test_the_csrf_token_is_required(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(make_writer())
        assert client.post(CARDS_URL, {"body": f"<p>{INSTAGRAM}</p>"}).status_code == 403

    @pytest.mark.parametrize("count", [1, 12])
    def test_query_count_does_not_grow_with_the_embeds(self, count, django_assert_num_queries):
        client = logged_in(make_writer())
        body = "".join(f"<p>https://www.youtube.com/watch?v=b{n:010d}</p>" for n in range(count))
        for n in range(count):
            Embed.objects.create(url=f"https://www.youtube.com/watch?v=b{n:010d}", title=f"T{n}")
        # Session, user, the user's own and group permissions, the embeds' rows.
        with django_assert_num_queries(5):
            response = client.post(CARDS_URL, {"body": body})
        assert response.content.decode().count("T") >= count


def self_post(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client.post(CARDS_URL, {"body": f"<p>{INSTAGRAM}</p>"})


class EmbedMetadataTests:
    def test_a_writer_edits_the_card_text_of_embeds_in_their_own_article(self):
        writer = make_writer()
        embed = Embed.objects.create(url=INSTAGRAM)
        article = own_draft(writer, body=f"<p>Intro.</p><p>{INSTAGRAM}</p>")
        client = logged_in(writer)
        page = client.get(change_url(article))
        text = page.content.decode()
        assert f'id="embed-metadata-{embed.pk}"' in text
        assert f'href="#embed-metadata-{embed.pk}"' in text  # from the panel
        data = form_data(page) | embed_data(page)
        data.update(
            {
                "embed-0-author_name": "Nadia Vale",
                "embed-0-author_handle": "@nadiavale",
                "embed-0-title": "Backstage",
            }
        )
        response = client.post(change_url(article), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        embed.refresh_from_db()
        assert (embed.author_name, embed.author_handle, embed.title) == (
            "Nadia Vale",
            "nadiavale",
            "Backstage",
        )

    def test_a_bad_handle_saves_nothing(self):
        writer = make_writer()
        embed = Embed.objects.create(url=INSTAGRAM, author_name="Before")
        article = own_draft(writer, body=f"<p>{INSTAGRAM}</p>", title="Old title")
        client = logged_in(writer)
        page = client.get(change_url(article))
        data = form_data(page) | embed_data(page)
        data.update(
            {
                "title": "New title",
                "embed-0-author_name": "After",
                "embed-0-author_handle": '"><script>alert(1)</script>',
            }
        )
        response = client.post(change_url(article), data)
        assert response.status_code == 200
        assert "Letters, digits, dots, dashes and underscores only." in response.content.decode()
        embed.refresh_from_db()
        article.refresh_from_db()
        assert embed.author_name == "Before"
        assert article.title == "Old title"

    def test_embeds_of_other_articles_cannot_be_edited_through_this_one(self):
        writer = make_writer()
        Embed.objects.create(url=INSTAGRAM)
        elsewhere = Embed.objects.create(url=OTHER_INSTAGRAM, author_name="Theirs")
        article = own_draft(writer, body=f"<p>{INSTAGRAM}</p>")
        client = logged_in(writer)
        page = client.get(change_url(article))
        data = form_data(page) | embed_data(page)
        data.update({"embed-0-id": str(elsewhere.pk), "embed-0-author_name": "Hijacked"})
        response = client.post(change_url(article), data)
        assert response.status_code == 200
        elsewhere.refresh_from_db()
        assert elsewhere.author_name == "Theirs"

    @pytest.mark.parametrize(
        "management",
        [
            {"embed-TOTAL_FORMS": "100000", "embed-INITIAL_FORMS": "1"},
            {"embed-TOTAL_FORMS": "nope", "embed-INITIAL_FORMS": "x"},
            {"embed-0-id": "1 OR 1=1"},
        ],
    )
    def test_malformed_formset_data_is_a_form_error(self, management):
        writer = make_writer()
        Embed.objects.create(url=INSTAGRAM)
        article = own_draft(writer, body=f"<p>{INSTAGRAM}</p>", title="Kept")
        client = logged_in(writer)
        page = client.get(change_url(article))
        data = form_data(page) | embed_data(page) | management | {"title": "Changed"}
        response = client.post(change_url(article), data)
        assert response.status_code == 200
        article.refresh_from_db()
        assert article.title == "Kept"

    def test_a_writer_cannot_edit_the_embeds_of_a_published_article(self):
        writer = make_writer()
        embed = Embed.objects.create(url=INSTAGRAM, author_name="Before")
        article = make_article(authors=[writer.author], body=f"<p>{INSTAGRAM}</p>")
        editor = logged_in(make_editor())
        page = editor.get(change_url(article))
        data = form_data(page) | embed_data(page) | {"embed-0-author_name": "After"}
        response = logged_in(writer).post(change_url(article), data)
        assert response.status_code == 403
        embed.refresh_from_db()
        assert embed.author_name == "Before"

    def test_a_post_without_the_embed_fields_leaves_embeds_alone(self):
        writer = make_writer()
        embed = Embed.objects.create(url=INSTAGRAM, author_name="Kept")
        article = own_draft(writer, body=f"<p>{INSTAGRAM}</p>")
        client = logged_in(writer)
        response = client.post(change_url(article), form_data(client.get(change_url(article))))
        assert response.status_code == 302
        embed.refresh_from_db()
        assert embed.author_name == "Kept"


class OEmbedOnSaveTests:
    def test_saving_fills_new_embeds_from_the_provider_once(
        self, oembed_server, settings, django_capture_on_commit_callbacks
    ):
        settings.EMBEDS_AUTOFILL_ON_SAVE = True
        client = logged_in(make_editor())
        data = new_article_data(
            make_category(), body=f"<p>{YOUTUBE}</p><p>{INSTAGRAM}</p>", title="With a video"
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ADD_URL, data)
        assert response.status_code == 302
        video = Embed.objects.get(url=YOUTUBE)
        assert video.author_name == "Nadia Vale"
        assert video.title == "Photograph (Official Video)"
        assert video.fetched_at is not None
        # Instagram has no public endpoint: its row waits for the editor.
        assert Embed.objects.get(url=INSTAGRAM).fetched_at is None
        asked = len(oembed_server.requests)
        article = Article.objects.get(title="With a video")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(change_url(article), form_data(client.get(change_url(article))))
        assert response.status_code == 302
        assert len(oembed_server.requests) == asked  # never asked again

    def test_a_failing_provider_never_fails_the_save(
        self, oembed_server, settings, django_capture_on_commit_callbacks
    ):
        settings.EMBEDS_AUTOFILL_ON_SAVE = True
        settings.EMBEDS_OEMBED_ENDPOINTS = oembed_server.endpoints(youtube="500")
        client = logged_in(make_editor())
        data = new_article_data(make_category(), body=f"<p>{YOUTUBE}</p>")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ADD_URL, data)
        assert response.status_code == 302
        video = Embed.objects.get(url=YOUTUBE)
        assert video.author_name == ""
        assert video.fetch_error


class BylineNameTests:
    def test_a_writer_without_a_profile_is_asked_once_and_the_byline_uses_it(self):
        writer = make_writer("wendy", author=False)
        client = logged_in(writer)
        response = client.get(ADD_URL)
        assert response.status_code == 302
        assert response["Location"].startswith(NAME_URL)
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert "Your name as readers will see it" in page.content.decode()
        done = client.post(NAME_URL, {"name": "  Wendy Okafor ", "next": ADD_URL})
        assert done.status_code == 302 and done["Location"] == ADD_URL
        assert Author.objects.get(user=writer).name == "Wendy Okafor"
        assert client.get(ADD_URL).status_code == 200
        # Asked once: the page now sends them straight on.
        assert client.get(NAME_URL)["Location"] == ADD_URL
        saved = client.post(ADD_URL, new_article_data(make_category(), title="Mine"))
        assert saved.status_code == 302
        article = Article.objects.get(title="Mine")
        assert [a.name for a in article.ordered_authors] == ["Wendy Okafor"]

    @pytest.mark.parametrize("name", ["", "   ", "\u202e\u202e", "x" * 151])
    def test_an_empty_or_overlong_name_is_refused(self, name):
        writer = make_writer("wendy", author=False)
        response = logged_in(writer).post(NAME_URL, {"name": name})
        assert response.status_code == 200
        assert not Author.objects.filter(user=writer).exists()

    def test_next_never_leaves_the_site(self):
        writer = make_writer("wendy", author=False)
        response = logged_in(writer).post(
            NAME_URL, {"name": "Wendy", "next": "https://evil.example/"}
        )
        assert response["Location"] == ADD_URL

    def test_editors_and_writers_with_a_profile_are_not_asked(self):
        assert logged_in(make_editor("ed", author=False)).get(ADD_URL).status_code == 200
        assert logged_in(make_writer()).get(ADD_URL).status_code == 200

    def test_people_who_cannot_write_get_a_403(self):
        nobody = User.objects.create_user("nobody", password="x", is_staff=True)
        assert logged_in(nobody).get(NAME_URL).status_code == 403

    def test_the_name_page_runs_a_fixed_number_of_queries(self, django_assert_num_queries):
        client = logged_in(make_writer("wendy", author=False))
        # Session, user, the user's own and group permissions, the author lookup.
        with django_assert_num_queries(5):
            assert client.get(NAME_URL).status_code == 200


class ChangeFormTests:
    def test_the_form_carries_the_writing_aids(self):
        editor = make_editor()
        article = make_draft(body=f"<p>{INSTAGRAM}</p>")
        text = logged_in(editor).get(change_url(article)).content.decode()
        assert 'id="nr-editor-tools"' in text
        assert f'data-cards-url="{CARDS_URL}"' in text
        assert 'data-permalink-pattern="http' in text
        assert 'data-copy="nr-preview-url"' in text  # the signed preview link's copy button
        assert "admin-newsroom/editor." in text
        assert "admin-newsroom/a11y." in text
