from django.urls import path, register_converter

from articles import feeds, preview, views
from articles.live import views as live_views


class _Digits:
    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return self.format % int(value)


class YearConverter(_Digits):
    regex = "[0-9]{4}"
    format = "%04d"


class MonthDayConverter(_Digits):
    regex = "[0-9]{2}"
    format = "%02d"


class UnicodeSlugConverter:
    """Slugs as ``slugify(allow_unicode=True)`` makes them: word characters and hyphens."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")
register_converter(YearConverter, "yyyy")
register_converter(MonthDayConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_index, name="sitemap-index"),
    path(
        "sitemap-<slug:section>.xml",
        views.sitemap_section,
        name="sitemap-section",
    ),
    path("news-sitemap.xml", views.news_sitemap, name="news-sitemap"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("category/<uslug:slug>/", views.CategoryView.as_view(), name="category"),
    path("category/<uslug:slug>/feed/", feeds.CategoryFeed(), name="category-feed"),
    path("tag/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("tag/<uslug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("author/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
    path("author/<uslug:slug>/feed/", feeds.AuthorFeed(), name="author-feed"),
    path("preview/<str:token>/", preview.ArticlePreviewView.as_view(), name="preview"),
    path("<yyyy:year>/", views.ArticleYearArchiveView.as_view(), name="archive-year"),
    path("<yyyy:year>/<dd:month>/", views.ArticleMonthArchiveView.as_view(), name="archive-month"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/",
        views.ArticleDayArchiveView.as_view(),
        name="archive-day",
    ),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<uslug:slug>/",
        views.ArticleDetailView.as_view(),
        name="detail",
    ),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<uslug:slug>/live.json",
        live_views.live_json,
        name="live-json",
    ),
]
