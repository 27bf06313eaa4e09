"""Failed admin logins are throttled per account and per address, with a
clear message, and the throttle holds when the cache is down."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from tests.articles.editorial import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static")]

LOGIN = "/admin/login/?next=/admin/"
DEAD_REDIS = {
    "default": {
        # Django's own Redis cache raises when the server is gone.
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def staff():
    return User.objects.create_user("ed", password=PASSWORD, is_staff=True, is_superuser=True)


def attempt(username: str, password: str, address: str = "10.0.0.1") -> object:
    return Client(REMOTE_ADDR=address).post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(times: int, username: str = "ed", address: str = "10.0.0.1") -> None:
    for _ in range(times):
        response = attempt(username, "wrong", address)
        # The failure that reaches the limit is already answered with the lock-out.
        assert response.status_code in (200, 429)


def test_the_right_password_works(staff):
    assert attempt("ed", PASSWORD).status_code == 302


def test_four_failures_do_not_lock(staff, settings):
    fail(settings.AXES_FAILURE_LIMIT - 1)
    assert attempt("ed", PASSWORD).status_code == 302


def test_an_account_is_locked_after_five_failures_from_anywhere(staff, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(1, address=f"10.0.0.{n + 1}")
    response = attempt("ed", PASSWORD, address="10.9.9.9")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Sign-in paused after too many failed attempts" in text
    assert "Try again after" in text


def test_an_address_is_locked_after_five_failures_on_any_accounts(staff, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(1, username=f"guess{n}", address="10.0.0.7")
    assert attempt("ed", PASSWORD, address="10.0.0.7").status_code == 429
    # Someone else, elsewhere, is not affected.
    assert attempt("ed", PASSWORD, address="10.0.0.8").status_code == 302


def test_a_lock_lifts_after_the_cool_off(staff, settings, time_machine):
    time_machine.move_to(datetime.datetime.now(datetime.UTC))
    fail(settings.AXES_FAILURE_LIMIT)
    assert attempt("ed", PASSWORD).status_code == 429
    time_machine.shift(settings.AXES_COOLOFF_TIME.total_seconds() + 60)
    assert attempt("ed", PASSWORD).status_code == 302


def test_the_throttle_holds_when_the_cache_is_down(staff, settings):
    with override_settings(CACHES=DEAD_REDIS):
        fail(settings.AXES_FAILURE_LIMIT)
        assert attempt("ed", PASSWORD).status_code == 429


def test_a_forwarded_address_is_only_trusted_behind_a_tls_proxy(staff, settings):
    def spoofed(n: int):
        return Client().post(
            LOGIN,
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.50",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )

    for n in range(settings.AXES_FAILURE_LIMIT):
        spoofed(n)
    # Without a proxy, X-Forwarded-For is ignored: the socket's address is locked.
    assert attempt("ed", PASSWORD, address="10.0.0.50").status_code == 429


def test_a_garbage_forwarded_address_behind_a_proxy_falls_back_to_the_socket(staff, settings):
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.60"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = Client().post(
            LOGIN,
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.60",
            HTTP_X_FORWARDED_FOR="not-an-address",
        )
        assert response.status_code in (200, 429)
    assert attempt("ed", PASSWORD, address="10.0.0.60").status_code == 429


def test_behind_a_proxy_each_forwarded_client_is_counted_apart(staff, settings):
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.1"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            LOGIN,
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.66",
        )
    other_client = Client().post(
        LOGIN,
        {"username": "ed", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.77",
    )
    assert other_client.status_code == 302


def test_a_very_long_username_counts_against_its_first_150_characters(staff, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(1, username="x" * 5000 + "y", address=f"10.1.0.{n}")
    assert attempt("x" * 150, "whatever", address="10.2.0.1").status_code == 429


def test_code_that_logs_in_without_a_request_still_works(staff):
    assert Client().login(username="ed", password=PASSWORD)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "x" * 5000, "password": "y"},
        {"username": "\x00", "password": "\x00"},
        {"username": ["a", "b"], "password": "c"},
    ],
)
def test_malformed_logins_are_refused_cleanly(data):
    response = Client().post(LOGIN, data)
    assert response.status_code in (200, 400, 429)
