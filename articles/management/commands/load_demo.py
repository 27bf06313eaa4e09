"""Demo content: a handful of original articles to click through after `make run`."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import images, scenes
from articles.models import Article, Author, Category, Correction
from articles.services import save_article
from embeds.models import Embed

CATEGORIES = [
    # slug, name, parent slug, description
    ("news", "News", None, "What happened, reported as it happens."),
    ("music", "Music", "news", "Releases, tours and the people behind them."),
    ("reviews", "Reviews", None, "Records, shows and books, weighed up."),
    ("features", "Features", None, "Longer reads and interviews."),
    ("city", "City", None, "Our town: councils, transport, neighbourhoods."),
]

AUTHORS = [
    ("mara-quist", "Mara Quist", "Mara covers music and the business around it."),
    (
        "tomas-ferreira",
        "Tomás Ferreira",
        "Tomás reports on the city, from council votes to bus routes.",
    ),
    ("june-okafor", "June Okafor", "June edits features and writes about records."),
]


def _paragraphs(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


# Each article: source id, title, slug, category, authors, tags, dek, body, age or date, status.
ARTICLES = [
    {
        "id": "tour-announcement",
        "title": "The Lanterns announce a twelve-city tour and a surprise live record",
        "slug": "the-lanterns-announce-tour",
        "category": "music",
        "authors": ["mara-quist"],
        "tags": ["The Lanterns", "tours", "live music"],
        "dek": "The band posted the dates one by one, then put out a new song the same morning.",
        "published_at": datetime.datetime(2022, 5, 3, 8, 41, 55, tzinfo=datetime.UTC),
        "body": _paragraphs(
            "The Lanterns spent Tuesday morning posting one city at a time, and by lunch the "
            "picture was complete: twelve dates across the autumn, starting in small rooms and "
            "ending in the largest hall the band has ever booked.",
            "The first post came with a photograph of a hand-painted tour poster.",
            "https://www.instagram.com/p/CdGx1aPrQ3e/",
            "Singer Ines Hald wrote that the route was chosen by fans who replied to a "
            "newsletter in the spring. Several of the smaller venues are ones the band played "
            "before its first record.",
            "https://www.instagram.com/p/CdH2kLmNp8Q/",
            "A rehearsal clip followed an hour later, and the drummer confirmed that the shows "
            "will be recorded for a live album due early next year.",
            "https://www.instagram.com/reel/CdJ4vWxYz1A/",
            "The band also put a new song on streaming services the same morning. It is the "
            "first music they have released in two years.",
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
            "Tickets go on sale on Friday. The band asked fans not to buy from resale sites and "
            "said any returned tickets will be offered again at face value.",
        ),
    },
    {
        "id": "council-buses",
        "title": "Council votes to run night buses on four routes from March",
        "slug": "council-night-buses",
        "category": "city",
        "authors": ["tomas-ferreira"],
        "tags": ["transport", "council"],
        "dek": "A year-long trial will test whether late services pay for themselves.",
        "age": datetime.timedelta(hours=5),
        "notes": [
            (
                "correction",
                "An earlier version gave the vote as 29 to 11. It was 31 to 9.",
            ),
            ("update", "The council has named the first night of the trial: March 7th."),
        ],
        "body": _paragraphs(
            "Councillors voted 31 to 9 on Wednesday evening to fund night buses on four of the "
            "busiest routes for a trial year.",
            "Services will run every thirty minutes between midnight and five in the morning "
            "on Fridays and Saturdays, and hourly on other nights.",
            "Supporters pointed to hospital and hospitality workers who finish late. Opponents "
            "questioned the cost and asked for ridership figures to be published monthly, which "
            "the transport committee agreed to do.",
            "<strong>What changes:</strong> routes 4, 11, 19 and 27 get night services; fares "
            "stay the same as in the daytime.",
        ),
    },
    {
        "id": "record-review",
        "title": "Review: a quiet debut that rewards a second listen",
        "slug": "review-quiet-debut",
        "category": "reviews",
        "authors": ["june-okafor"],
        "tags": ["albums", "debut"],
        "dek": "Nine songs, mostly piano and voice, recorded in a church hall over one winter.",
        "age": datetime.timedelta(hours=20),
        "body": _paragraphs(
            "It is easy to let this record slide by on first play. The arrangements are spare, "
            "the tempos slow, and the singer rarely raises her voice.",
            "Give it the second listen, though, and the details arrive: a cello that enters "
            "only for the last chorus of the third song, a creaking pedal left in the mix, a "
            "lyric about a bus stop that turns out to be about a father.",
            "<em>Verdict:</em> four stars out of five. Best heard late, through headphones.",
            "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
        ),
    },
    {
        "id": "festival-lineup",
        "title": "Riverside festival adds a second stage and a family day",
        "slug": "riverside-festival-second-stage",
        "category": "music",
        "authors": ["mara-quist", "tomas-ferreira"],
        "tags": ["festivals", "live music"],
        "dek": "Organisers say the change came from last year's crowd survey.",
        "age": datetime.timedelta(days=2, hours=3),
        "body": _paragraphs(
            "The riverside festival will open a second stage this summer for local bands, and "
            "the Sunday will become a family day with reduced prices for under-sixteens.",
            "Organisers said last year's survey showed long waits between sets on the main "
            "stage, and that a second stage lets the changeovers overlap.",
            "The full line-up will be published next month.",
        ),
    },
    {
        "id": "interview-producer",
        "title": "“The room is an instrument”: a producer on recording in odd places",
        "slug": "interview-producer-odd-places",
        "category": "features",
        "authors": ["june-okafor"],
        "tags": ["interviews", "recording"],
        "dek": "Car parks, stairwells and an empty pool: why she keeps leaving the studio.",
        "age": datetime.timedelta(days=6),
        "body": _paragraphs(
            "She has recorded a string quartet in a multi-storey car park and a choir in an "
            "empty swimming pool. She says the reason is simple: every room has a sound, and "
            "studios are built to remove it.",
            "<strong>Why leave the studio?</strong>",
            "Because the studio is a blank page, she says, and sometimes you want a page with "
            "lines already on it. A stairwell gives you a long tail on every note for free.",
            "<strong>What goes wrong?</strong>",
            "Everything. Pigeons, rain on a tin roof, a security guard who did not get the "
            "email. Half of the time the mistakes stay on the record.",
        ),
    },
    {
        "id": "library-hours",
        "title": "Central library extends weekend opening hours",
        "slug": "library-weekend-hours",
        "category": "city",
        "authors": ["tomas-ferreira"],
        "tags": ["libraries", "council"],
        "dek": "",
        "age": datetime.timedelta(days=9),
        "body": _paragraphs(
            "The central library will stay open until eight on Saturdays and open at noon on "
            "Sundays from next month, after a petition gathered more than four thousand names.",
            "Staff numbers will rise by three full-time posts, paid for from the culture budget.",
        ),
    },
    {
        "id": "scheduled-preview",
        "title": "Coming soon: our guide to the winter concert season",
        "slug": "winter-concert-guide",
        "category": "features",
        "authors": ["mara-quist"],
        "tags": ["guides", "live music"],
        "dek": "Scheduled: this goes live on its own at the set time.",
        "age": -datetime.timedelta(days=3),
        "body": _paragraphs(
            "This article is scheduled. Readers will see it when its publish time arrives, "
            "without anyone pressing a button."
        ),
    },
    {
        "id": "draft-notes",
        "title": "Draft: notes on the stadium plans",
        "slug": "draft-stadium-notes",
        "category": "city",
        "authors": ["tomas-ferreira"],
        "tags": ["council"],
        "dek": "",
        "status": Article.Status.DRAFT,
        "body": _paragraphs("A draft: only staff can see it, and only after signing in."),
    },
]


# Metadata editors would type into the embeds admin (Instagram's oEmbed needs a token).
EMBEDS = [
    ("https://www.instagram.com/p/CdGx1aPrQ3e/", "The Lanterns", "thelanternsband",
     "Twelve cities this autumn. Poster painted by our drummer."),
    ("https://www.instagram.com/p/CdH2kLmNp8Q/", "Ines Hald", "ineshald",
     "You picked the route. Thank you for every reply."),
    ("https://www.instagram.com/reel/CdJ4vWxYz1A/", "The Lanterns", "thelanternsband",
     "Rehearsal, take three."),
    ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "The Lanterns", "",
     "Lantern Light"),
]  # fmt: skip


# Each article's lead image: a scene drawn by articles.scenes, and its alt text.
SCENES = {
    "tour-announcement": ("dusk", "Purple hills under an orange evening sky with a low sun."),
    "council-buses": ("night", "Dark ridges under a deep blue night sky and a pale moon."),
    "record-review": ("autumn", "Brown and rust hills below a warm, hazy afternoon sky."),
    "festival-lineup": ("noon", "Green hills under a bright blue midday sky."),
    "interview-producer": ("mist", "Grey hills fading into a pale, misty sky."),
    "library-hours": ("dawn", "Violet hills under a pink dawn sky with a rising sun."),
    "scheduled-preview": ("noon", "Rolling green ridges under a clear blue sky."),
    "draft-notes": ("mist", "Soft grey ridges in morning mist."),
}


class Command(BaseCommand):
    help = "Load a handful of original demo articles. Running it again changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has articles (make run uses this).",
        )

    @transaction.atomic
    def handle(self, *args, if_empty: bool = False, **options) -> None:
        if if_empty and Article.objects.exists():
            self.stdout.write("Articles exist; demo content not loaded.")
            return
        categories: dict[str, Category] = {}
        for slug, name, parent, description in CATEGORIES:
            categories[slug], _ = Category.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "parent": categories.get(parent) if parent else None,
                    "description": description,
                },
            )
        authors = {
            slug: Author.objects.get_or_create(slug=slug, defaults={"name": name, "bio": bio})[0]
            for slug, name, bio in AUTHORS
        }
        # Metadata first: saving an article gives its embeds empty rows otherwise.
        for url, name, handle, text in EMBEDS:
            is_post = bool(handle)
            Embed.objects.get_or_create(
                url=url,
                defaults={
                    "author_name": name,
                    "author_handle": handle,
                    "caption": text if is_post else "",
                    "title": "" if is_post else text,
                },
            )
        now = timezone.now().replace(microsecond=0)
        created = 0
        for data in ARTICLES:
            if Article.objects.filter(source="demo", source_id=data["id"]).exists():
                continue
            status = data.get("status", Article.Status.PUBLISHED)
            published_at = data.get("published_at")
            if published_at is None and "age" in data:
                published_at = now - data["age"]
            palette, alt = SCENES[data["id"]]
            article = Article(
                image=images.ingest(
                    scenes.scene(data["id"], palette), alt=alt, credit="Drawn for the demo"
                ),
                title=data["title"],
                slug=data["slug"],
                dek=data["dek"],
                body=data["body"],
                category=categories[data["category"]],
                status=status,
                published_at=published_at if status == Article.Status.PUBLISHED else None,
                source="demo",
                source_id=data["id"],
            )
            notes = [
                Correction(article=article, kind=kind, text=text)
                for kind, text in data.get("notes", ())
            ]
            save_article(
                article,
                comment="Demo content.",
                authors=[authors[slug] for slug in data["authors"]],
                tags=data["tags"],
                save_related=lambda notes=notes: [note.save() for note in notes],
            )
            created += 1
        self.stdout.write(self.style.SUCCESS(f"Demo content: {created} articles added."))
