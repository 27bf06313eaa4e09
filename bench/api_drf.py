"""The article list of /api/v1/ written with Django REST framework, for the
library comparison in bench/api_libraries.py only (DRF is not a dependency).

Same rows (``articles.api.api_cards``), same fields, same cursor pagination
on (published_at, id), so the two differ only in the library's machinery.
"""

from django.urls import path
from rest_framework import generics, pagination, serializers

from articles.api.output import api_cards, author_out, category_out, image_out, iso, tag_out
from articles.links import absolute_url
from articles.models import Article


class ArticleCardSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    published_at = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    authors = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["id", "title", "dek", "summary", "url", "published_at", "category", "authors",
                  "tags", "image"]  # fmt: skip

    def get_url(self, article):
        return absolute_url(article.get_absolute_url())

    def get_published_at(self, article):
        return iso(article.published_at)

    def get_category(self, article):
        return category_out(article.category)

    def get_authors(self, article):
        return [author_out(b.author) for b in article.bylines.all()]

    def get_tags(self, article):
        return [tag_out(t) for t in sorted(article.tags.all(), key=lambda t: t.name)]

    def get_image(self, article):
        return image_out(article)


class Cursor(pagination.CursorPagination):
    ordering = ("-published_at", "-pk")
    page_size = 20


class ArticleList(generics.ListAPIView):
    serializer_class = ArticleCardSerializer
    pagination_class = Cursor
    authentication_classes = ()
    permission_classes = ()

    def get_queryset(self):
        return api_cards(Article.objects.published())


urlpatterns = [path("bench/drf/articles", ArticleList.as_view())]
