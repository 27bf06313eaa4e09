import pytest
from django.test import Client
from django.urls import reverse

from embeds.models import Embed

pytestmark = pytest.mark.django_db

POST = "https://www.instagram.com/p/CdKJx1xLk2Z/"
VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
CHANGELIST = reverse("admin:embeds_embed_changelist")


@pytest.fixture
def rows():
    return {
        "post": Embed.objects.create(url=POST, author_name="Nadia Vale", author_handle="ringo"),
        "bare": Embed.objects.create(url="https://www.instagram.com/p/CdKJx1xLk2A/"),
        "video": Embed.objects.create(url=VIDEO, title="Photograph"),
    }


def listed(response) -> set[str]:
    return {embed.url for embed in response.context["cl"].result_list}


class EmbedAdminTests:
    def test_changelist_lists_embeds(self, admin_client: Client, rows):
        response = admin_client.get(CHANGELIST)
        assert response.status_code == 200
        assert listed(response) == {row.url for row in rows.values()}

    def test_search_by_url_and_author(self, admin_client: Client, rows):
        assert listed(admin_client.get(CHANGELIST, {"q": "ringo"})) == {POST}
        assert listed(admin_client.get(CHANGELIST, {"q": "dQw4w9WgXcQ"})) == {VIDEO}

    def test_filter_by_provider(self, admin_client: Client, rows):
        assert listed(admin_client.get(CHANGELIST, {"provider": "youtube"})) == {VIDEO}

    def test_missing_metadata_filter(self, admin_client: Client, rows):
        response = admin_client.get(CHANGELIST, {"metadata": "missing"})
        assert listed(response) == {rows["bare"].url}
        response = admin_client.get(CHANGELIST, {"metadata": "complete"})
        assert listed(response) == {POST, VIDEO}

    def test_change_form_saves_hand_entered_metadata(self, admin_client: Client, rows):
        embed = rows["bare"]
        url = reverse("admin:embeds_embed_change", args=[embed.pk])
        assert admin_client.get(url).status_code == 200
        response = admin_client.post(
            url,
            {
                "author_name": "Nadia Vale",
                "author_handle": "@nadiavalemusic",
                "title": "",
                "caption": "Peace and love",
                "player_id": "",
            },
        )
        assert response.status_code == 302
        embed.refresh_from_db()
        assert (embed.author_name, embed.author_handle) == ("Nadia Vale", "nadiavalemusic")
        assert embed.caption == "Peace and love"
        assert embed.url == "https://www.instagram.com/p/CdKJx1xLk2A/"

    def test_add_form_stores_the_canonical_url(self, admin_client: Client):
        response = admin_client.post(
            reverse("admin:embeds_embed_add"),
            {"url": "https://twitter.com/jack/status/20?s=20", "author_name": "jack"},
        )
        assert response.status_code == 302
        embed = Embed.objects.get()
        assert (embed.url, embed.provider, embed.provider_id) == (
            "https://x.com/jack/status/20",
            "x",
            "20",
        )

    def test_add_form_refuses_unsupported_and_duplicate_urls(self, admin_client: Client, rows):
        add = reverse("admin:embeds_embed_add")
        response = admin_client.post(add, {"url": "https://www.instagram.com/natgeo/"})
        assert response.status_code == 200
        assert "not a post, video or track" in response.content.decode()
        response = admin_client.post(add, {"url": "https://instagram.com/p/CdKJx1xLk2Z"})
        assert response.status_code == 200
        assert "already exists" in response.content.decode()

    def test_fetch_action_fills_rows_and_reports_skips(self, admin_client: Client, oembed_server):
        video = Embed.objects.create(url=VIDEO)
        post = Embed.objects.create(url=POST)
        response = admin_client.post(
            CHANGELIST,
            {"action": "fetch_metadata", "_selected_action": [video.pk, post.pk]},
            follow=True,
        )
        content = response.content.decode()
        assert "Filled 1 embed." in content
        assert "fill the metadata in by hand" in content
        video.refresh_from_db()
        assert video.author_name == "Nadia Vale"
