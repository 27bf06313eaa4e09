"""Generate many realistic articles fast, for benchmarks and scale tests.

``manage.py generate_articles 100000`` adds 100,000 articles with bodies of
500-1,500 words, 3-8 tags, 1-3 authors, embeds between paragraphs and
publish dates spread over several years, most published, a few drafts, in
review or scheduled. Categories (two levels), authors, tags and embed rows
are created as needed and reused on later runs, so the command adds to what
exists; slugs that would clash on a day get a ``-2``, ``-3`` suffix.

Rows go in with ``bulk_create``, which is the point: it skips
``services.save_article`` (no revisions, no signals), so the bodies are
generated in the form ``Article.save()`` would store (checked against
``articles.html.sanitize`` before anything is written), the permalink
fields are filled the way ``Article.fill_permalink`` fills them, and the
content generation is bumped once at the end. Each batch is added to the
search index (``articles.search.add_documents``) as it goes in. This is
benchmark data, not an editorial write path.

All text is made from the word lists below, never copied from anywhere.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import itertools
import random
import string
import time
from collections.abc import Callable, Iterator, Sequence

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import reset_queries, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles import search
from articles.html import plain_text, sanitize
from articles.models import Article, Author, Byline, Category, TaggedArticle, new_preview_nonce
from embeds import providers
from embeds.models import Embed
from newsroom import cache as content

MAX_COUNT = 10_000_000
MAX_BATCH_SIZE = 20_000

# Search targets for benchmarks: COMMON_WORD is in nearly every body,
# RARE_WORD in about one article in a thousand. Neither is part of another
# word in the lists, so a substring search finds only them.
COMMON_WORD = "council"
RARE_WORD = "quillwort"
RARE_SHARE = 0.001

DRAFT_SHARE = 0.03
REVIEW_SHARE = 0.01
SCHEDULED_SHARE = 0.02


def words(text: str) -> list[str]:
    return text.split()


def phrases(text: str) -> list[str]:
    return text.split("|")


# fmt: off
FUNCTION_WORDS = words(
    "the the the the of of of and and and to to in in a a that for on with as "
    "was is by at from it its their this but after before over into about "
    "which who while when where than more most some all two three new last "
    "also only just still then now up out"
)
CONTENT_WORDS = words(
    "council council city city band bands album record records song songs tour "
    "stage festival venue crowd ticket tickets season night week year month "
    "morning evening street streets bus buses route routes station library "
    "school schools budget vote votes plan plans report reports study figures "
    "market price prices rent homes housing park river bridge harbour market "
    "singer drummer guitarist producer label studio session chorus verse "
    "melody rhythm sound audience fans review critic interview statement "
    "mayor residents neighbours volunteers workers staff board committee "
    "meeting proposal decision trial project funding grant cost costs "
    "transport traffic cycling weather storm rain summer winter autumn spring "
    "museum gallery exhibition film theatre book books writer poet reading "
    "released announced confirmed rejected approved opened closed played "
    "recorded described planned expected promised asked told said added "
    "argued warned agreed decided reported returned moved built changed "
    "local national early late quiet loud small large long short first final "
    "public private free young old open new familiar careful bright slow "
    "steady sudden rare popular independent careful modest generous"
)
NAMES = words(
    "Lanterns Marlowe Okafor Ferreira Quist Hald Brennan Kowalski Ndiaye "
    "Lindqvist Moreau Castellano Haddad Sorensen Valdez Achterberg Nakamura "
    "Oduya Petrakis Rasmussen Tanaka Whitcombe Yilmaz Zeller"
)
FIRST_NAMES = words(
    "Mara Tomás June Ines Amir Beatrix Caspar Delia Emeka Freya Goran Hana "
    "Ivo Jonah Kaia Lorenzo Maren Nadia Oskar Priya Rafael Saoirse Teodor Uma "
    "Viktor Wren Yusuf Zofia Anselm Bettina Cyrus Dalia Elio Fenna"
)
LAST_NAMES = words(
    "Quist Ferreira Okafor Hald Brennan Kowalski Ndiaye Lindqvist Moreau "
    "Castellano Haddad Sorensen Valdez Achterberg Nakamura Oduya Petrakis "
    "Rasmussen Tanaka Whitcombe Yilmaz Zeller Abernathy Blom Carvalho Dunmore"
)
HEADLINE_SUBJECTS = phrases(
    "Council|Residents|The mayor|Local band|Festival organisers|Bus drivers|"
    "Library staff|The orchestra|A new venue|Volunteers|Neighbours|Critics|"
    "Fans|Traders|The museum|Students|Cyclists|The label|A young producer"
)
HEADLINE_VERBS = phrases(
    "announces|plans|rejects|approves|opens|closes|delays|doubles|wins|"
    "loses|defends|questions|returns to|celebrates|cancels|extends|launches|"
    "rethinks|rescues|reviews"
)
HEADLINE_OBJECTS = phrases(
    "night buses|a second stage|the river park|weekend hours|a live record|"
    "a twelve-city tour|the housing plan|new cycle lanes|the budget|"
    "a summer season|the old market|free concerts|a debut album|school meals|"
    "the harbour bridge|a winter festival|rent controls|the city library|"
    "a community studio|street parking"
)
HEADLINE_ENDINGS = phrases(
    "|||after long debate|for the first time|despite protests|in a close vote|"
    "this autumn|next spring|as costs rise|to mixed reviews|ahead of schedule"
)
TOPICS = phrases(
    "news|music|live music|albums|tours|festivals|council|transport|housing|"
    "libraries|schools|weather|budget|arts|film|theatre|books|interviews|"
    "reviews|recording|jazz|folk|electronic|classical|hip-hop|punk|opera|"
    "cycling|parks|markets|business|jobs|health|science|history|food|"
    "nightlife|venues|radio|podcasts|photography|design|fashion|sport|"
    "football|elections|planning|environment|climate|energy|water|rail"
)
TAG_ADJECTIVES = words(
    "Velvet Iron Paper Golden Quiet Northern Hollow Electric Silver Wild "
    "Lunar Amber Crimson Broken Distant Glass Midnight Salt Cedar Copper"
)
TAG_NOUNS = words(
    "Harbours Foxes Engines Lanterns Orchards Signals Pilots Rivers Choirs "
    "Tides Kites Wolves Bells Ferries Arches Sparrows Tapes Pylons Gardens Static"
)
SECTIONS = {
    # top-level name: children
    "News": ["City", "Politics", "Transport", "Environment"],
    "Music": ["Tours", "Releases", "Festivals", "Industry"],
    "Reviews": ["Albums", "Live", "Books", "Film"],
    "Features": ["Interviews", "Long reads", "Guides"],
    "Culture": ["Arts", "Theatre", "Food"],
    "Sport": ["Football", "Cycling"],
    "Business": ["Jobs", "Property"],
    "Opinion": [],
}
# fmt: on
SUBCATEGORY_SHARE = 0.7
AUTHOR_POOL = 80
POOL_SEED = 20240310
TAG_POOL = 400
EMBED_CHOICES = (0, 0, 0, 0, 1, 1, 2, 3, 4)  # embeds per article: half have none
ID_CHARS = string.ascii_letters + string.digits
INSTAGRAM_CHARS = ID_CHARS + "_-"


def whole_number(maximum: int) -> Callable[[str], int]:
    """An argparse type: a whole number from 1 to ``maximum``, or a clear error."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if not 1 <= number <= maximum:
            raise argparse.ArgumentTypeError(f"must be between 1 and {maximum:,}, got {number}")
        return number

    return parse


def years_argument(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of years, got {value!r}") from None
    if not 0 < number <= 50:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 50, got {value}")
    return number


class Weighted:
    """Draw from ``items`` with Zipf-like weights: a few are common, most are rare."""

    def __init__(self, items: Sequence, exponent: float = 1.0) -> None:
        self.items = list(items)
        self.cumulative = list(
            itertools.accumulate(1 / (rank**exponent) for rank in range(1, len(self.items) + 1))
        )

    def one(self, rng: random.Random):
        point = rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect(self.cumulative, point)]

    def distinct(self, rng: random.Random, count: int) -> list:
        count = min(count, len(self.items))
        chosen: dict = {}
        while len(chosen) < count:
            chosen.setdefault(self.one(rng), None)
        return list(chosen)


# Function words four times over, so the text reads roughly like prose.
VOCABULARY = FUNCTION_WORDS * 4 + CONTENT_WORDS + NAMES


class Text:
    """Sentences and blocks from the word lists, in markup the sanitizer keeps as is.

    A body's words are drawn in one go and cut into sentences, so its length
    is exactly the number of words asked for, markup and embeds aside.
    """

    SENTENCE_LENGTHS = range(6, 25)
    SENTENCES_PER_BLOCK = (2, 3, 3, 4, 4, 5, 6)

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def sentence(self, words: list[str]) -> str:
        rng = self.rng
        if len(words) > 8 and rng.random() < 0.4:
            at = rng.randrange(3, len(words) - 3)
            words[at] += ","
        words[0] = words[0][0].upper() + words[0][1:]
        return " ".join(words) + ("?" if rng.random() < 0.03 else ".")

    def block(self, sentences: list[str]) -> str:
        """Mostly plain paragraphs; some with emphasis, a link, a quote, a
        list or a subheading."""
        rng = self.rng
        shape = rng.random()
        if shape < 0.70 or len(sentences) < 2:
            return f"<p>{' '.join(sentences)}</p>"
        if shape < 0.78:
            words = " ".join(sentences).split(" ")
            at = rng.randrange(len(words))
            words[at] = f"<strong>{words[at]}</strong>"
            return f"<p>{' '.join(words)}</p>"
        if shape < 0.86:
            words = " ".join(sentences).split(" ")
            at = rng.randrange(len(words) - 1)  # not the last: keep the full stop outside
            href = f"https://example.org/reports/{rng.randrange(10**6)}"
            words[at] = f'<a href="{href}" rel="noopener noreferrer">{words[at]}</a>'
            return f"<p>{' '.join(words)}</p>"
        if shape < 0.91:
            return f"<blockquote><p><em>{' '.join(sentences)}</em></p></blockquote>"
        if shape < 0.96:
            items = "".join(f"<li>{item}</li>" for item in sentences[1:])
            return f"<p>{sentences[0]}</p><ul>{items}</ul>"
        heading = sentences[0].rstrip(".?").replace(",", "")
        return f"<h2>{heading}</h2><p>{' '.join(sentences[1:])}</p>"

    def text(self, word_count: int) -> list[list[str]]:
        """``word_count`` words as blocks of sentences."""
        rng = self.rng
        stream = rng.choices(VOCABULARY, k=word_count)
        lengths = rng.choices(self.SENTENCE_LENGTHS, k=word_count // 6 + 1)
        sentences, position = [], 0
        for length in lengths:
            if position >= word_count:
                break
            sentences.append(self.sentence(stream[position : position + length]))
            position += length
        blocks, position = [], 0
        while position < len(sentences):
            size = rng.choice(self.SENTENCES_PER_BLOCK)
            blocks.append(sentences[position : position + size])
            position += size
        return blocks

    def body(self, word_count: int, embed_urls: Sequence[str], rare: bool) -> str:
        rare_paragraph = f"<p>A {RARE_WORD} grows here.</p>"
        if rare:
            word_count -= len(rare_paragraph.split(" "))
        blocks = self.text(word_count)
        # The lede is a plain paragraph; the rest take their shapes at random.
        html = [f"<p>{' '.join(blocks[0])}</p>", *map(self.block, blocks[1:])]
        if rare:
            html.insert(self.rng.randrange(1, len(html) + 1), rare_paragraph)
        # Embeds sit between blocks, never first, each a paragraph of its own:
        # that is what makes the renderer turn the URL into an embed.
        for url in embed_urls:
            html.insert(self.rng.randrange(1, len(html) + 1), f"<p>{url}</p>")
        return "\n".join(html)

    def dek(self) -> str:
        rng = self.rng
        return self.sentence(rng.choices(VOCABULARY, k=rng.randint(12, 24)))

    def title(self) -> str:
        rng = self.rng
        parts = [
            rng.choice(HEADLINE_SUBJECTS),
            rng.choice(HEADLINE_VERBS),
            rng.choice(HEADLINE_OBJECTS),
            rng.choice(HEADLINE_ENDINGS),
        ]
        if rng.random() < 0.5:
            parts.insert(0, rng.choice(NAMES) + ":")
        return " ".join(part for part in parts if part)


def check_markup_is_stable(text: Text) -> None:
    """Every block shape must come out of the sanitizer unchanged: the bodies
    skip ``Article.save()``, so they must already be what it would store."""
    rng_state = text.rng.getstate()
    samples = [text.block(sentences) for sentences in text.text(3000)]
    samples.append(text.body(300, [url for url, *_ in sample_embeds(text.rng)], rare=True))
    samples.append(text.title() + text.dek())
    text.rng.setstate(rng_state)
    for sample in samples:
        if sanitize(sample) != sample:
            raise CommandError(
                "articles.html.sanitize changes generated markup; update the generator.\n"
                f"generated: {sample[:300]}\nsanitized: {sanitize(sample)[:300]}"
            )


def _random_id(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choices(alphabet, k=length))


def sample_embeds(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """One embed of each shape: (url as an editor pastes it, author name, handle, text)."""
    return [make_embed(rng, kind) for kind in ("instagram", "reel", "spotify", "youtube")]


def make_embed(rng: random.Random, kind: str | None = None) -> tuple[str, str, str, str]:
    kind = (
        kind
        or rng.choices(
            ("instagram", "reel", "spotify", "album", "youtube"), weights=(5, 1, 2, 1, 2)
        )[0]
    )
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if kind in ("instagram", "reel"):
        path = "p" if kind == "instagram" else "reel"
        url = f"https://www.instagram.com/{path}/{_random_id(rng, INSTAGRAM_CHARS, 11)}/"
        handle = slugify(name).replace("-", "") + str(rng.randrange(100))
        return url, name, handle, "Behind the scenes, take " + str(rng.randrange(1, 9)) + "."
    if kind in ("spotify", "album"):
        item = "track" if kind == "spotify" else "album"
        url = f"https://open.spotify.com/{item}/{_random_id(rng, ID_CHARS, 22)}"
        return url, name, "", f"{rng.choice(TAG_ADJECTIVES)} {rng.choice(TAG_NOUNS)}"
    url = f"https://www.youtube.com/watch?v={_random_id(rng, INSTAGRAM_CHARS, 11)}"
    return url, name, "", f"{rng.choice(TAG_NOUNS)} live at the {rng.choice(NAMES)} Hall"


class Command(BaseCommand):
    help = (
        "Add N generated articles (with categories, authors, tags and embeds) in bulk, "
        "for benchmarks. Adds to what exists; never for a real site."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=whole_number(MAX_COUNT), help="How many articles to add.")
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed, for repeatable content."
        )
        parser.add_argument(
            "--batch-size",
            type=whole_number(MAX_BATCH_SIZE),
            default=2000,
            help="Articles per insert and transaction (default 2000).",
        )
        parser.add_argument(
            "--years",
            type=years_argument,
            default=5,
            help="Spread publish dates over this many years before now (default 5).",
        )

    def handle(
        self, *args, count: int, seed: int | None, batch_size: int, years: float, **options
    ) -> None:
        if seed is None:
            seed = random.SystemRandom().randrange(2**32)
        rng = random.Random(seed)
        text = Text(rng)
        check_markup_is_stable(text)
        started = time.monotonic()
        now = timezone.now().replace(microsecond=0)

        # The pools do not depend on the seed, so later runs reuse them.
        pools = random.Random(POOL_SEED)
        with transaction.atomic():
            categories = self.ensure_categories()
            authors = Weighted(self.ensure_authors(pools), exponent=0.8)
            tags = Weighted(self.ensure_tags(pools), exponent=0.9)
        taken = set(Article.objects.values_list("published_on", "slug"))

        statuses = self.statuses(rng, count)
        span = int(datetime.timedelta(days=365.25 * years).total_seconds())
        created = 0
        for batch_start in range(0, count, batch_size):
            batch = range(batch_start, min(batch_start + batch_size, count))
            articles, tag_lists, author_lists, embeds = [], [], [], {}
            for index in batch:
                status, published_at = statuses.get(index, Article.Status.PUBLISHED), None
                # Whole seconds, as Article.fill_permalink() stores them.
                if status == Article.Status.PUBLISHED:
                    published_at = now - datetime.timedelta(seconds=rng.randrange(span))
                elif status == "scheduled":
                    status = Article.Status.PUBLISHED
                    published_at = now + datetime.timedelta(seconds=rng.randint(3600, 60 * 86400))
                article_embeds = [make_embed(rng) for _ in range(rng.choice(EMBED_CHOICES))]
                for embed in article_embeds:
                    embeds.setdefault(embed[0], embed)
                title = text.title()
                published_on = timezone.localdate(published_at or now)
                articles.append(
                    Article(
                        title=title,
                        slug=self.free_slug(taken, published_on, title),
                        dek=text.dek(),
                        body=text.body(
                            rng.randint(500, 1500),
                            [url for url, *_ in article_embeds],
                            rare=rng.random() < RARE_SHARE,
                        ),
                        category=self.pick_category(rng, categories),
                        status=status,
                        published_at=published_at,
                        published_on=published_on,
                        preview_nonce=new_preview_nonce(),
                        version=1,  # its first save, as save_article's insert
                    )
                )
                tag_lists.append(tags.distinct(rng, rng.randint(3, 8)))
                author_lists.append(authors.distinct(rng, rng.choice((1, 1, 1, 2, 2, 3))))
            self.insert(articles, tag_lists, author_lists, embeds, batch_size, now)
            # With DEBUG on, Django keeps every query's SQL, megabytes per batch here.
            reset_queries()
            created += len(articles)
            if options["verbosity"] >= 2 or (options["verbosity"] >= 1 and count > batch_size):
                rate = created / max(time.monotonic() - started, 1e-9)
                self.stdout.write(f"{created:,}/{count:,} articles ({rate:,.0f}/s)")

        # bulk_create sends no signals: retire cached pages the way a save would.
        content.changed()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {created:,} articles in {elapsed:.1f} s (seed {seed}); "
                f"{Article.objects.count():,} in total."
            )
        )

    @staticmethod
    def statuses(rng: random.Random, count: int) -> dict[int, str]:
        """Which of the new articles are drafts, in review or scheduled; the rest
        are published. Exact shares, at least one draft and one scheduled from
        ten articles on, so small runs still exercise the gate."""
        shares = [
            (Article.Status.DRAFT, DRAFT_SHARE),
            ("scheduled", SCHEDULED_SHARE),
            (Article.Status.REVIEW, REVIEW_SHARE),
        ]
        wanted = []
        for status, share in shares:
            number = round(count * share)
            if count >= 10 and status != Article.Status.REVIEW:
                number = max(number, 1)
            wanted += [status] * number
        positions = rng.sample(range(count), len(wanted))
        return dict(zip(positions, wanted, strict=True))

    @staticmethod
    def free_slug(taken: set, day: datetime.date, title: str) -> str:
        base = slugify(title, allow_unicode=True)[:190] or "article"
        slug = base
        for n in itertools.count(2):
            if (day, slug) not in taken:
                break
            slug = f"{base}-{n}"
        taken.add((day, slug))
        return slug

    @staticmethod
    def pick_category(rng: random.Random, categories: dict[Category, list[Category]]):
        top = rng.choice(list(categories))
        children = categories[top]
        if children and rng.random() < SUBCATEGORY_SHARE:
            return rng.choice(children)
        return top

    @staticmethod
    def ensure_categories() -> dict[Category, list[Category]]:
        """The two-level section tree, reusing categories that already have the slugs."""
        tree = {}
        for name, child_names in SECTIONS.items():
            top, _ = Category.objects.get_or_create(slug=slugify(name), defaults={"name": name})
            tree[top] = []
            for child_name in child_names:
                child, _ = Category.objects.get_or_create(
                    slug=slugify(f"{name} {child_name}"),
                    defaults={"name": child_name, "parent": top},
                )
                tree[top].append(child)
        return tree

    @staticmethod
    def ensure_authors(rng: random.Random) -> list[Author]:
        names = sorted({f"{a} {b}" for a, b in itertools.product(FIRST_NAMES, LAST_NAMES)})
        names = rng.sample(names, AUTHOR_POOL)
        by_slug = {slugify(name): name for name in names}
        existing = set(Author.objects.filter(slug__in=by_slug).values_list("slug", flat=True))
        Author.objects.bulk_create(
            [Author(name=name, slug=slug) for slug, name in by_slug.items() if slug not in existing]
        )
        return list(Author.objects.filter(slug__in=by_slug).order_by("slug"))

    @staticmethod
    def ensure_tags(rng: random.Random) -> list[Tag]:
        bands = [f"{a} {b}" for a, b in itertools.product(TAG_ADJECTIVES, TAG_NOUNS)]
        names = TOPICS + rng.sample(bands, TAG_POOL - len(TOPICS))
        existing = set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
        # A slug taken by a tag of another name keeps that name out of the pool.
        Tag.objects.bulk_create(
            [Tag(name=name, slug=slugify(name)) for name in names if name not in existing],
            ignore_conflicts=True,
        )
        by_name = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
        return [by_name[name] for name in names if name in by_name]

    @staticmethod
    def insert(
        articles: list[Article],
        tag_lists: list[list[Tag]],
        author_lists: list[list[Author]],
        embeds: dict[str, tuple[str, str, str, str]],
        batch_size: int,
        now: datetime.datetime,
    ) -> None:
        with transaction.atomic():
            Article.objects.bulk_create(articles, batch_size=batch_size)
            TaggedArticle.objects.bulk_create(
                (
                    TaggedArticle(content_object_id=article.pk, tag_id=tag.pk)
                    for article, tags in zip(articles, tag_lists, strict=True)
                    for tag in tags
                ),
                batch_size=batch_size,
            )
            Byline.objects.bulk_create(
                (
                    Byline(article_id=article.pk, author_id=author.pk, position=position)
                    for article, authors in zip(articles, author_lists, strict=True)
                    for position, author in enumerate(authors)
                ),
                batch_size=batch_size,
            )
            Embed.objects.bulk_create(
                embed_rows(embeds.values()), batch_size=batch_size, ignore_conflicts=True
            )
            # New rows have no search entry yet; index them from the text in hand.
            search.add_documents(
                [
                    search.Document(
                        article.pk,
                        article.title,
                        article.dek,
                        " · ".join([a.name for a in authors] + sorted(t.name for t in tags)),
                        plain_text(article.body),
                    )
                    for article, authors, tags in zip(
                        articles, author_lists, tag_lists, strict=True
                    )
                ]
            )
            # auto_now stamps every row with the insert time; an article last
            # changed when it went out is closer to a real archive.
            Article.objects.filter(
                pk__in=[article.pk for article in articles], published_at__lte=now
            ).update(created_at=F("published_at"), updated_at=F("published_at"))


def embed_rows(embeds) -> Iterator[Embed]:
    for url, name, handle, text in embeds:
        found = providers.match(url)
        if found is None:  # the registry changed its mind about a URL shape
            raise CommandError(f"embeds.providers does not recognise {url}")
        row = Embed.from_match(found)
        row.author_name = name
        row.author_handle = handle
        if found.kind == providers.Kind.SOCIAL:
            row.caption = text
        else:
            row.title = text
        yield row
