"""Read one HTML page into the article's one text, labelled segments and metadata.

``extract_html(html, source_path=..., url_hint=...)`` returns an ``HtmlExtraction``:

* ``text`` is the headline (when there is one) as its first line, then the article's
  blocks separated by blank lines (``"\\n\\n"``).
* ``segments`` label every block: ``headline``, ``subheading``, ``byline``, ``body``,
  ``caption``, ``credit``, ``related``, ``other``.  ``text[s.start:s.end]`` is the block
  without surrounding whitespace; segments are in order and never overlap.
* Metadata (title, outlet, url, published as YYYY-MM-DD, author, language) with
  ``inferred[field]`` naming where each value came from.

How: trafilatura decides *which* text is the article (its precision-leaning mode, which
scores best on the Zyte benchmark; it falls back to readability/justext internally).  Our
own walk of the page (``html_blocks``) then splits that text into the page's blocks and
labels them from the markup, and puts back the captions, credits and related-link blocks
that sit inside the article region, where they occur: labelled, never mixed into body.
Every character trafilatura kept stays in the text (unmatched stretches become body).

Raises ``InputRejected``: ``binary`` (an image renamed .html), ``too_large`` (over
``MAX_HTML_BYTES``), ``bad_html`` (unparseable), ``no_content`` (nothing article-like).
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from typing import Any

import lxml.etree
import lxml.html

from newsprism.errors import InputRejected
from newsprism.ingest import html_blocks
from newsprism.ingest.decode import sniff_binary
from newsprism.ingest.html_blocks import Block, Piece, normalize, page_blocks
from newsprism.ingest.infer import date_from_url, normalize_date, outlet_from_url
from newsprism.model import Segment

MAX_HTML_BYTES = 20_000_000
MAX_ELEMENTS = 300_000  # trafilatura's max_tree_size: pages past it are pruned, not parsed forever
_MIN_PRECISE_CHARS = 500  # below this, precision mode probably cut the article: retry in default mode
_MIN_CONTENT_CHARS = 25  # less body text than this is a menu or an error page, not an article

_META_CHARSET = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_HTML_LANG = re.compile(rb"""<html[^>]{0,300}?\blang\s*=\s*["']?([A-Za-z]{2,3})""", re.I)
_LEGACY_BY_LANG = {
    **dict.fromkeys(("en", "fr", "de", "es", "it", "pt", "nl", "da", "sv", "no", "nb", "fi", "is", "ca"), "cp1252"),
    **dict.fromkeys(("cs", "sk", "pl", "hu", "sl", "hr", "ro", "bs", "sq"), "cp1250"),
    **dict.fromkeys(("ru", "uk", "bg", "be", "sr", "mk"), "cp1251"),
    "el": "cp1253", "tr": "cp1254", "he": "cp1255", "ar": "cp1256", "lt": "cp1257", "lv": "cp1257", "et": "cp1257",
    "vi": "cp1258", "ja": "shift_jis", "zh": "gb18030", "ko": "euc_kr", "th": "cp874",
}  # fmt: skip
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)

_DATE_META = ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
              "publish-date", "publish_date", "date", "dc.date", "dc.date.issued", "dcterms.created",
              "dcterms.date", "parsely-pub-date", "sailthru.date", "article.published", "og:article:published_time",
              "cxenseparse:recs:publishtime", "article_date_original", "originalpublicationdate")  # fmt: skip
_AUTHOR_META = (
    "author",
    "article:author",
    "dc.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
    "og:article:author",
)
_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|NewsArticle|WebPage", re.I)


@dataclass
class HtmlExtraction:
    """What one HTML page yields (see the module docstring for the contract)."""

    text: str
    segments: list[Segment]
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None  # YYYY-MM-DD
    author: str | None = None
    language: str | None = None
    inferred: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- decoding and parsing


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding) of an HTML page: BOM, then ``<meta charset>``, then strict UTF-8,
    then charset_normalizer, then cp1252 with replacement (never fails on text bytes)."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), enc
    tried: list[str] = []
    m = _META_CHARSET.search(data[:16384])
    if m:
        declared = m.group(1).decode("ascii", "ignore").lower()
        try:
            declared = codecs.lookup(declared).name
        except LookupError:
            declared = ""
        # Browsers read latin-1 and ascii declarations as windows-1252 (the WHATWG rule).
        if declared in ("latin-1", "iso8859-1", "ascii"):
            declared = "cp1252"
        if declared and declared not in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
            tried.append(declared)
    tried.append("utf-8")
    # No declaration and not UTF-8: the page's language names the legacy code page browsers
    # would use (a surer guess than statistics on a short page).
    lang = _HTML_LANG.search(data[:16384])
    if lang:
        legacy = _LEGACY_BY_LANG.get(lang.group(1).decode("ascii", "ignore").lower())
        if legacy:
            tried.append(legacy)
    for enc in tried:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"


def _parse(text: str) -> tuple[lxml.html.HtmlElement, bool]:
    """(root, whether libxml2 cut the tree at its nesting limit of 256 levels)."""
    # lxml refuses str input that still carries an XML encoding declaration.
    text = _XML_DECL.sub("", text, count=1)
    if "<" not in text[:100_000]:
        raise InputRejected("bad_html", "no HTML markup found")
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise InputRejected("bad_html", f"lxml cannot parse the page ({type(exc).__name__}: {exc})") from None
    if root is None:
        raise InputRejected("bad_html", "the page parses to nothing")
    too_deep = any("Excessive depth" in e.message for e in parser.error_log)
    return root, too_deep


# ---------------------------------------------------------------- metadata


def _meta_map(root: lxml.html.HtmlElement) -> dict[str, str]:
    """Lower-cased <meta> property/name/itemprop/http-equiv → content (first wins)."""
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        content = (el.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (el.get(attr) or "").strip().lower()
            if key and key not in out:
                out[key] = content
    return out


def _json_ld(root: lxml.html.HtmlElement) -> dict[str, Any]:
    """The first article-like JSON-LD object on the page (or {})."""
    for el in root.iter("script"):
        if "ld+json" not in (el.get("type") or "").lower():
            continue
        raw = el.text or ""
        if not raw.strip() or len(raw) > 1_000_000:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        todo: list[Any] = [data]
        seen = 0
        while todo and seen < 200:
            item = todo.pop(0)
            seen += 1
            if isinstance(item, list):
                todo.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = " ".join(kind) if isinstance(kind, list) else str(kind or "")
                if _ARTICLE_TYPES.search(kinds) and ("datePublished" in item or "headline" in item):
                    return item
                todo.extend(v for k, v in item.items() if k in ("@graph", "mainEntity", "mainEntityOfPage"))
    return {}


def _ld_name(value: Any) -> str | None:
    """A name from a JSON-LD person/organization value (a string, an object or a list)."""
    if isinstance(value, list):
        names = [n for n in (_ld_name(v) for v in value[:5]) if n]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str) and value.strip() and not value.strip().startswith("http"):
        return value.strip()
    return None


def _language(root: lxml.html.HtmlElement, meta: dict[str, str], ld: dict[str, Any]) -> tuple[str | None, str | None]:
    in_language = ld.get("inLanguage") if isinstance(ld.get("inLanguage"), str) else None
    candidates = (
        (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang"), "html lang"),
        (meta.get("content-language"), "meta content-language"),
        (meta.get("og:locale"), "og:locale"),
        (in_language, "json-ld inLanguage"),
    )
    for value, how in candidates:
        if value:
            code = re.split(r"[-_,;\s]", value.strip())[0].lower()
            if re.fullmatch(r"[a-z]{2,3}", code):
                return code, how
    return None, None


def _metadata(root: lxml.html.HtmlElement, url_hint: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """(values, where each came from) read from the page's own markup, before extraction."""
    meta = _meta_map(root)
    ld = _json_ld(root)
    values: dict[str, str] = {}
    how: dict[str, str] = {}

    def put(name: str, value: str | None, source: str) -> None:
        if value and name not in values:
            values[name] = value.strip()
            how[name] = source

    if url_hint:
        values["url"] = url_hint
    for el in root.iter("link"):
        if (el.get("rel") or "").lower() == "canonical" and (el.get("href") or "").startswith("http"):
            put("url", el.get("href"), "link canonical")
            break
    if (meta.get("og:url") or "").startswith("http"):
        put("url", meta.get("og:url"), "og:url")
    put("outlet", meta.get("og:site_name"), "og:site_name")
    put("outlet", _ld_name(ld.get("publisher")), "json-ld publisher")
    put("outlet", meta.get("application-name"), "meta application-name")
    for key in _DATE_META:
        put("published", normalize_date(meta.get(key)), f"meta {key}")
    put("published", normalize_date(ld.get("datePublished")), "json-ld datePublished")
    for el in root.iter("time"):
        if el.get("pubdate") is not None or (el.get("itemprop") or "").lower() == "datepublished":
            put("published", normalize_date(el.get("datetime")), "time datetime")
    for key in _AUTHOR_META:
        value = meta.get(key)
        if value and not value.startswith("http"):
            put("author", value, f"meta {key}")
    put("author", _ld_name(ld.get("author")), "json-ld author")
    lang, lang_how = _language(root, meta, ld)
    put("language", lang, lang_how or "")
    return values, how


def _strip_outlet(title: str, outlet: str) -> str:
    """The title without a trailing " | Outlet" / " - Outlet" (as <title> often carries)."""
    names = {outlet, outlet.split(".")[0]} if "." in outlet else {outlet}
    for name in names:
        cut = re.sub(r"\s+[|\-–—:·]\s*" + re.escape(name) + r"\s*$", "", title, flags=re.I)
        if cut and cut != title:
            return cut
    return title


def _fallback_title(root: lxml.html.HtmlElement, blocks: list[Block]) -> tuple[str | None, str]:
    """A headline when trafilatura found none: og:title, the first <h1>, then <title>."""
    meta = _meta_map(root)
    title_el = root.find(".//title")
    candidates = (
        (meta.get("og:title"), "og:title"),
        (next((b.text for b in blocks if b.tag == "h1" and len(b.text) < 300), None), "h1"),
        (normalize(title_el.text_content()) if title_el is not None else None, "<title>"),
    )
    for value, how in candidates:
        if value and value.strip():
            return normalize(value), how
    return None, ""


# ---------------------------------------------------------------- main text


def _extracted_paragraphs(body: lxml.etree._Element | None) -> list[tuple[str, str]]:
    """[(kind, text)] from trafilatura's XML body: head → subheading, the rest → body; line
    breaks, list items and table rows split paragraphs."""
    if body is None:
        return []
    out: list[tuple[str, str]] = []

    def loose(text: str | None) -> None:
        # Text sitting directly in the body (between its children) is prose too.
        for line in (text or "").split("\n"):
            line = normalize(line)
            if line:
                out.append(("body", line))

    loose(body.text)
    for child in body:
        kind = "subheading" if child.tag == "head" else "body"
        parts: list[str] = []
        for node in child.iter():
            if node.tag in ("lb", "item", "row", "list") and node is not child:
                parts.append("\n")
            if node.text:
                parts.append(node.text)
            if node.tag == "cell":
                parts.append(" ")
            if node.tail and node is not child:
                parts.append(node.tail)
        for line in "".join(parts).split("\n"):
            line = normalize(line)
            if line:
                out.append((kind, line))
        loose(child.tail)
    return out


_CONFIG: list[Any] = []


def _trafilatura_config() -> Any:
    """trafilatura's settings with a bound on the tree size (built once)."""
    if not _CONFIG:
        from trafilatura.settings import use_config

        cfg = use_config()
        cfg.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_ELEMENTS))
        _CONFIG.append(cfg)
    return _CONFIG[0]


def _trafilatura_once(text: str, url: str | None, precision: bool) -> tuple[list[tuple[str, str]], Any]:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            text, url=url, favor_precision=precision, include_comments=False, include_tables=True,
            with_metadata=True, config=_trafilatura_config(),
        )  # fmt: skip
    except Exception:  # a third-party extractor's bug on odd input must not end the run
        return [], None
    if doc is None or isinstance(doc, dict):
        return [], None
    return _extracted_paragraphs(doc.body), doc


def _run_trafilatura(text: str, url: str | None) -> tuple[list[tuple[str, str]], Any]:
    """Trafilatura's precision mode; its default mode when that keeps too little."""
    paras, doc = _trafilatura_once(text, url, precision=True)
    if sum(len(t) for _, t in paras) < _MIN_PRECISE_CHARS:
        paras2, doc2 = _trafilatura_once(text, url, precision=False)
        if sum(len(t) for _, t in paras2) > sum(len(t) for _, t in paras):
            return paras2, doc2
    return paras, doc


def _assemble(title: str | None, pieces: list[Piece]) -> tuple[str, list[Segment]]:
    from newsprism.ingest.assemble import join_blocks

    head = normalize(title or "")
    return join_blocks(([("headline", head)] if head else []) + [(k, t) for k, t, _ in pieces])


def extract_html(html: str | bytes, *, source_path: str, url_hint: str | None = None) -> HtmlExtraction:
    """The article in ``html`` (see the module docstring).  ``source_path`` names the input
    in error messages; ``url_hint`` is the page's URL when known (it wins over the page's)."""
    if isinstance(html, bytes):
        if len(html) > MAX_HTML_BYTES:
            raise InputRejected("too_large", f"{source_path}: {len(html):,} bytes is over {MAX_HTML_BYTES:,}")
        what = sniff_binary(html)
        if what:
            raise InputRejected("binary", f"{source_path} is {what}, not an HTML page")
        text, _enc = decode_html(html)
    else:
        if len(html) > MAX_HTML_BYTES:
            raise InputRejected("too_large", f"{source_path}: {len(html):,} characters is over {MAX_HTML_BYTES:,}")
        text = html
    if "\x00" in text:
        text = text.replace("\x00", "")
    root, too_deep = _parse(text)
    values, how = _metadata(root, url_hint)
    blocks = page_blocks(root)
    paras, doc = _run_trafilatura(text, values.get("url"))
    if doc is not None:
        if doc.title and normalize(doc.title):
            values.setdefault("title", normalize(doc.title))
            how.setdefault("title", "trafilatura title")
        # trafilatura falls back to the host name for the site name: that is a guess from the URL.
        sitename = doc.sitename if doc.sitename and not re.fullmatch(r"[\w.-]+\.[a-z]{2,}", doc.sitename) else None
        for name, value in (("author", doc.author), ("outlet", sitename), ("url", doc.url)):
            if value and name not in values:
                values[name], how[name] = value, f"trafilatura {name}"
    if "title" not in values:
        title, title_how = _fallback_title(root, blocks)
        if title:
            values["title"], how["title"] = title, title_how
    url = values.get("url")
    if "published" not in values:
        d, d_how = date_from_url(url)
        if d:
            values["published"], how["published"] = d, d_how or "url-path"
    date = normalize_date(doc.date) if doc is not None and doc.date else None
    if date and "published" not in values:
        # htmldate's guess from the page (its text, its copyright year...): the weakest source.
        values["published"], how["published"] = date, "htmldate"
    if "outlet" not in values:
        o, o_how = outlet_from_url(url)
        if o:
            values["outlet"], how["outlet"] = o, o_how or "url-domain"
    if "title" in values and "outlet" in values:
        values["title"] = _strip_outlet(values["title"], values["outlet"])

    pieces = html_blocks.align(paras, blocks) if paras else html_blocks.fallback_pieces(blocks)
    pieces = html_blocks.with_region_extras(html_blocks.drop_title_lines(pieces, values.get("title")), blocks)
    pieces = html_blocks.relabel_edges(pieces, blocks)
    if sum(len(t) for k, t, _ in pieces if k in ("body", "subheading")) < _MIN_CONTENT_CHARS:
        if too_deep:
            raise InputRejected("bad_html", f"{source_path}: elements nested past 256 levels; nothing readable above")
        raise InputRejected("no_content", f"{source_path}: no article text found in the HTML")
    out_text, segments = _assemble(values.get("title"), pieces)
    inferred = {k: v for k, v in how.items() if k in values and not (k == "url" and url_hint)}
    return HtmlExtraction(
        text=out_text, segments=segments, title=values.get("title"), outlet=values.get("outlet"),
        url=url, published=values.get("published"), author=values.get("author"),
        language=values.get("language"), inferred=inferred,
    )  # fmt: skip
