"""Partner API keys: made in the admin, their own rate limit, hostile keys."""

import datetime
import re

import pytest
from django.urls import reverse

from articles.api import keys
from articles.models import ApiKey
from tests.articles.conftest import NOON
from tests.articles.editorial import logged_in, make_editor, make_writer

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_apikey_add")
CHANGELIST_URL = reverse("admin:articles_apikey_changelist")


def make_key(name: str = "Partner", rate_limit: int = 5, is_active: bool = True) -> tuple:
    api_key = ApiKey(name=name, rate_limit=rate_limit, is_active=is_active)
    key = keys.new_key(api_key)
    api_key.save()
    return api_key, key


def site(client, **headers):
    return client.get("/api/v1/site", **headers)


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


class AdminTests:
    def test_an_editor_makes_a_key_and_sees_it_once(self):
        editor = logged_in(make_editor())
        response = editor.post(
            ADD_URL, {"name": "Wire partner", "is_active": "on", "rate_limit": 900}
        )
        assert response.status_code == 200
        html = response.content.decode()
        key = re.search(r'value="(nrk_[0-9a-f]{8}_[A-Za-z0-9_-]{43})"', html).group(1)
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
        row = ApiKey.objects.get()
        assert (row.name, row.rate_limit, row.is_active) == ("Wire partner", 900, True)
        assert key.split("_")[1] == row.prefix
        # Nowhere in plain text: not in the row, not on its change page.
        assert key.split("_", 2)[2] not in repr(list(ApiKey.objects.values_list()))
        change = editor.get(reverse("admin:articles_apikey_change", args=[row.pk])).content.decode()
        assert key not in change
        assert key not in editor.get(CHANGELIST_URL).content.decode()
        assert site(editor, **bearer(key)).status_code == 200

    def test_writers_have_no_access_to_keys(self):
        make_key()
        writer = logged_in(make_writer())
        assert writer.get(CHANGELIST_URL).status_code == 403
        assert writer.post(ADD_URL, {"name": "Sneaky", "rate_limit": 10}).status_code == 403
        assert ApiKey.objects.count() == 1

    @pytest.mark.parametrize("rate_limit", ["0", "-5", "abc", "99999999999999999999", ""])
    def test_a_bad_rate_limit_is_refused_and_nothing_is_made(self, rate_limit):
        editor = logged_in(make_editor())
        response = editor.post(ADD_URL, {"name": "Partner", "rate_limit": rate_limit})
        assert response.status_code == 200
        assert b"errorlist" in response.content
        assert not ApiKey.objects.exists()

    def test_a_revoked_key_answers_401(self):
        api_key, key = make_key()
        editor = logged_in(make_editor())
        response = editor.post(
            reverse("admin:articles_apikey_change", args=[api_key.pk]),
            {"name": "Partner", "rate_limit": 5},  # "active" unticked
        )
        assert response.status_code == 302
        refused = site(editor, **bearer(key))
        assert refused.status_code == 401
        assert refused["Content-Type"] == "application/problem+json"


class KeyTests:
    def test_either_header_carries_the_key_and_last_use_is_recorded(self, client, time_machine):
        time_machine.move_to(NOON, tick=False)
        api_key, key = make_key()
        assert site(client, **bearer(key)).status_code == 200
        assert site(client, HTTP_AUTHORIZATION=f"bearer   {key} ").status_code == 200
        assert site(client, HTTP_X_API_KEY=key).status_code == 200
        api_key.refresh_from_db()
        assert api_key.last_used_at == NOON

    def test_last_use_is_written_at_most_once_a_minute(self, client, time_machine):
        time_machine.move_to(NOON, tick=False)
        _api_key, key = make_key(rate_limit=100)
        site(client, **bearer(key))
        time_machine.move_to(NOON + datetime.timedelta(seconds=30), tick=False)
        assert site(client, **bearer(key)).status_code == 200
        assert ApiKey.objects.get().last_used_at == NOON
        time_machine.move_to(NOON + datetime.timedelta(seconds=90), tick=False)
        site(client, **bearer(key))
        assert ApiKey.objects.get().last_used_at == NOON + datetime.timedelta(seconds=90)

    @pytest.mark.parametrize(
        "sent",
        [
            "",
            "nrk_",
            "x" * 100_000,
            "nrk_0000000_" + "a" * 43,  # a short prefix
            "nrk_00000000_" + "a" * 43,  # no such key
            "abc_00000000_" + "a" * 43,  # another scheme's prefix
            "nrk_00000000_" + "a" * 42 + "\x00",
            "nrk_00000000_" + "a" * 42 + "é",
            "nrk_0000000é_" + "a" * 43,
            "' OR 1=1 --",
            "nrk_00000000_" + "a" * 43 + "\n",
        ],
        ids=lambda s: repr(s[:20]),
    )
    def test_hostile_keys_answer_401_problems(self, client, sent):
        make_key()
        for headers in (bearer(sent), {"HTTP_X_API_KEY": sent}):
            response = site(client, **headers)
            assert response.status_code == 401, (sent[:30], response.content)
            assert response["Content-Type"] == "application/problem+json"
            assert response.json()["status"] == 401
            assert "no-store" in response["Cache-Control"]
            assert response["WWW-Authenticate"].startswith("Bearer")

    def test_a_key_with_a_wrong_secret_answers_401(self, client):
        _api_key, key = make_key()
        wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
        assert site(client, **bearer(wrong)).status_code == 401

    def test_other_authorization_schemes_are_not_keys(self, client):
        assert site(client, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").status_code == 200

    def test_pages_ignore_keys(self, client):
        assert client.get("/", **bearer("nrk_bad")).status_code == 200


class KeyRateLimitTests:
    """Counted in the configured cache: Redis on the PostgreSQL runs."""

    def test_a_key_has_its_own_budget_apart_from_its_address(self, client, settings, time_machine):
        time_machine.move_to(NOON, tick=False)
        settings.API_RATE_LIMIT = 2
        _partner, key = make_key(rate_limit=4)
        _other, other_key = make_key(name="Other", rate_limit=1)
        assert [site(client).status_code for _ in range(3)] == [200, 200, 429]
        # The address is spent, the key is not: four, then its own 429.
        keyed = [site(client, **bearer(key)).status_code for _ in range(5)]
        assert keyed == [200, 200, 200, 200, 429]
        refused = site(client, HTTP_X_API_KEY=key)
        assert refused["Content-Type"] == "application/problem+json"
        assert "At most 4 requests" in refused.json()["detail"]
        assert [site(client, **bearer(other_key)).status_code for _ in range(2)] == [200, 429]
        time_machine.move_to(NOON + datetime.timedelta(minutes=1), tick=False)
        assert site(client, **bearer(key)).status_code == 200
        assert site(client).status_code == 200

    def test_an_invalid_key_never_falls_back_to_the_anonymous_budget(
        self, client, settings, time_machine
    ):
        time_machine.move_to(NOON, tick=False)
        settings.API_RATE_LIMIT = 1
        assert site(client, **bearer("nrk_nope")).status_code == 401
        assert site(client).status_code == 200  # the 401 did not spend it

    def test_keys_are_checked_with_the_limit_off(self, client, settings):
        settings.API_RATE_LIMIT = 0
        _api_key, key = make_key(is_active=False)
        assert site(client, **bearer(key)).status_code == 401
