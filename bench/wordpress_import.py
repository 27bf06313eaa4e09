"""Time ``manage.py import_wordpress`` on a generated export and measure its memory.

    .venv/bin/python bench/wordpress_import.py --posts 10000
    .venv/bin/python bench/wordpress_import.py --posts 10000,100000 --rerun

For each size it writes a WXR 1.2 file of that many posts (bodies of a few
hundred words, categories two levels deep, tags, authors, an Instagram
blockquote with its script and a Spotify line in every tenth post, a
caption shortcode in every twentieth), migrates a throwaway SQLite database
(or the empty one in ``DATABASE_URL``) and runs the import in a child
process, whose wall time and peak resident memory (``wait4``'s ``ru_maxrss``)
are reported. ``--rerun`` imports the same file again: the idempotent pass.
The text is made from the word list below.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
_WORD_LIST = (
    "council harbour ferry festival stage crowd ticket band album tour night river bridge "
    "market street station library school budget vote report season evening morning city "
    "the of and to in a that for on with as was is by at from it its their this but after"
)
WORDS = _WORD_LIST.split(" ")
HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Generated newsroom</title>
<link>https://generated.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://generated.example</wp:base_site_url>
<wp:base_blog_url>https://generated.example</wp:base_blog_url>
"""


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def body(rng: random.Random, n: int) -> str:
    paragraphs = [" ".join(sentence(rng) for _ in range(rng.randint(3, 6))) for _ in range(6)]
    if n % 10 == 0:
        code = f"Gen{n:07d}x"
        paragraphs.insert(
            2,
            f'<blockquote class="instagram-media" data-instgrm-permalink='
            f'"https://www.instagram.com/p/{code}/?utm_source=ig_embed"><div><p>'
            f'<a href="https://www.instagram.com/p/{code}/">A post shared by Band {n}'
            f" (@band{n})</a></p></div></blockquote>\n"
            '<script async src="//www.instagram.com/embed.js"></script>',
        )
        paragraphs.insert(4, "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC")
    if n % 20 == 0:
        paragraphs.insert(
            1,
            '[caption id="attachment_1" width="640"]<img src="https://generated.example/'
            f'wp-content/uploads/{n}.jpg" alt="Photo {n}" /> A caption for {n}.[/caption]',
        )
    return "\n\n".join(paragraphs)


def generate(path: Path, posts: int, seed: int = 12) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD)
        for a in range(20):
            out.write(
                f"<wp:author><wp:author_login>{cdata(f'writer{a}')}</wp:author_login>"
                f"<wp:author_display_name>{cdata(f'Writer {a}')}</wp:author_display_name>"
                "</wp:author>\n"
            )
        for c in range(5):
            out.write(
                f"<wp:category><wp:term_id>{c + 1}</wp:term_id><wp:category_nicename>"
                f"section-{c}</wp:category_nicename><wp:category_parent></wp:category_parent>"
                f"<wp:cat_name>{cdata(f'Section {c}')}</wp:cat_name></wp:category>\n"
            )
            for s in range(3):
                out.write(
                    f"<wp:category><wp:term_id>{100 + c * 3 + s}</wp:term_id>"
                    f"<wp:category_nicename>desk-{c}-{s}</wp:category_nicename>"
                    f"<wp:category_parent>section-{c}</wp:category_parent>"
                    f"<wp:cat_name>{cdata(f'Desk {c}.{s}')}</wp:cat_name></wp:category>\n"
                )
        start = 1_500_000_000  # 2017-07-14
        for n in range(1, posts + 1):
            moment = time.gmtime(start + n * 3_000 + rng.randint(0, 2_000))
            date = time.strftime("%Y-%m-%d %H:%M:%S", moment)
            slug = f"story-{n}"
            status = rng.choices(["publish", "draft", "pending"], weights=[96, 3, 1])[0]
            c, s = rng.randrange(5), rng.randrange(3)
            tags = "".join(
                f'<category domain="post_tag" nicename="topic-{t}">{cdata(f"Topic {t}")}</category>'
                for t in rng.sample(range(500), rng.randint(2, 6))
            )
            out.write(
                f"<item><title>{escape(sentence(rng)[:120])}</title>"
                f"<link>https://generated.example/{date[:10].replace('-', '/')}/{slug}/</link>"
                f"<dc:creator>{cdata(f'writer{n % 20}')}</dc:creator>"
                f"<content:encoded>{cdata(body(rng, n))}</content:encoded>"
                f"<excerpt:encoded>{cdata('')}</excerpt:encoded>"
                f"<wp:post_id>{n}</wp:post_id><wp:post_date>{date}</wp:post_date>"
                f"<wp:post_date_gmt>{date}</wp:post_date_gmt><wp:post_name>{slug}</wp:post_name>"
                f"<wp:status>{status}</wp:status><wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="desk-{c}-{s}">{cdata(f"Desk {c}.{s}")}'
                f"</category>{tags}</item>\n"
            )
        out.write("</channel>\n</rss>\n")


def run(env: dict[str, str], *arguments: str) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, peak RSS in MB and output of one ``manage.py``
    child. On a shared machine the CPU time is the steadier figure."""
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    took = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"manage.py {' '.join(arguments)} failed:\n{output}")
    return took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", default="10000", help="comma-separated sizes")
    parser.add_argument("--rerun", action="store_true", help="import each file a second time")
    args = parser.parse_args()
    rows = []
    for size in [int(n) for n in args.posts.split(",")]:
        with tempfile.TemporaryDirectory(prefix="wp-bench-") as folder:
            folder = Path(folder)
            export = folder / "export.xml"
            generate(export, size)
            empty = folder / "empty.env"
            empty.touch()
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
                "NEWSROOM_ENV_FILE": str(empty),
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_MEDIA_ROOT": str(folder / "media"),
                "DATABASE_URL": os.environ.get("DATABASE_URL")
                or f"sqlite:///{folder / 'db.sqlite3'}",
            }
            run(env, "migrate", "--verbosity", "0")
            megabytes = export.stat().st_size / 1e6
            runs = ["first import", "re-run"] if args.rerun else ["first import"]
            for kind in runs:
                took, cpu, rss, output = run(env, "import_wordpress", str(export))
                post = next(line for line in output.splitlines() if line.startswith("post:"))
                rows.append((size, kind, megabytes, took, cpu, rss, post))
                print(rows[-1], file=sys.stderr, flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| posts | run | export MB | wall s | CPU s | peak RSS MB | posts |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
    for size, kind, megabytes, took, cpu, rss, line in rows:
        print(f"| {size:,} | {kind} | {megabytes:.0f} | {took:.1f} | {cpu:.1f} | {rss} | {line} |")


if __name__ == "__main__":
    main()
