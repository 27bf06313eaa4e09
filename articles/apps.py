from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_migrate

        from articles import checks, roles, signals  # noqa: F401 - connects the receivers

        # Every migrate brings the Writer/Editor groups up to date.
        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
        # A Writer or Editor is a staff account; without a role, it is not.
        m2m_changed.connect(
            roles.staff_follows_roles,
            sender=get_user_model().groups.through,
            dispatch_uid="staff-follows-roles",
        )
