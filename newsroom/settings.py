"""Settings for newsroom, read from the environment.

Every variable, with its default, is listed in ``.env.example`` and the README.
A ``.env`` file beside ``manage.py`` is read when present (``make run`` writes
one holding a generated local secret key); real environment variables win.
"""

import datetime
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF

from newsroom.sqlite import Connection as SQLiteConnection

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(env.str("NEWSROOM_ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # A one-line explanation beats an ImproperlyConfigured traceback for ops.
        sys.exit(
            "newsroom: DJANGO_SECRET_KEY is not set. Set it in the environment or in .env "
            "(make run generates one), or set DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-debug-only-key"  # noqa: S105 - only ever used with DEBUG on

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Absolute base of the public site, used in feeds, sitemaps and share links.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Newsroom")
# Feed items carry the article's full body ("full") or only its summary ("summary").
FEED_CONTENT = env.str("FEED_CONTENT", default="full")
if FEED_CONTENT not in ("full", "summary"):
    sys.exit(f'newsroom: FEED_CONTENT must be "full" or "summary", not {FEED_CONTENT!r}.')

# The content API (/api/v1/) may be read from any origin, with GET only.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# Requests a minute each client address may make to /api/ (0: no limit).
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=600)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    "reversion",
    "django_prose_editor",
    "axes",
    "csp",
    "corsheaders",
    # The content API; its docs page uses the Swagger UI files in its wheel.
    "ninja",
    "newsroom",
    "embeds",
    "articles",
]

MIDDLEWARE = [
    # First, so that every response carries it (static files and cached pages too).
    "newsroom.middleware.PermissionsPolicyMiddleware",
    # Before the page cache, so cached API responses carry CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    # A per-client request budget on /api/ (articles/api/throttle.py).
    "articles.api.throttle.ApiRateLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: a cached page goes out without touching it or the
    # database. Also sets Cache-Control, ETag and Last-Modified, answers 304
    # and compresses public pages (newsroom/middleware.py).
    "newsroom.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A 404 at an article's earlier permalink (or a legacy URL) becomes a 301.
    "articles.middleware.RedirectFallbackMiddleware",
    # An admin request the database fails: 503, and a POST's data kept to send again.
    "newsroom.admin_faults.AdminDatabaseFaultMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Failed logins are throttled per account and per address (django-axes) before
# Django checks the password. Attempts are counted in the database, not the
# cache, so the throttle holds when the cache is down.
AUTHENTICATION_BACKENDS = [
    "newsroom.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_CLIENT_IP_CALLABLE = "newsroom.auth.client_ip"
AXES_USERNAME_CALLABLE = "newsroom.auth.client_username"
# Proxies whose X-Forwarded-For names the client the throttle counts: the
# variable and default gunicorn's forwarded_allow_ips reads. "*" trusts all.
FORWARDED_ALLOW_IPS = (env.str("FORWARDED_ALLOW_IPS", default="") or "127.0.0.1").split(",")
AXES_VERBOSE = False

# Email: review notifications and set-password links (articles/notifications.py).
# Printed to the console unless EMAIL_URL names a server, e.g.
# smtp+tls://user:password@mail.example.com:587 (django-environ's email_url).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Signed preview links for unpublished articles stay valid this long (seconds).
ARTICLE_PREVIEW_MAX_AGE = 7 * 24 * 60 * 60

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
            ],
        },
    },
]

# Database: SQLite under the project unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at
    # BEGIN so two gunicorn workers never deadlock upgrading a read lock, and
    # the busy timeout makes a waiting writer queue instead of failing. It is
    # bounded: a lock held longer (a stuck process, a long backup) fails the
    # write with "database is locked", which the admin answers with "busy, try
    # again" and the editor's text, rather than stalling every save behind it.
    DATABASES["default"]["OPTIONS"] = {
        # Web processes never create a missing file (newsroom/sqlite.py).
        "factory": SQLiteConnection,
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=5000;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 2

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory unless CACHE_URL (or REDIS_URL) names a server.
_cache_url = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
CACHES = {
    "default": env.cache_url_config(_cache_url or "locmemcache://newsroom"),
}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    # A dead Redis degrades to cache misses instead of answering 500; /readyz
    # still reports it because it checks that a written value reads back.
    CACHES["default"]["OPTIONS"] = {
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": 1,
        "SOCKET_TIMEOUT": 1,
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="newsroom")

# Reader pages (newsroom/middleware.py): whole pages for anonymous readers are
# kept in the cache above, retired by the content generation (newsroom/cache.py)
# on every save and when a scheduled article goes live.
NEWSROOM_PAGE_CACHE = env.bool("NEWSROOM_PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# Cache-Control of public pages: browsers, then shared caches (nginx, a CDN),
# which cannot be told about an edit, hence the short default. Both end when
# the next scheduled article goes live.
PAGE_MAX_AGE = env.int("PAGE_MAX_AGE", default=60)
PAGE_S_MAXAGE = env.int("PAGE_S_MAXAGE", default=10)
PAGE_STALE_WHILE_REVALIDATE = env.int("PAGE_STALE_WHILE_REVALIDATE", default=30)
PAGE_STALE_IF_ERROR = env.int("PAGE_STALE_IF_ERROR", default=86400)
# Where the content generation lives when the cache is per process (local
# memory): a file all workers of one box read. Default: beside the SQLite file.
CONTENT_GENERATION_FILE = env.str("CONTENT_GENERATION_FILE", default="")
if (
    not CONTENT_GENERATION_FILE
    and CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    and str(DATABASES["default"]["NAME"]) not in ("", ":memory:")
):
    CONTENT_GENERATION_FILE = f"{DATABASES['default']['NAME']}.generation"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("DJANGO_MEDIA_URL", default="/media/")
# Let Django serve MEDIA_URL itself: for `make run` and tiny sites only.
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=DEBUG)
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media in S3-compatible object storage (AWS S3, Cloudflare R2, MinIO…) when a
# bucket is named; the filesystem above otherwise. See docs/images.md.
if env.str("MEDIA_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("MEDIA_S3_BUCKET"),
            "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            "access_key": env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "custom_domain": env.str("MEDIA_S3_CUSTOM_DOMAIN", default="") or None,
            # Public, permanent URLs: pages are cached, signed URLs would expire.
            "querystring_auth": False,
            "file_overwrite": False,
            # A day: renditions keep their names when images_rebuild redraws them.
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }
# Upload limits for the media library (articles/imaging.py).
IMAGES_MAX_BYTES = env.int("IMAGES_MAX_BYTES", default=20 * 1024 * 1024)
IMAGES_MAX_PIXELS = env.int("IMAGES_MAX_PIXELS", default=50_000_000)
# WhiteNoise already gives hashed names (what `{% static %}` links to) a
# ten-year immutable Cache-Control. This is for unhashed names, which keep
# their URL across deploys, so they must not be cached for long.
WHITENOISE_MAX_AGE = 0 if DEBUG else 300

# HTTPS. Off by default so `make run` works on plain http://127.0.0.1:8000;
# production turns them on (see docs/deploy.md).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=False)
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: no inline script or style, nothing third-party.
# Article pages widen frame-src with the embed registry's hosts (#4).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Pictures served from elsewhere than this site: the object storage's host or
# a CDN in DJANGO_MEDIA_URL. Without it the browser would block every image.
_media_origins = []
if STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage":
    _s3 = STORAGES["default"]["OPTIONS"]
    if _s3["custom_domain"]:
        _media_origins.append(f"https://{_s3['custom_domain']}")
    elif _s3["endpoint_url"]:
        _media_origins.append("{0.scheme}://{0.netloc}".format(urlsplit(_s3["endpoint_url"])))
    else:
        _media_origins.append(f"https://{_s3['bucket_name']}.s3.amazonaws.com")
        if _s3["region_name"]:
            _media_origins.append(
                f"https://{_s3['bucket_name']}.s3.{_s3['region_name']}.amazonaws.com"
            )
elif MEDIA_URL.startswith(("http://", "https://")):
    _media_origins.append("{0.scheme}://{0.netloc}".format(urlsplit(MEDIA_URL)))
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += _media_origins

# Seconds between autosaves of an open article form (articles/admin/autosave.py).
NEWSROOM_AUTOSAVE_SECONDS = env.float("NEWSROOM_AUTOSAVE_SECONDS", default=30.0)

# Embeds: metadata is fetched from providers' public oEmbed endpoints
# (embeds/oembed.py) through an SSRF-safe client (embeds/fetch.py).
# Seconds a whole fetch may take, connection to last byte, redirects included.
EMBEDS_FETCH_TIMEOUT = env.float("EMBEDS_FETCH_TIMEOUT", default=5.0)
EMBEDS_OEMBED_MAX_BYTES = env.int("EMBEDS_OEMBED_MAX_BYTES", default=256 * 1024)
EMBEDS_THUMBNAIL_MAX_BYTES = env.int("EMBEDS_THUMBNAIL_MAX_BYTES", default=2 * 1024 * 1024)
# {provider key: endpoint URL, or None to stop asking that provider}, merged
# over embeds.oembed.DEFAULT_ENDPOINTS. A mapping, so it is set here, not in
# the environment.
EMBEDS_OEMBED_ENDPOINTS: dict[str, str | None] = {}
# Providers without oEmbed (Bandcamp) are read from their own pages (embeds/pages.py).
EMBEDS_PAGE_MAX_BYTES = env.int("EMBEDS_PAGE_MAX_BYTES", default=2 * 1024 * 1024)
# Tests only: {provider key: local base URL} to fetch those pages from.
EMBEDS_PAGE_BASE_URLS: dict[str, str] = {}
# Saving an article in the admin asks providers with a public oEmbed endpoint
# for the card text of its new embeds, once each, after the save commits.
EMBEDS_AUTOFILL_ON_SAVE = env.bool("EMBEDS_AUTOFILL_ON_SAVE", default=True)
# Tests only: lets the client reach loopback addresses, over plain http too.
# Never read from the environment: turned on, editors could make the server
# request its own local services.
EMBEDS_ALLOW_LOOPBACK = False

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "()": "newsroom.log.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "filters": {"without_traceback": {"()": "newsroom.log.WithoutTraceback"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        },
        "stdout_without_traceback": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
            "filters": ["without_traceback"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        # 4xx are answered with friendly pages; they need no warning line each.
        "django.request": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
        # Every login would log several lines; lock-outs are warnings and stay.
        "axes": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
        # Scanners send forged Host headers all day: one line each, no traceback.
        "django.security.DisallowedHost": {
            "handlers": ["stdout_without_traceback"],
            "level": "ERROR",
            "propagate": False,
        },
    },
}
