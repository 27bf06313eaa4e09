"""gunicorn settings for newsroom, read from the environment.

Start with ``gunicorn -c gunicorn.conf.py newsroom.wsgi`` (``make run`` does).
"""

import multiprocessing
import os
import sys

# Fail fast, in the master, with settings' one-line message (for example a
# missing DJANGO_SECRET_KEY) instead of every worker dying with a traceback.
# Importing settings also loads .env into os.environ, so the values below may
# come from it; the end of this file makes the master forget both again.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
_environ_before_settings = dict(os.environ)
import newsroom.settings  # noqa: E402, F401


def _env(name: str, default: str) -> str:
    """An environment variable, with empty counting as unset (as in .env.example)."""
    return os.environ.get(name) or default


bind = [_env("GUNICORN_BIND", f"{_env('HOST', '127.0.0.1')}:{_env('PORT', '8000')}")]

# Two workers per core plus one; WEB_CONCURRENCY overrides (Heroku-style).
workers = int(_env("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
# sync by measurement (bench/run.py --worker-class sync,gthread; docs/deploy.md):
# on newsroom's own pages a real sync worker serves more than gthread, and
# keeps both workers busy, where gthread's keep-alive connections pile onto
# one worker after each max_requests restart. Behind nginx (which buffers
# slow clients) sync is what gunicorn recommends.
worker_class = _env("GUNICORN_WORKER_CLASS", "sync")
# gunicorn runs gthread whenever threads > 1, whatever worker_class says: a
# sync worker must have exactly one thread, so threads apply to gthread only.
threads = int(_env("GUNICORN_THREADS", "4")) if worker_class == "gthread" else 1
keepalive = int(_env("GUNICORN_KEEPALIVE", "5"))

timeout = int(_env("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(_env("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Recycle workers now and then so a slow leak never becomes an outage.
# Not often: each new worker imports the whole application again (about a
# second of CPU) while the other serves alone. At 10,000 a cached page at
# ~1,300 req/s a worker recycled every ~8 s, which made its p95 370 ms and p99
# 800 ms; at 100,000 (every ~75 s at that rate, days on a quiet site) p95 was
# 12 ms and it served 33% more (bench/run.py, 2026-12-02; docs/deploy.md).
max_requests = int(_env("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = int(_env("GUNICORN_MAX_REQUESTS_JITTER", "10000"))

# One line per request on stdout: client, request line, status, bytes, duration.
accesslog = "-"
errorlog = "-"
loglevel = _env("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)sB %(M)sms "%(a)s"'

# Proxies whose X-Forwarded-* headers are trusted (the nginx in front of us).
forwarded_allow_ips = _env("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn 25+ opens a control socket under ~/.gunicorn by default; a web
# server has no business writing to its home directory.
control_socket_disable = True
# The heartbeat file in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Workers fork from the master. Had it kept the imported settings and the
# variables .env added, every worker would inherit them, and a reload
# (`kill -HUP`, `systemctl reload`) would not see a changed .env or settings.py.
del sys.modules["newsroom.settings"]
os.environ.clear()
os.environ.update(_environ_before_settings)
