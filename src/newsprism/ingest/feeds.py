"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: each entry becomes an article.

Parsed with defusedxml, so entity expansion ("billion laughs"), external entities and
DTDs are refused rather than expanded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from newsprism.errors import InputRejected
from newsprism.ingest.infer import normalize_date

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rss1": "http://purl.org/rss/1.0/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}


@dataclass
class FeedEntry:
    title: str | None
    url: str | None
    published: str | None
    author: str | None
    content: str  # HTML or plain text
    outlet: str | None
    inferred: dict[str, str] = field(default_factory=dict)


def looks_like_feed(head: str) -> bool:
    """True when the start of a document is an RSS/Atom/RDF feed."""
    h = head[:2000].lower()
    return "<rss" in h or "<feed" in h or "<rdf:rdf" in h


def _text(el: Any, path: str) -> str | None:
    found = el.find(path, _NS)
    if found is None:
        return None
    value = "".join(found.itertext()).strip()
    return value or None


def parse_feed(data: bytes) -> Iterator[FeedEntry]:
    """Entries of a feed, in document order; raises InputRejected('bad_feed') when unparseable."""
    import xml.etree.ElementTree as StdET

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputRejected("bad_feed", f"refused unsafe XML ({type(exc).__name__})") from None
    except (StdET.ParseError, ValueError) as exc:
        raise InputRejected("bad_feed", f"not well-formed XML ({exc})") from None
    tag = root.tag
    if tag.lower() == "rss":
        channel = root.find("channel")
        if channel is None:
            raise InputRejected("bad_feed", "an RSS document without a <channel>")
        outlet = _text(channel, "title")
        for item in channel.findall("item"):
            yield FeedEntry(
                title=_text(item, "title"),
                url=_text(item, "link") or _text(item, "guid"),
                published=normalize_date(_text(item, "pubDate") or _text(item, "dc:date")),
                author=_text(item, "dc:creator") or _text(item, "author"),
                content=_text(item, "content:encoded") or _text(item, "description") or "",
                outlet=outlet,
            )
    elif tag == f"{{{_NS['atom']}}}feed":
        outlet = _text(root, "atom:title")
        for entry in root.findall("atom:entry", _NS):
            link = None
            for ln in entry.findall("atom:link", _NS):
                if ln.get("rel", "alternate") == "alternate":
                    link = ln.get("href")
                    break
            yield FeedEntry(
                title=_text(entry, "atom:title"),
                url=link,
                published=normalize_date(_text(entry, "atom:published") or _text(entry, "atom:updated")),
                author=_text(entry, "atom:author/atom:name"),
                content=_text(entry, "atom:content") or _text(entry, "atom:summary") or "",
                outlet=outlet,
            )
    elif tag == f"{{{_NS['rdf']}}}RDF":
        outlet = _text(root, "rss1:channel/rss1:title")
        for item in root.findall("rss1:item", _NS):
            yield FeedEntry(
                title=_text(item, "rss1:title"),
                url=_text(item, "rss1:link"),
                published=normalize_date(_text(item, "dc:date")),
                author=_text(item, "dc:creator"),
                content=_text(item, "content:encoded") or _text(item, "rss1:description") or "",
                outlet=outlet,
            )
    else:
        raise InputRejected("bad_feed", f"the root element <{root.tag}> is not rss, feed or rdf:RDF")
