"""The editorial admin: articles (``article``), and categories, authors, tags
and redirects (``taxonomy``). Importing the modules registers them."""

from articles.admin import apikeys, article, images, taxonomy  # noqa: F401
