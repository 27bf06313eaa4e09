"""manage.py ensure_admin: the admin login `make run` prints once."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = re.compile(r"username: (?P<username>\S+)\s+password: (?P<password>\S+)")


def ensure_admin(*args: str) -> str:
    out = StringIO()
    call_command("ensure_admin", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_ensure_admin_creates_one_superuser_and_prints_its_login_once():
    first = ensure_admin()
    login = LOGIN.search(first)
    assert login, first
    assert "/admin/" in first

    second = ensure_admin()
    assert login["password"] not in second
    assert "password:" not in second
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_the_printed_login_opens_the_admin():
    login = LOGIN.search(ensure_admin())
    client = Client()
    assert client.login(username=login["username"], password=login["password"])
    assert client.get("/admin/").status_code == 200


def test_the_generated_password_passes_the_password_validators():
    login = LOGIN.search(ensure_admin())
    user = get_user_model().objects.get(username=login["username"])
    validate_password(login["password"], user)  # raises when too weak


def test_ensure_admin_does_nothing_when_a_superuser_exists():
    get_user_model().objects.create_superuser("editor-in-chief", "eic@example.com", "x" * 20)
    output = ensure_admin()
    assert "password:" not in output
    assert not get_user_model().objects.filter(username="admin").exists()


def test_ensure_admin_refuses_to_promote_an_existing_non_admin_user():
    get_user_model().objects.create_user("admin", "someone@example.com", "x" * 20)
    with pytest.raises(SystemExit):
        ensure_admin()
    assert not get_user_model().objects.filter(is_superuser=True).exists()
