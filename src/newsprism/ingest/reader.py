"""Read one source into draft articles, whatever its format.

Format is chosen by extension, then confirmed (or overridden) by content: a PNG named
``.html`` is rejected as a PNG, an HTML page named ``.txt`` is read as HTML.  A source
yields drafts and/or rejections and never raises for bad content: a bad record inside
a JSONL file rejects that record only (``file.jsonl:LINE``), never its neighbours.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from newsprism.config import JSON_FIELDS, Config
from newsprism.errors import InputRejected
from newsprism.ingest.decode import decode_text, gunzip_bounded, sniff_binary
from newsprism.ingest.feeds import looks_like_feed, parse_feed
from newsprism.ingest.fragment import html_fragment_paragraphs
from newsprism.ingest.infer import normalize_date
from newsprism.ingest.sidecar import Sidecar
from newsprism.ingest.sources import Source
from newsprism.model import Rejected, Segment

TEXT_EXT = {".txt", ".text", ".md"}
HTML_EXT = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx"}
JSONL_EXT = {".jsonl", ".ndjson"}
JSON_EXT = {".json"}
FEED_EXT = {".xml", ".rss", ".atom", ".rdf"}


@dataclass
class Draft:
    """An article before finalization (segments may still be unlabelled)."""

    source_path: str
    text: str
    input_format: str
    segments: list[Segment] | None = None  # None: plain text, to be labelled line by line
    meta: dict[str, str] = field(default_factory=dict)  # outlet, url, published, title, language, author
    inferred: dict[str, str] = field(default_factory=dict)


def _limit_for(fmt: str, config: Config) -> int:
    return {
        "html": config.max_html_bytes,
        "jsonl": config.max_jsonl_bytes,
        "json": config.max_json_bytes,
        "feed": config.max_feed_bytes,
    }.get(fmt, config.max_text_bytes)


def _format_from_suffixes(suffixes: list[str]) -> tuple[str | None, bool]:
    """(format by extension or None, gzipped?)."""
    gz = bool(suffixes) and suffixes[-1] in (".gz", ".gzip")
    ext = suffixes[-2] if gz and len(suffixes) >= 2 else (suffixes[-1] if suffixes and not gz else "")
    by_ext = (("text", TEXT_EXT), ("html", HTML_EXT), ("jsonl", JSONL_EXT), ("json", JSON_EXT), ("feed", FEED_EXT))
    for fmt, exts in by_ext:
        if ext in exts:
            return fmt, gz
    return None, gz


def _sniff_format(data: bytes) -> str | None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:1024]:
        return "html"
    if head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed", b"<rdf")):
        return "feed" if looks_like_feed(head.decode("latin-1")) else None
    if head.startswith(b"{") and b"\n{" in data[:1_000_000]:
        return "jsonl"
    if head.startswith((b"{", b"[")):
        return "json"
    return None


def read_source(src: Source, config: Config, sidecar: Sidecar | None = None) -> Iterator[Draft | Rejected]:
    """Drafts and rejections for one source (see module docstring)."""
    fmt, gz = _format_from_suffixes(src.suffixes)
    try:
        # Read within the largest limit this source may need; the per-format limit is checked below.
        raw = src.read_bytes(config.max_gunzip_bytes if gz else _limit_for(fmt or "feed", config))
        if gz or raw[:2] == b"\x1f\x8b":
            raw = gunzip_bounded(raw, config.max_gunzip_bytes)
            gz = True
        sniffed = _sniff_format(raw)
        if fmt is None or (fmt == "text" and sniffed in ("html", "feed")) or (fmt == "feed" and sniffed == "html"):
            fmt = sniffed
        if fmt is None:
            what = sniff_binary(raw)
            if what:
                raise InputRejected("binary", f"this is {what}, not an article")
            if not raw.strip():
                raise InputRejected("empty", "the file is empty")
            fmt = "text"
        limit = _limit_for(fmt, config)
        if len(raw) > limit:
            raise InputRejected("too_large", f"{len(raw):,} bytes is over the {limit:,}-byte limit for {fmt}")
        meta: dict[str, str] = sidecar.lookup(src.path) if (sidecar and src.path) else {}
        if fmt == "text":
            text, _enc = decode_text(raw)
            yield Draft(src.name, text, "text", None, dict(meta), {k: "sidecar" for k in meta})
        elif fmt == "html":
            yield _html_draft(src.name, raw, meta, url_hint=src.url)
        elif fmt == "feed":
            what = sniff_binary(raw)
            if what:
                raise InputRejected("binary", f"this is {what}, not a feed")
            yield from _feed_drafts(src.name, raw)
        else:
            yield from _json_drafts(src.name, raw, fmt, config)
    except InputRejected as rej:
        yield Rejected(src.name, rej.code, rej.reason)


def _html_draft(name: str, raw: bytes | str, meta: dict[str, str], url_hint: str | None = None) -> Draft:
    if isinstance(raw, bytes):
        what = sniff_binary(raw)
        if what:
            raise InputRejected("binary", f"this is {what}, not an HTML page")
    from newsprism.ingest.html import extract_html

    ex = extract_html(raw, source_path=name, url_hint=url_hint or meta.get("url"))
    found = {"title": ex.title, "outlet": ex.outlet, "url": ex.url, "published": ex.published,
             "author": ex.author, "language": ex.language}  # fmt: skip
    merged = {k: v for k, v in found.items() if v}
    inferred = {k: v for k, v in ex.inferred.items() if k in merged}
    merged.update(meta)  # what the user told us wins over what the page says
    inferred.update({k: "sidecar" for k in meta})
    return Draft(name, ex.text, "html", list(ex.segments), merged, inferred)


def _text_from_paragraphs(title: str | None, paras: list[tuple[str, str]]) -> tuple[str, list[Segment]]:
    """Join a headline and paragraphs into one text with blank lines between, and its segments."""
    from newsprism.ingest.assemble import join_blocks

    return join_blocks(([("headline", title.strip())] if title and title.strip() else []) + paras)


def _feed_drafts(name: str, raw: bytes) -> Iterator[Draft | Rejected]:
    entries = list(parse_feed(raw))
    if not entries:
        raise InputRejected("empty", "the feed has no entries")
    for i, entry in enumerate(entries, start=1):
        where = f"{name}#entry{i}"
        try:
            paras = html_fragment_paragraphs(entry.content)
            if not paras:
                raise InputRejected("no_content", "the entry has neither content nor a summary")
            text, segments = _text_from_paragraphs(entry.title, paras)
            meta = {k: v for k, v in (("title", entry.title), ("url", entry.url), ("published", entry.published),
                                      ("author", entry.author), ("outlet", entry.outlet)) if v}  # fmt: skip
            inferred = {"outlet": "feed-title"} if entry.outlet else {}
            yield Draft(where, text, "feed", segments, meta, inferred)
        except InputRejected as rej:
            yield Rejected(where, rej.code, rej.reason)


def _records(name: str, raw: bytes, fmt: str) -> Iterator[tuple[str, Any]]:
    """(where, parsed record or InputRejected) for each record of a JSON/JSONL file."""
    if fmt == "jsonl":
        for lineno, line in enumerate(raw.split(b"\n"), start=1):
            if not line.strip():
                continue
            where = f"{name}:{lineno}"
            try:
                yield where, json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
                yield where, InputRejected("bad_json", f"line {lineno}: {msg}")
            except RecursionError:
                yield where, InputRejected("bad_json", f"line {lineno}: nested too deeply")
        return
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"line {exc.lineno}: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise InputRejected("bad_json", msg) from None
    except RecursionError:
        raise InputRejected("bad_json", "nested too deeply") from None
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        yield name, data
    elif isinstance(data, list):
        for i, rec in enumerate(data):
            yield f"{name}[{i}]", rec
    else:
        raise InputRejected("bad_record", "the JSON holds neither an object nor a list of objects")


def _json_drafts(name: str, raw: bytes, fmt: str, config: Config) -> Iterator[Draft | Rejected]:
    fields = {f: config.field_map.get(f, f) for f in JSON_FIELDS}
    any_record = False
    for where, rec in _records(name, raw, fmt):
        any_record = True
        try:
            if isinstance(rec, InputRejected):
                raise rec
            if not isinstance(rec, dict):
                raise InputRejected("bad_record", f"a record must be an object, not {type(rec).__name__}")
            meta = {}
            for ours in ("title", "url", "outlet", "published", "language", "author"):
                value = rec.get(fields[ours])
                if value not in (None, "") and not isinstance(value, (dict, list)):
                    meta[ours] = str(value).strip()
            if "published" in meta:
                norm = normalize_date(meta["published"])
                if norm:
                    meta["published"] = norm
                else:
                    del meta["published"]
            text_val, html_val = rec.get(fields["text"]), rec.get(fields["html"])
            if isinstance(text_val, str) and text_val.strip():
                if len(text_val.encode("utf-8", "surrogatepass")) > config.max_record_bytes:
                    raise InputRejected("too_large", f"the record's text is over {config.max_record_bytes:,} bytes")
                text = text_val.replace("\r\n", "\n").replace("\r", "\n")
                if "\x00" in text:
                    raise InputRejected("binary", "the record's text holds NUL characters")
                yield Draft(where, text, fmt, None, meta, {})
            elif isinstance(html_val, str) and html_val.strip():
                if len(html_val) > config.max_html_bytes:
                    raise InputRejected("too_large", f"the record's html is over {config.max_html_bytes:,} bytes")
                yield _html_draft(where, html_val, meta)
            else:
                wanted = f"{fields['text']!r} or {fields['html']!r}"
                raise InputRejected("bad_record", f"no non-empty {wanted} field (map others with --fields)")
        except InputRejected as rej:
            yield Rejected(where, rej.code, rej.reason)
    if not any_record:
        # A file of blank lines (or nothing) must still be accounted for: in = stored + rejected.
        yield Rejected(name, "empty", "the file holds no records")
