"""The typed data model: one text per article, everything else a span into it.

Contract (see DESIGN.md): every ``start``/``end`` is a Python string index into the
owning article's ``text``, end-exclusive, so ``text[start:end]`` is always the span's
text.  Nothing in this module talks to SQLite, files or the network.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SegmentKind = Literal[
    "headline",
    "subheading",
    "byline",
    "body",
    "caption",
    "credit",
    "related",
    "comment",
    "ad",
    "standards",
    "other",
]
SEGMENT_KINDS: tuple[str, ...] = (
    "headline",
    "subheading",
    "byline",
    "body",
    "caption",
    "credit",
    "related",
    "comment",
    "ad",
    "standards",
    "other",
)
# Later stages read only these: the article's own prose.
CONTENT_KINDS: frozenset[str] = frozenset({"headline", "subheading", "body"})

QuoteType = Literal["direct", "indirect", "mixed"]
FamilyRelation = Literal["duplicate", "rewrite", "translation"]
ClaimStatus = Literal["corroborated", "single_source", "conflicting"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A labelled stretch of an article's text (a line, a paragraph or an HTML block)."""

    start: int
    end: int
    kind: str
    score: float = 1.0  # the classifier's confidence in ``kind``

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "kind": self.kind}


@dataclass(slots=True)
class Article:
    """One news article.  ``text`` is the single source of truth for offsets.

    ``inferred`` records, for each metadata field we had to guess, where the guess came
    from (for example ``{"outlet": "url-domain"}``), so a user can tell given facts from
    inferred ones.
    """

    id: str
    source_path: str
    text: str
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    language: str | None = None
    author: str | None = None
    segments: list[Segment] = field(default_factory=list)
    inferred: dict[str, str] = field(default_factory=dict)
    input_format: str = "text"

    def content_spans(self) -> list[tuple[int, int]]:
        """(start, end) of the segments later stages read: headline, subheadings, body."""
        return [(s.start, s.end) for s in self.segments if s.kind in CONTENT_KINDS]

    def masked_text(self) -> str:
        """``text`` with every non-content segment blanked to spaces (newlines kept).

        Same length as ``text``, so any offset found in the masked text is valid in
        ``text``: this is how NLP stages read only headline and body without ever
        re-basing offsets.
        """
        if not self.segments:
            return self.text
        chars = [c if c == "\n" else " " for c in self.text]
        for start, end in self.content_spans():
            chars[start:end] = self.text[start:end]
        return "".join(chars)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source_path": self.source_path,
            "outlet": self.outlet,
            "url": self.url,
            "title": self.title,
            "published": self.published,
            "language": self.language,
            "author": self.author,
            "input_format": self.input_format,
            "inferred": dict(self.inferred),
            "text": self.text,
            "segments": [s.to_json() for s in self.segments],
        }


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input we could not turn into an article, with a machine code and a human reason."""

    source_path: str
    code: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"source_path": self.source_path, "code": self.code, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Mention:
    article: str
    start: int
    end: int
    text: str = ""
    label: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"article": self.article, "start": self.start, "end": self.end}


@dataclass(slots=True)
class Entity:
    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "aliases": list(self.aliases),
            "roles": list(self.roles),
            "mentions": [m.to_json() for m in self.mentions],
        }


@dataclass(slots=True)
class Speaker:
    name: str
    start: int
    end: int
    entity: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "entity": self.entity, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end}


@dataclass(slots=True)
class Quote:
    """A reported utterance.  ``start``/``end`` is the content (inside the marks if direct)."""

    id: str
    article: str
    start: int
    end: int
    type: str
    speaker: Speaker | None = None
    cue: Span | None = None
    confidence: float = 0.5
    group: str | None = None  # the cross-outlet group this remark belongs to
    altered: bool = False  # direct quote worded differently by another outlet

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article": self.article,
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "speaker": self.speaker.to_json() if self.speaker else None,
            "cue": self.cue.to_json() if self.cue else None,
            "confidence": round(self.confidence, 3),
            "group": self.group,
            "altered": self.altered,
        }


def as_plain(obj: Any) -> Any:
    """Dataclass → plain JSON-able structure (for objects without a ``to_json``)."""
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if hasattr(obj, "__dataclass_fields__"):
        return asdict(obj)
    return obj
