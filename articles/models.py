import secrets

import reversion
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from articles.html import clean_text, first_sentences, sanitize
from articles.images import Image


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Otherwise a category exists for readers only while a published article
    # uses it or one of its subcategories (articles.taxonomy).
    is_public = models.BooleanField(
        _("public before the first article"),
        default=False,
        help_text=_(
            "Show the section's page, feed and menu entry before its first published "
            "article, e.g. a new section before launch."
        ),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="category_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name, self.description = clean_text(self.name), clean_text(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:category", kwargs={"slug": self.slug})


class Author(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True, allow_unicode=True)
    bio = models.TextField(_("bio"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
    )
    photo = models.ImageField(_("photo"), upload_to="authors/", blank=True)
    # Otherwise an author exists for readers only while a published article
    # carries their byline (articles.taxonomy).
    is_public = models.BooleanField(
        _("public before the first article"),
        default=False,
        help_text=_("Show the author's page and feed before their first published article."),
    )

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name, self.bio = clean_text(self.name), clean_text(self.bio)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})


# Related articles are ranked among a bounded set of candidates: the newest
# few hundred sharing a tag and the newest few dozen in the category. A
# popular tag on a large archive would otherwise rank every article it has.
RELATED_TAG_CANDIDATES = 300
RELATED_CATEGORY_CANDIDATES = 50


# An article's text fields shown as text (escaped), cleaned on every save.
PLAIN_TEXT_FIELDS = (
    "title",
    "dek",
    "summary",
    "seo_title",
    "seo_description",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "key_points",
)


class State(models.TextChoices):
    """The four states editors think in; "scheduled" is published with a future time."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """The one gate for readers: published, and its time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self) -> "ArticleQuerySet":
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def visible_to(self, user) -> "ArticleQuerySet":
        """What ``user`` may open anywhere, admin or permalink: editors every
        article; everyone else the published ones and those whose byline they
        are on, so no writer reads another's draft or embargoed story."""
        if user.has_perm("articles.publish_article"):
            return self
        if not user.is_authenticated:
            return self.published()
        # A subquery, not a join: a join repeats an article once per byline.
        own = Byline.objects.filter(author__user=user).values("article_id")
        return self.published() | self.filter(pk__in=own)

    def in_state(self, state: "State | str") -> "ArticleQuerySet":
        """Articles in one of ``State``; mirrors ``Article.state``."""
        match state:
            case State.DRAFT:
                return self.filter(status=Article.Status.DRAFT)
            case State.REVIEW:
                return self.filter(status=Article.Status.REVIEW)
            case State.SCHEDULED:
                return self.scheduled()
            case State.PUBLISHED:
                return self.published()
        raise ValueError(f"Unknown state: {state!r}")

    def with_neighbours(self) -> "ArticleQuerySet":
        """Annotate ``previous_pk`` and ``next_pk``: the published articles just
        before and after each one in time."""
        return self.annotate(previous_pk=_neighbour("previous"), next_pk=_neighbour("next"))

    def related_to(
        self, article: "Article", tag_ids: list[int], neighbours: list[int] = ()
    ) -> "ArticleQuerySet":
        """Articles like ``article``, most alike first: ``neighbours`` (pks, listed
        first so one query fetches them too), then those sharing the most of
        ``tag_ids``, then the same category; newest first within each."""
        recent_tagged = (
            TaggedArticle.objects.filter(tag_id__in=tag_ids)
            .order_by("-content_object_id")
            .values("content_object_id")[:RELATED_TAG_CANDIDATES]
        )
        same_category = (
            Article.objects.published()
            .filter(category_id=article.category_id)
            .order_by("-published_at")
            .values("pk")[:RELATED_CATEGORY_CANDIDATES]
        )
        shared_tags = (
            TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag_id__in=tag_ids)
            .values("content_object")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            self.exclude(pk=article.pk)
            .filter(Q(pk__in=list(neighbours)) | Q(pk__in=recent_tagged) | Q(pk__in=same_category))
            .annotate(
                neighbour=Case(When(pk__in=list(neighbours), then=Value(0)), default=Value(1)),
                shared=Coalesce(Subquery(shared_tags, output_field=IntegerField()), 0),
            )
            .order_by("neighbour", "-shared", "-published_at", "-pk")
        )

    def in_categories(self, categories) -> "ArticleQuerySet":
        return self.filter(category__in=categories)

    def for_listing(self) -> "ArticleQuerySet":
        """What a list of article cards shows: category and ordered authors, no N+1."""
        return self.select_related("category").prefetch_related(
            models.Prefetch(
                "bylines", queryset=Byline.objects.select_related("author").order_by("position")
            )
        )

    def with_tags(self) -> "ArticleQuerySet":
        """Tags in one query, read through ``Article.tag_list``.

        ``prefetch_related("tags")`` costs taggit a queryset build per article
        (its manager's ``get_queryset`` runs for each one to hold the cache),
        about as much as the query it saves; a plain reverse-FK prefetch into
        an attribute does not."""
        return self.prefetch_related(
            models.Prefetch(
                "taggedarticle_set",
                queryset=TaggedArticle.objects.select_related("tag").order_by("tag__name"),
                to_attr="prefetched_tagged",
            )
        )


def new_preview_nonce() -> str:
    return secrets.token_urlsafe(16)


def _neighbour(direction: str) -> Subquery:
    """The pk of the published article just before or after ``OuterRef`` in time."""
    here = OuterRef("published_at")
    if direction == "previous":
        condition = Q(published_at__lt=here) | Q(published_at=here, pk__lt=OuterRef("pk"))
        order = ("-published_at", "-pk")
    else:
        condition = Q(published_at__gt=here) | Q(published_at=here, pk__gt=OuterRef("pk"))
        order = ("published_at", "pk")
    return Subquery(Article.objects.published().filter(condition).order_by(*order).values("pk")[:1])


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="tagged_article_unique_tag"
            ),
        ]
        indexes = [
            # The newest articles with a tag: tag pages and related candidates.
            models.Index(fields=["tag", "-content_object"], name="tagged_article_newest_idx"),
        ]


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        allow_unicode=True,
        blank=True,
        help_text=_("The last part of the address. Filled from the title when left empty."),
    )
    dek = models.TextField(_("dek"), blank=True, help_text=_("The standfirst under the headline."))
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("For lists, feeds and search engines. Left empty, the body's start is used."),
    )
    body = models.TextField(_("body"), blank=True)

    image = models.ForeignKey(
        Image,
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        # An image in use stays: deleting it would leave a hole in the page.
        on_delete=models.PROTECT,
        related_name="lead_of",
        help_text=_("From the media library; shown above the body and in lists."),
    )
    # Before the media library: kept only for writers that still set it (the
    # WordPress importer); save_article moves such a file into the library.
    lead_image = models.ImageField(
        _("lead image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        width_field="lead_image_width",
        height_field="lead_image_height",
    )
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_alt = models.CharField(_("lead image alt text"), max_length=250, blank=True)
    lead_image_caption = models.CharField(_("lead image caption"), max_length=300, blank=True)
    lead_image_credit = models.CharField(_("lead image credit"), max_length=150, blank=True)

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="articles"
    )
    authors = models.ManyToManyField(
        Author, verbose_name=_("authors"), through="Byline", related_name="articles", blank=True
    )
    tags = TaggableManager(verbose_name=_("tags"), through=TaggedArticle, blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("A future time schedules the article: it goes live at that moment."),
    )
    # The permalink's date: published_at's local date, or the creation date
    # while the article has none. Stored so the URL lookup is one indexed
    # equality and slugs can be unique per day in the database.
    published_on = models.DateField(_("permalink date"), editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    seo_title = models.CharField(_("SEO title"), max_length=200, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=300, blank=True)

    source = models.CharField(
        _("source"), max_length=50, blank=True, help_text=_("The system it was imported from.")
    )
    source_id = models.CharField(_("source id"), max_length=100, blank=True)

    # Live coverage (articles.live): the page lists timestamped posts while
    # it runs; ending it freezes them.
    is_live = models.BooleanField(_("live coverage"), default=False, editable=False)
    coverage_started_at = models.DateTimeField(_("coverage started"), null=True, editable=False)
    coverage_ended_at = models.DateTimeField(_("coverage ended"), null=True, editable=False)
    key_points = models.TextField(
        _("key points"), blank=True, help_text=_("One point a line, shown above the live posts.")
    )

    # Part of every signed preview link; replacing it revokes them all.
    preview_nonce = models.CharField(max_length=32, default=new_preview_nonce, editable=False)
    # One more on every save. A copy keeps the version it was loaded at, so the
    # write path can refuse to save it over someone else's newer save.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        permissions = [("publish_article", _("Can publish, schedule and unpublish articles"))]
        constraints = [
            models.UniqueConstraint(
                fields=["published_on", "slug"], name="article_slug_unique_per_day"
            ),
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source=""),
                name="article_source_id_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review", "published"]),
                name="article_status_valid",
            ),
        ]
        indexes = [
            # Lists order by (-published_at, -pk): with the key in the index,
            # a page (and a deep page's keys) is read in index order, unsorted.
            models.Index(fields=["status", "-published_at", "-id"], name="article_status_pub_idx"),
            models.Index(
                fields=["category", "status", "-published_at", "-id"], name="article_cat_pub_idx"
            ),
            # The newest change of a published article (sitemaps' lastmod).
            models.Index(fields=["status", "-updated_at"], name="article_status_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Normalise this row's own fields; nothing cross-cutting happens here.
        self.body = sanitize(self.body)
        for name in PLAIN_TEXT_FIELDS:
            setattr(self, name, clean_text(getattr(self, name)))
        self.fill_permalink()
        if not self.__dict__.pop("_version_claimed", False) and self.pk and not self._state.adding:
            # Saved outside the write path: still a new version, so open forms notice.
            self.claim_version(force=True)
            self.__dict__.pop("_version_claimed", None)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                *("body", "slug", "published_on", "version"),
                *PLAIN_TEXT_FIELDS,
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "articles:detail",
            kwargs={
                "year": f"{self.published_on.year:04d}",
                "month": f"{self.published_on.month:02d}",
                "day": f"{self.published_on.day:02d}",
                "slug": self.slug,
            },
        )

    def fill_permalink(self) -> None:
        """Derive what the permalink needs, as ``save()`` stores it: the slug
        (from the title when empty), the publish time (now, for an article
        published without one) and the permalink date. Forms call it on a
        copy to check a permalink before saving."""
        if not self.slug:
            self.slug = slugify(self.title, allow_unicode=True)[:200] or "article"
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.published_at is not None:
            # Readers and machines see the time to the second; keep no more.
            self.published_at = self.published_at.replace(microsecond=0)
        moment = self.published_at or self.created_at or timezone.now()
        self.published_on = timezone.localdate(moment)

    def claim_version(self, *, force: bool = False) -> bool:
        """Move the stored row to the version this copy's save will have: the
        one after the version it was loaded at. False, with nothing changed, when
        someone saved the row since; ``force`` takes the next version whatever the
        row is at. Run it in the transaction that then saves this copy: the row
        stays locked against other writers until that ends."""
        rows = Article.objects.filter(pk=self.pk)
        if force:
            # Never backwards, even from a copy a revert wrote over the row.
            updated = rows.update(version=Greatest("version", Value(self.version)) + 1)
        else:
            updated = rows.filter(version=self.version).update(version=models.F("version") + 1)
        if updated and force:
            self.version = rows.values_list("version", flat=True).get()
        elif updated:
            self.version += 1
        elif rows.exists():
            return False
        # Claimed, or the row is gone (a deleted article coming back): inserted as it is.
        self._version_claimed = True
        return True

    @property
    def is_published(self) -> bool:
        """Mirrors ``ArticleQuerySet.published()`` for one instance."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def state(self) -> State:
        """Mirrors ``ArticleQuerySet.in_state()`` for one instance."""
        if self.status == self.Status.DRAFT:
            return State.DRAFT
        if self.status == self.Status.REVIEW:
            return State.REVIEW
        return State.SCHEDULED if self.is_scheduled else State.PUBLISHED

    def get_summary(self) -> str:
        return self.summary or first_sentences(self.body)

    @property
    def meta_title(self) -> str:
        return self.seo_title or self.title

    @property
    def meta_description(self) -> str:
        return self.seo_description or self.dek or self.get_summary()

    @property
    def ordered_authors(self) -> list[Author]:
        """Authors in byline order; uses the prefetch of ``for_listing()`` when present."""
        return [byline.author for byline in self.bylines.all()]

    @property
    def tag_list(self) -> list[Tag]:
        """Tags by name; uses the prefetch of ``with_tags()`` when present."""
        if hasattr(self, "prefetched_tagged"):
            return [item.tag for item in self.prefetched_tagged]
        return list(self.tags.order_by("name"))


class Byline(models.Model):
    """An author's place on an article's byline."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_author_once"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"


def category_family(category: Category) -> tuple[list[Category], list[Category]]:
    """``category``'s ancestors (root first) and its descendants, from one query.

    Newsrooms have tens of categories, not thousands, so loading them all is
    cheaper than a recursive query and works the same on SQLite and PostgreSQL.
    """
    by_id = {c.pk: c for c in Category.objects.only("pk", "name", "slug", "parent_id")}
    ancestors: list[Category] = []
    seen = {category.pk}
    parent_id = category.parent_id
    while parent_id is not None and parent_id not in seen and parent_id in by_id:
        seen.add(parent_id)
        ancestors.insert(0, by_id[parent_id])
        parent_id = by_id[parent_id].parent_id
    children: dict[int | None, list[Category]] = {}
    for c in by_id.values():
        children.setdefault(c.parent_id, []).append(c)
    descendants: list[Category] = []
    stack = list(children.get(category.pk, []))
    while stack:
        c = stack.pop()
        if c.pk in seen:
            continue
        seen.add(c.pk)
        descendants.append(c)
        stack.extend(children.get(c.pk, []))
    return ancestors, descendants


class Redirect(models.Model):
    """A 301 from an old path: to an article's current URL, or to another path.

    Saving an article under a new slug or date records its previous permalink
    here; importers record legacy URLs the same way. The article link has no
    database constraint so that a deleted and later recovered article (same
    id) gets its old URLs back.
    """

    old_path = models.CharField(_("old path"), max_length=500, unique=True)
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="redirects",
    )
    new_path = models.CharField(
        _("new path"),
        max_length=500,
        blank=True,
        # A path on this site, never another host: no open redirects.
        validators=[
            RegexValidator(r"^/(?![/\\])", _("Enter a path on this site, like /tag/news/."))
        ],
        help_text=_("Used when no article is given, e.g. for a merged tag's page."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False) | ~Q(new_path=""),
                name="redirect_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.old_path


# Live posts live beside the article they belong to (articles/live.py).
from articles.live.models import LivePost  # noqa: E402, F401

# Revisions keep an article with its byline and tags, so history, revert and
# recovery of a deleted article bring them back too. The preview nonce is left
# out: restoring an old one would revive revoked preview links.
reversion.register(Byline)
reversion.register(TaggedArticle)
reversion.register(Article, follow=["bylines", "taggedarticle_set"], exclude=["preview_nonce"])
