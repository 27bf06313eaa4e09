"""The login throttle's client address: X-Forwarded-For only from configured proxies."""

import pytest
from django.test import RequestFactory

from newsroom.auth import client_ip


def address(remote: str, forwarded: str | None = None) -> str | None:
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_ip(RequestFactory().post("/admin/login/", REMOTE_ADDR=remote, **headers))


@pytest.fixture(autouse=True)
def one_proxy(settings) -> None:
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.1"]


def test_a_client_that_is_not_a_proxy_cannot_choose_its_address():
    assert address("203.0.113.9", "192.0.2.1") == "203.0.113.9"


def test_a_client_cannot_choose_its_address_even_with_the_tls_proxy_header_on(settings):
    # The old rule trusted the header whenever SECURE_PROXY_SSL_HEADER was set.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert address("203.0.113.9", "192.0.2.1") == "203.0.113.9"


def test_the_proxy_names_the_client_it_saw():
    assert address("10.0.0.1", "192.0.2.1") == "192.0.2.1"


def test_what_a_client_put_in_front_of_the_proxys_entry_is_ignored():
    assert address("10.0.0.1", "198.51.100.7, 192.0.2.1") == "192.0.2.1"


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_address(settings):
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.0/24"]
    assert address("10.0.0.1", "198.51.100.7, 192.0.2.1, 10.0.0.2") == "192.0.2.1"


def test_every_peer_is_a_proxy_with_a_star(settings):
    settings.FORWARDED_ALLOW_IPS = ["*"]
    assert address("203.0.113.9", "192.0.2.1") == "192.0.2.1"


def test_ipv6_proxies_and_clients_work(settings):
    settings.FORWARDED_ALLOW_IPS = ["::1"]
    assert address("::1", "2001:db8::5") == "2001:db8::5"
    assert address("2001:db8::9", "2001:db8::5") == "2001:db8::9"


@pytest.mark.parametrize(
    "forwarded",
    ["", " ", "not-an-address", "192.0.2.1, junk", ",,,", "999.1.1.1", "192.0.2.1\x00", "x" * 5000],
)
def test_garbage_from_the_proxy_falls_back_to_the_proxy_itself(forwarded: str):
    assert address("10.0.0.1", forwarded) == "10.0.0.1"


def test_a_missing_header_from_the_proxy_is_the_proxy():
    assert address("10.0.0.1") == "10.0.0.1"


@pytest.mark.parametrize("setting", [[""], ["not-a-network"], ["10.0.0.1/99"]])
def test_a_malformed_proxy_list_trusts_nobody(settings, setting: list[str]):
    settings.FORWARDED_ALLOW_IPS = setting
    assert address("10.0.0.1", "192.0.2.1") == "10.0.0.1"


def test_the_default_trusts_the_same_proxy_as_gunicorn():
    from newsroom import settings as defaults

    assert defaults.FORWARDED_ALLOW_IPS == ["127.0.0.1"]
