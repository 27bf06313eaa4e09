"""Signed preview links: valid, expired, tampered, revoked, and after publish."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse

from articles import preview
from articles.models import Article
from tests.articles.editorial import (
    change_url,
    logged_in,
    make_editor,
    make_writer,
)
from tests.factories import make_article, make_draft, make_scheduled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]


def path_for(token: str) -> str:
    return reverse("articles:preview", kwargs={"token": token})


def preview_path(article: Article) -> str:
    return path_for(preview.preview_token(article))


class TestValidLink:
    def test_a_draft_is_readable_without_login(self, client):
        article = make_draft(title="Secret scoop", body="<p>The body text.</p>")
        response = client.get(preview_path(article))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Secret scoop" in text
        assert "The body text." in text
        assert "<strong>Preview</strong>" in text
        assert "Not published" not in text  # the staff banner would be wrong here

    def test_it_is_never_cached_or_indexed_and_keeps_its_token_private(self, client):
        response = client.get(preview_path(make_draft()))
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
        assert response["Referrer-Policy"] == "no-referrer"

    def test_a_scheduled_article_says_when_it_goes_live(self, client):
        article = make_scheduled()
        response = client.get(preview_path(article))
        assert response.status_code == 200
        assert "this article is scheduled for" in response.content.decode()

    def test_the_preview_is_not_on_the_public_page(self, client):
        article = make_draft()
        assert client.get(article.get_absolute_url()).status_code == 404


class TestInvalidLinks:
    def test_an_expired_link_is_a_404(self, client, time_machine):
        article = make_draft()
        token = preview.preview_token(article)
        time_machine.move_to(
            datetime.datetime.now(datetime.UTC) + preview.max_age() + datetime.timedelta(minutes=1)
        )
        assert client.get(path_for(token)).status_code == 404

    def test_a_link_just_before_expiry_still_works(self, client, time_machine):
        article = make_draft()
        token = preview.preview_token(article)
        time_machine.move_to(
            datetime.datetime.now(datetime.UTC) + preview.max_age() - datetime.timedelta(minutes=1)
        )
        assert client.get(path_for(token)).status_code == 200

    def test_a_tampered_link_is_a_404(self, client):
        article = make_draft()
        other = make_draft()
        token = preview.preview_token(article)
        # Same signature, another article's id inside: the signature no longer matches.
        forged = signing.dumps({"a": other.pk, "n": article.preview_nonce}, salt="other")
        for bad in [token[:-1] + ("A" if token[-1] != "A" else "B"), forged, token + "x"]:
            assert client.get(path_for(bad)).status_code == 404

    @pytest.mark.parametrize(
        "token",
        ["x", "", ":::", "a" * 5000, "..%00..", "eyJhIjoxfQ:1:2", "💥"],
    )
    def test_garbage_is_a_404_never_a_500(self, client, token):
        response = client.get(f"/preview/{token}/")
        assert response.status_code == 404

    def test_a_signed_payload_of_the_wrong_shape_is_a_404(self, client):
        for payload in [{"a": "x", "n": "y"}, {"n": "y"}, ["a"], {"a": 10**30, "n": ""}]:
            token = signing.dumps(payload, salt=preview.SALT, compress=True)
            assert client.get(path_for(token)).status_code == 404

    def test_a_deleted_article_is_a_404(self, client):
        article = make_draft()
        path = preview_path(article)
        article.delete()
        assert client.get(path).status_code == 404


class TestRevocation:
    def test_revoking_ends_every_link_so_far(self, client):
        article = make_draft()
        old_path = preview_path(article)
        editor = logged_in(make_editor())
        url = reverse("admin:articles_article_revoke_previews", args=[article.pk])
        assert editor.get(url).status_code == 200  # the confirmation page
        assert editor.post(url).status_code == 302
        assert client.get(old_path).status_code == 404
        article.refresh_from_db()
        assert client.get(preview_path(article)).status_code == 200

    def test_revoking_is_not_an_edit(self):
        article = make_draft()
        updated_at = article.updated_at
        preview.revoke_previews(article)
        article.refresh_from_db()
        assert article.updated_at == updated_at

    def test_writers_cannot_revoke_or_see_shareable_links(self):
        writer = make_writer()
        article = make_draft(authors=[writer.author])
        nonce = article.preview_nonce
        client = logged_in(writer)
        url = reverse("admin:articles_article_revoke_previews", args=[article.pk])
        assert client.post(url).status_code == 403
        article.refresh_from_db()
        assert article.preview_nonce == nonce
        assert "/preview/" not in client.get(change_url(article)).content.decode()

    @pytest.mark.parametrize("object_id", ["999999", "abc", "1%00"])
    def test_revoking_an_unknown_article_is_a_404(self, object_id):
        client = logged_in(make_editor())
        assert client.post(f"/admin/articles/article/{object_id}/revoke-previews/").status_code in (
            302,
            404,
        )


class TestAfterPublish:
    def test_the_link_sends_readers_to_the_article(self, client):
        article = make_draft()
        path = preview_path(article)
        article.status = Article.Status.PUBLISHED
        article.save()
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == article.get_absolute_url()

    def test_a_scheduled_article_previews_until_its_time_then_redirects(self, client, time_machine):
        article = make_scheduled(delay=datetime.timedelta(hours=1))
        path = preview_path(article)
        assert client.get(path).status_code == 200
        time_machine.move_to(article.published_at + datetime.timedelta(minutes=1))
        response = client.get(path)
        assert response.status_code == 302
        assert client.get(response["Location"]).status_code == 200

    def test_a_live_article_has_no_preview_button(self):
        article = make_article()
        text = logged_in(make_editor()).get(change_url(article)).content.decode()
        assert "nr-previewlink" not in text
