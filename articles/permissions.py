"""Who may do what to an article. The admin, its actions and the services
all ask here, so the rules hold on the server whatever the page shows.
Who may *see* an article is ``ArticleQuerySet.visible_to()``, used by the
admin's queryset and the permalink alike."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from articles.models import Article

PUBLISH_PERMISSION = "articles.publish_article"

User = AbstractBaseUser | AnonymousUser


def can_publish(user: User) -> bool:
    """Editors: publish, schedule, unpublish, and edit any article."""
    return user.has_perm(PUBLISH_PERMISSION)


def is_on_byline(user: User, article: Article) -> bool:
    if article.pk is None or not user.is_authenticated:
        return False
    return article.bylines.filter(author__user=user).exists()


def can_edit_article(user: User, article: Article) -> bool:
    """Editors edit every article; writers their own drafts and articles in review."""
    if not user.has_perm("articles.change_article"):
        return False
    if can_publish(user):
        return True
    return article.status != Article.Status.PUBLISHED and is_on_byline(user, article)
