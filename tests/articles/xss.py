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
            if src is not None and src.startswith(script_src_prefixes) and not element.text:
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
