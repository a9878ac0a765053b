"""Reuse of corpus-stage results when the same articles are analysed again.

The document stages are cached per article (``stages.document``); the corpus stages read
every article at once, so their results can only be reused as a whole.  ``corpus_key``
names one analysis input exactly: the ordered articles (text, segments and metadata, so
a changed publication date from a sidecar misses), the document and corpus stage
versions, and the alias file's bytes.  ``load`` returns the stored sections for that key
or ``None``; ``save`` keeps one entry per stage version, replacing the previous one, so
the database never grows with every distinct run.

Bump ``CORPUS_VERSION`` whenever a corpus stage changes what it outputs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsprism import __version__

if TYPE_CHECKING:
    from newsprism.model import Article
    from newsprism.store.db import Store

CORPUS_VERSION = f"{__version__}+corpus2"
STAGE = "corpus"


def corpus_key(articles: list[Article], doc_version: str, alias_file: Path | None) -> str:
    """A content hash of everything the corpus stages' output depends on."""
    h = hashlib.sha256()
    h.update(f"{CORPUS_VERSION}\0{doc_version}\0".encode())
    if alias_file is not None:
        h.update(Path(alias_file).read_bytes())
    h.update(b"\0")
    for a in articles:
        h.update(json.dumps(a.to_json(), sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\0")
    return "corpus:" + h.hexdigest()


def load(store: Store, key: str) -> dict[str, list[Any]] | None:
    """The sections stored under ``key`` (plain JSON, as ``Analysis.to_json`` writes them)."""
    hit = store.get_doc_results(STAGE, CORPUS_VERSION, [key])
    sections = hit.get(key)
    return sections if isinstance(sections, dict) else None


def save(store: Store, key: str, sections: dict[str, list[Any]]) -> None:
    """Store ``sections`` under ``key``, dropping any other corpus entry."""
    store.replace_doc_results(STAGE, {key: sections}, version=CORPUS_VERSION)
