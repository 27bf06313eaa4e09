from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save, pre_save

        from articles import redirects, roles, signals  # noqa: F401 - connects the receivers
        from articles.models import Article

        # Editorial wiring (issue #5): a moved article leaves a redirect, and
        # every migrate brings the Writer/Editor groups up to date.
        pre_save.connect(redirects.remember_permalink, sender=Article)
        post_save.connect(redirects.record_redirect, sender=Article)
        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
