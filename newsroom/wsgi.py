"""WSGI entry point: gunicorn serves ``newsroom.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

from newsroom import sqlite

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

# A request must never leave an empty database where the real one belongs.
sqlite.refuse_to_create()
application = get_wsgi_application()
