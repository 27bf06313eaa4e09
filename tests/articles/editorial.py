"""Helpers for the editorial admin tests: people in roles, and the change
form's data as a browser would post it."""

import datetime

from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from articles.models import Article, Author
from articles.roles import EDITOR, WRITER

PASSWORD = "correct horse battery staple"


def make_user(username: str, role: str | None, *, author: bool = True) -> User:
    user = User.objects.create_user(
        username, f"{username}@example.com", PASSWORD, is_staff=True, first_name=username.title()
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    if author:
        Author.objects.create(user=user, name=username.title(), slug=username)
    return user


def make_writer(username: str = "wanda", **kwargs) -> User:
    return make_user(username, WRITER, **kwargs)


def make_editor(username: str = "eddie", **kwargs) -> User:
    return make_user(username, EDITOR, **kwargs)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


ADD_URL = "/admin/articles/article/add/"
CHANGELIST_URL = "/admin/articles/article/"


def form_data(response) -> dict:
    """The values a browser would submit for an admin change form page."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        _put(data, form, name, form.prefix)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.forms:
            for name in inline_form.fields:
                _put(data, inline_form, name, inline_form.prefix)
    return data


def _put(data: dict, form, name: str, prefix: str | None) -> None:
    key = f"{prefix}-{name}" if prefix else name
    if name == "lead_image":
        return  # file fields: nothing uploaded
    value = form[name].value()
    if value is None:
        value = ""
    if isinstance(value, datetime.datetime):
        data[f"{key}_0"] = value.date().isoformat()
        data[f"{key}_1"] = value.time().replace(microsecond=0).isoformat()
    elif isinstance(value, bool):
        if value:
            data[key] = "on"
    elif isinstance(value, list | tuple):
        data[key] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
    else:
        data[key] = str(value)


def new_article_data(category, **overrides) -> dict:
    """A minimal add-form POST."""
    return {
        "title": "A new article",
        "slug": "",
        "dek": "",
        "body": "<p>Hello.</p>",
        "status": Article.Status.DRAFT,
        "category": str(category.pk),
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "1000",
        "loaded_version": "",
        **overrides,
    }
