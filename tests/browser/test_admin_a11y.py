"""axe on the article change form and changelist: zero violations that
newsroom adds to what Django's own admin markup reports.

The baseline is the same model in an unmodified Django admin (a second
AdminSite with plain ModelAdmins using the same stock widgets: date and time
inputs, tabular inline, autocomplete), plus a stock page with a multiple
autocomplete. A violation counts as newsroom's when its rule and element
(tag and classes) never occur on those baseline pages.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import include, path

from articles.models import Article, Author, Byline, Category
from tests.articles.editorial import make_editor
from tests.factories import make_article, make_author

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

baseline_site = admin.AdminSite(name="baseline")


class PlainBylineInline(admin.TabularInline):
    model = Byline
    autocomplete_fields = ["author"]
    extra = 1


@admin.register(Article, site=baseline_site)
class PlainArticleAdmin(admin.ModelAdmin):
    inlines = [PlainBylineInline]
    autocomplete_fields = ["category"]
    list_display = ["title", "status", "published_at", "category", "updated_at"]
    list_filter = ["status", "category", "authors", "published_at"]
    search_fields = ["title", "dek", "body"]
    date_hierarchy = "published_at"
    actions = ["delete_selected"]


@admin.register(Category, site=baseline_site)
class PlainCategoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Author, site=baseline_site)
class PlainAuthorAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Group, site=baseline_site)
class PlainGroupAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(User, site=baseline_site)
class PlainUserAdmin(admin.ModelAdmin):
    fields = ["username", "groups"]
    autocomplete_fields = ["groups"]


urlpatterns = [
    path("baseline-admin/", baseline_site.urls),
    path("", include("newsroom.urls")),
]

# What the admin's scripts build once the page has loaded, some of it
# asynchronously (the body editor is a module): axe audits the finished page.
# Rows named __prefix__ are the inline's template, which no script starts.
WIDGETS_READY = """() => {
  const live = (el) => !(el.name || "").includes("__prefix__");
  const editors = [...document.querySelectorAll("textarea")].filter(
    (t) => live(t) && [...t.attributes].some((a) => a.name.startsWith("data-django-prose-editor"))
  );
  const autocompletes = [...document.querySelectorAll("select.admin-autocomplete")].filter(live);
  const dates = [...document.querySelectorAll("input.vDateField, input.vTimeField")].filter(live);
  return (
    document.readyState === "complete"
    && editors.every((t) => t.closest(".prose-editor")?.querySelector(".ProseMirror"))
    && autocompletes.every((s) => s.classList.contains("select2-hidden-accessible"))
    && dates.every((i) => i.nextElementSibling?.classList.contains("datetimeshortcuts"))
  );
}"""

ELEMENT = re.compile(r"<([a-zA-Z0-9-]+)([^>]*)>")
CLASSES = re.compile(r'\bclass="([^"]*)"')


def element_keys(violations: list[dict]) -> set[tuple[str, str, str]]:
    keys = set()
    for violation in violations:
        for node in violation["nodes"]:
            tag, attributes = ELEMENT.match(node).groups()
            classes = CLASSES.search(attributes)
            names = " ".join(sorted(classes[1].split())) if classes else ""
            keys.add((violation["id"], tag.lower(), names))
    return keys


@pytest.fixture
def admin_pages(settings, live_server, plain_static):
    settings.ROOT_URLCONF = __name__
    editor = make_editor()
    editor.is_superuser = True  # the baseline site checks model permissions too
    editor.save()
    client = Client()
    client.force_login(editor)
    cookies = [
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    ]
    article = make_article(
        authors=[make_author()],
        tags=["one", "two"],
        body="<p>Intro.</p><p>https://www.instagram.com/p/CdGx1aPrQ3e/</p>",
    )
    return cookies, article, editor


def audit_pair(axe_audit, live_server, cookies, ours: str, baseline: list[str]):
    found = axe_audit(live_server.url + ours, cookies=cookies, ready=WIDGETS_READY)
    allowed = set()
    for url in baseline:
        allowed |= element_keys(
            axe_audit(live_server.url + url, cookies=cookies, ready=WIDGETS_READY)
        )
    # a11y.js names some stock inputs on the baseline pages too, which can
    # leave Select2's own gaps there unreported; those are in STOCK_BASELINE.
    return found, {key for key in element_keys(found) - allowed if not in_stock_baseline(key)}


def in_stock_baseline(key: tuple[str, str, str]) -> bool:
    rule, tag, classes = key
    selector = tag + "".join(f".{name}" for name in classes.split())
    return any(rule == known and pattern.search(selector) for known, pattern, _ in STOCK_BASELINE)


def test_the_change_form_adds_no_violations(axe_audit, live_server, admin_pages):
    cookies, article, editor = admin_pages
    found, new = audit_pair(
        axe_audit,
        live_server,
        cookies,
        f"/admin/articles/article/{article.pk}/change/",
        [
            f"/baseline-admin/articles/article/{article.pk}/change/",
            f"/baseline-admin/auth/user/{editor.pk}/change/",
        ],
    )
    assert new == set(), found
    # Newsroom's own markup is clean whatever Django's rules say.
    ours = [
        node
        for violation in found
        for node in violation["nodes"]
        if "nr-" in node or "ProseMirror" in node or "prose-editor" in node
    ]
    assert ours == []


def test_the_add_form_adds_no_violations(axe_audit, live_server, admin_pages):
    cookies, _article, editor = admin_pages
    found, new = audit_pair(
        axe_audit,
        live_server,
        cookies,
        "/admin/articles/article/add/",
        ["/baseline-admin/articles/article/add/", f"/baseline-admin/auth/user/{editor.pk}/change/"],
    )
    assert new == set(), found


def test_the_changelist_adds_no_violations(axe_audit, live_server, admin_pages):
    cookies, _article, _editor = admin_pages
    found, new = audit_pair(
        axe_audit,
        live_server,
        cookies,
        "/admin/articles/article/",
        ["/baseline-admin/articles/article/"],
    )
    assert new == set(), found


def test_history_and_compare_add_no_violations(axe_audit, live_server, admin_pages):
    cookies, article, _editor = admin_pages
    found, new = audit_pair(
        axe_audit,
        live_server,
        cookies,
        f"/admin/articles/article/{article.pk}/history/",
        [f"/baseline-admin/articles/article/{article.pk}/history/"],
    )
    assert new == set(), found


# WCAG 2.2 --------------------------------------------------------------------
# axe with WCAG 2.2's rules (target-size among them) and its best practices,
# on newsroom's admin pages themselves. Stock Django parts fixed by CSS or a
# label script (admin-newsroom/a11y.css, a11y.js) are not listed; what is
# left of Django's and its Select2's markup is this baseline: rule, a pattern
# of axe's selector for the element, and why it stays.
WCAG22 = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
STOCK_BASELINE = [
    (
        "aria-input-field-name",
        re.compile(r"select2"),
        "Select2 (the admin's autocomplete) names its combobox by a container it empties",
    ),
    (
        "label",
        re.compile(r"\.select2-search__field"),
        "Select2's inline search box of a multiple autocomplete has no label",
    ),
    (
        "list",
        # axe names the same <ul> either way, depending on what else is on the page.
        re.compile(r"\.select2-selection(__rendered|--multiple > ul)"),
        "Select2 renders chosen tags as a <ul> with non-<li> children",
    ),
    (
        "empty-table-header",
        re.compile(r"thead > tr > \.original"),
        "the tabular inline's first header cell is empty in Django's template",
    ),
    (
        "label-title-only",
        re.compile(r"#searchbar"),
        "the changelist search box is named by its button's title in Django's template",
    ),
]


def unexplained(violations: list[dict]) -> list[tuple[str, str]]:
    return [
        (violation["id"], target)
        for violation in violations
        for target in violation["targets"]
        if not any(
            rule == violation["id"] and pattern.search(target)
            for rule, pattern, _reason in STOCK_BASELINE
        )
    ]


@pytest.mark.parametrize(
    "page",
    ["index", "changelist", "change", "add", "media-library"],
)
def test_wcag22_with_target_size_finds_nothing_beyond_the_stock_baseline(
    axe_audit, live_server, admin_pages, page
):
    cookies, article, _editor = admin_pages
    url = {
        "index": "/admin/",
        "changelist": "/admin/articles/article/",
        "change": f"/admin/articles/article/{article.pk}/change/",
        "add": "/admin/articles/article/add/",
        "media-library": "/admin/articles/image/",
    }[page]
    found = axe_audit(live_server.url + url, cookies=cookies, ready=WIDGETS_READY, tags=WCAG22)
    assert unexplained(found) == []
    # Newsroom's own markup never needs the baseline.
    ours = [
        node
        for violation in found
        for node in violation["nodes"]
        if "nr-" in node or "ProseMirror" in node or "embed" in node
    ]
    assert ours == []
