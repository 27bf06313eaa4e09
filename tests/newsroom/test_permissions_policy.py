"""Permissions-Policy on every response: powerful features off, embed frames keep
what their ``allow`` attribute asks for."""

import re

import pytest
from django.templatetags.static import static
from django.test import Client

from embeds.providers import PROVIDERS
from newsroom.middleware import DENIED_FEATURES, permissions_policy


def parse(header: str) -> dict[str, list[str]]:
    """``{feature: allowlist}`` from a Permissions-Policy header (structured-field dictionary)."""
    policy = {}
    for item in header.split(", "):
        name, _, value = item.partition("=")
        assert re.fullmatch(r"[a-z-]+", name), item
        assert value.startswith("(") and value.endswith(")"), item
        policy[name] = re.findall(r'"[^"]*"|[a-z]+', value[1:-1])
    return policy


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/no-such-page/", "/healthz", "/readyz", "/admin/login/", "/feed/", "/robots.txt"],
)
def test_every_response_carries_the_permissions_policy(client: Client, path: str):
    response = client.get(path)
    assert response["Permissions-Policy"] == permissions_policy()


def test_static_files_carry_the_permissions_policy_too(client: Client):
    response = client.get(static("css/site.css"))
    assert response.status_code == 200
    assert response["Permissions-Policy"] == permissions_policy()


@pytest.mark.django_db
def test_a_page_from_the_page_cache_carries_the_permissions_policy(client: Client):
    client.get("/")
    cached = client.get("/")
    assert cached["Permissions-Policy"] == permissions_policy()


def test_powerful_features_are_denied_to_the_page_and_every_frame():
    policy = parse(permissions_policy())
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert policy[feature] == [], feature
    assert set(DENIED_FEATURES) - set(policy) == set()


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda provider: provider.key)
def test_each_embed_frame_keeps_the_features_its_allow_attribute_asks_for(provider):
    # A frame's allow attribute can only pass on what the page's policy grants its origin.
    policy = parse(permissions_policy())
    for feature in filter(None, (part.strip() for part in provider.allow.split(";"))):
        assert f'"{provider.frame_origin}"' in policy[feature], (provider.key, feature)


def test_no_other_origin_gets_a_feature():
    origins = {f'"{provider.frame_origin}"' for provider in PROVIDERS}
    for feature, allowlist in parse(permissions_policy()).items():
        assert set(allowlist) <= origins | {"self"}, feature
        assert "*" not in allowlist
