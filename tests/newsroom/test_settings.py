"""newsroom/settings.py: configuration from the environment, and start-up refusals."""

import os
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from tests.newsroom.processes import ROOT, configuration_variables, manage, production_env

MISSING_KEY_MESSAGE = "newsroom: DJANGO_SECRET_KEY is not set."

PRODUCTION_HTTPS = {
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "SITE_URL": "https://news.example.com",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_SECURE_HSTS_PRELOAD": "true",
    "DJANGO_SESSION_COOKIE_SECURE": "true",
    "DJANGO_CSRF_COOKIE_SECURE": "true",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "true",
}


@pytest.mark.django_db
def test_the_database_is_the_one_database_url_names():
    # CI's second run sets DATABASE_URL to PostgreSQL: it must not silently test SQLite.
    url = os.environ.get("DATABASE_URL", "")
    scheme = urlsplit(url).scheme
    if scheme in {"postgres", "postgresql", "pgsql"}:
        assert connection.vendor == "postgresql"
        assert connection.settings_dict["PORT"] == urlsplit(url).port
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            assert cursor.fetchone()[0].startswith("PostgreSQL")
    else:
        assert scheme in {"", "sqlite"}, f"no test expectation for DATABASE_URL scheme {scheme!r}"
        assert connection.vendor == "sqlite"


def test_the_cache_is_the_one_cache_url_or_redis_url_names():
    url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or ""
    backend = settings.CACHES["default"]["BACKEND"]
    if urlsplit(url).scheme in {"redis", "rediss"}:
        assert backend == "django_redis.cache.RedisCache"
        # IGNORE_EXCEPTIONS would turn a dead Redis into silent misses: ask it directly too.
        assert cache.client.get_client().ping() is True
    else:
        assert url == "", f"no test expectation for cache URL {url!r}"
        assert backend == "django.core.cache.backends.locmem.LocMemCache"
    key, value = f"settings-test:{uuid.uuid4().hex}", {"round": "trip"}
    cache.set(key, value, timeout=30)
    assert cache.get(key) == value
    cache.delete(key)


@pytest.mark.process
def test_manage_py_stops_with_one_line_when_the_secret_key_is_missing(tmp_path: Path):
    result = manage("check", env=production_env(tmp_path, DJANGO_SECRET_KEY=""))
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.startswith(MISSING_KEY_MESSAGE)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.process
def test_debug_mode_starts_without_a_secret_key(tmp_path: Path):
    result = manage("check", env=production_env(tmp_path, DJANGO_SECRET_KEY="", DJANGO_DEBUG="1"))
    assert result.returncode == 0, result.stderr


@pytest.mark.process
def test_check_deploy_is_clean_with_production_settings(tmp_path: Path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(tmp_path, **PRODUCTION_HTTPS),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _variables_read_by_the_code() -> set[str]:
    settings_source = (ROOT / "newsroom" / "settings.py").read_text()
    gunicorn_source = (ROOT / "gunicorn.conf.py").read_text()
    names = set(re.findall(r"env\.\w+\(\s*[\"']([A-Z][A-Z0-9_]+)[\"']", settings_source))
    names |= set(re.findall(r"_env\(\s*[\"']([A-Z][A-Z0-9_]+)[\"']", gunicorn_source))
    return names


def test_every_variable_the_code_reads_is_listed_in_env_example():
    read = _variables_read_by_the_code()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "PORT", "WEB_CONCURRENCY"} <= read
    assert read - configuration_variables() == set()


def test_every_variable_in_env_example_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    undocumented = {name for name in configuration_variables() if f"`{name}`" not in readme}
    assert undocumented == set()


@pytest.mark.parametrize(
    ("extra", "origin"),
    [
        ({"MEDIA_S3_BUCKET": "news", "MEDIA_S3_CUSTOM_DOMAIN": "img.example.com"},
         "https://img.example.com"),
        ({"MEDIA_S3_BUCKET": "news", "MEDIA_S3_ENDPOINT_URL": "https://abc.r2.example.net:8443/x"},
         "https://abc.r2.example.net:8443"),
        ({"MEDIA_S3_BUCKET": "news", "MEDIA_S3_REGION": "eu-west-1"},
         "https://news.s3.amazonaws.com https://news.s3.eu-west-1.amazonaws.com"),
        ({"DJANGO_MEDIA_URL": "https://cdn.example.org/media/"}, "https://cdn.example.org"),
    ],
)  # fmt: skip
def test_media_from_object_storage_or_a_cdn_is_allowed_by_the_csp(tmp_path, extra, origin):
    code = (
        "from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    result = manage("shell", "-v", "0", "-c", code, env=production_env(tmp_path, **extra))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["'self'", "data:", *origin.split()]
