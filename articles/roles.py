"""The newsroom's roles, defined here and kept in sync with the database.

A data migration creates the groups and a ``post_migrate`` handler re-applies
this definition after every ``migrate``, so permissions added later (a new
model, another app's models) reach the roles without a manual step. Run
``manage.py sync_roles`` to apply it at any other time. Syncing is exact and
idempotent: a role ends up with these permissions and no others.
"""

from collections.abc import Iterable

from django.apps import apps as global_apps
from django.db.models import Q

WRITER = "Writer"
EDITOR = "Editor"

# "app_label.codename", or "app_label.*" for every permission of the app.
ROLES: dict[str, tuple[str, ...]] = {
    # Writers draft and submit; the admin narrows "change" to their own
    # drafts and articles in review (see articles.services.can_edit_article).
    WRITER: (
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        # The byline inline and the autocompletes need these.
        "articles.add_byline",
        "articles.change_byline",
        "articles.delete_byline",
        "articles.view_byline",
        "articles.view_category",
        "articles.view_author",
        "taggit.view_tag",
        "embeds.view_embed",
        # The media library: upload and describe pictures, choose a lead image.
        "articles.add_image",
        "articles.change_image",
        "articles.view_image",
        # Live coverage: posts on their own articles (articles.live.services).
        "articles.add_livepost",
        "articles.change_livepost",
        "articles.view_livepost",
    ),
    # Editors do everything on articles, categories, tags, authors and embeds,
    # including articles.publish_article.
    EDITOR: ("articles.*", "taggit.*", "embeds.*"),
}


def _permission_filter(names: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        if codename == "*":
            condition |= Q(content_type__app_label=app_label)
        else:
            condition |= Q(content_type__app_label=app_label, codename=codename)
    return condition


def sync_roles(apps=global_apps) -> dict[str, int]:
    """Create or update every role's group; return its number of permissions.

    ``apps`` is the app registry to use: a migration passes its historical one.
    Permissions that do not exist yet (their app not migrated) are skipped;
    the next ``migrate`` adds them.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    counts = {}
    for name, permission_names in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = list(Permission.objects.filter(_permission_filter(permission_names)))
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts


def sync_roles_after_migrate(**kwargs) -> None:
    """``post_migrate`` receiver for the articles app: by then the permissions
    of every app listed before it in INSTALLED_APPS exist."""
    registry = kwargs.get("apps") or global_apps
    try:
        registry.get_model("auth", "Group")
        registry.get_model("auth", "Permission")
    except LookupError:
        # A partial migrate (e.g. `migrate contenttypes` on an empty database)
        # has no auth models yet; the full migrate that follows syncs the roles.
        return
    sync_roles(registry)
