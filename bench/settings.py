"""Benchmark settings: the production settings, plus a bench-only urlconf.

Everything comes from ``newsroom.settings`` and the environment, exactly as
in production; only the urlconf differs, adding the constant view that
measures the framework's ceiling under the same middleware and gunicorn.
"""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
