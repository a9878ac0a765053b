"""Content-hash ids: the same content always gets the same id, so re-ingest is a no-op."""

from __future__ import annotations

import hashlib


def content_id(*parts: str, prefix: str = "", length: int = 16) -> str:
    """A stable hex id from ``parts`` (joined with a separator no text contains)."""
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return prefix + h.hexdigest()[:length]


def article_id(text: str, source: str = "") -> str:
    """Article ids hash the text and where it came from (outlet or URL), not the path.

    Two outlets carrying the same wire text are two articles; the same file ingested
    again, from any path, is the same article.
    """
    return content_id(text, source, prefix="a")
