"""The editorial admin: articles (``article``), and categories, authors, tags
and redirects (``taxonomy``), users with their roles (``accounts``) and the
review queue on the index (``queue``). Importing the modules registers them."""

from articles.admin import accounts, article, images, queue, taxonomy  # noqa: F401
