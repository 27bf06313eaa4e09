from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from articles import roles, signals  # noqa: F401 - connects the receivers

        # Every migrate brings the Writer/Editor groups up to date.
        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
