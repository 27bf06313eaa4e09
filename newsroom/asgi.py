"""ASGI entry point, for servers that prefer it."""

import os

from django.core.asgi import get_asgi_application

from newsroom import sqlite

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

# As in wsgi.py: a request must never leave an empty database where the real one belongs.
sqlite.refuse_to_create()
application = get_asgi_application()
