"""Claims: the outlet's own factual statements, split per article and aligned across a story.

Public API (the pipeline imports these names from here):

* ``split_claims(doc, article) -> list[ClaimUnit]``: claim units of one parsed article;
* ``align_claims(story_id, units, articles, families=None, embed=None, cache=None) -> list[Claim]``
  (implemented in ``claim_align``): units saying the same thing across articles, with a
  status ``corroborated`` / ``single_source`` / ``conflicting``.

Offsets: ``doc`` is parsed from ``article.masked_text()`` (same length as ``text``), so every
``ClaimUnit.start/end`` indexes ``article.text`` and ``text[start:end] == unit.text``.

What counts as a claim unit (the choices, stated):

* Only the article's prose: headline, subheadings and body.  With ``article.segments`` set the
  masked text blanks everything else, so those characters never yield a unit.
* One unit per sentence (the parser's sentences, further cut at line breaks and at a missed
  ``. ? !`` + capital boundary); a sentence that joins two independent clauses, each with its own
  subject (``X did A, and Y did B`` / ``A; B``), is split into one unit per clause.
* Skipped: questions; fragments under ``MIN_WORDS`` words or without a verb (captions,
  credits and "See also" lines that the labeller missed usually have none); and
  *pure direct quotes*: sentences that are mostly (≥ ``QUOTE_SHARE``) inside quotation marks.
  Those are the speaker's words, not the outlet's claim; quotes are grouped across outlets
  by ``quote_groups`` instead.  Reported speech (``X said that ...``) and sentences with a
  short embedded quote are kept: the outlet asserts that X said it, and the fact inside
  still has to be aligned and checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from newsprism.corpus.claim_conflict import parse_span
from newsprism.stages.nlp import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from newsprism.model import Article

MIN_WORDS = 5
QUOTE_SHARE = 0.7
_OPEN_QUOTES = "\"“„«‘'‚"
_QUOTE_PAIRS = {"“": "”", "„": "“", "«": "»", '"': '"', "‘": "’"}


@dataclass(slots=True)
class ClaimUnit:
    """A sentence, or one clause of a sentence that carries several facts (offsets into ``text``)."""

    article: str
    start: int
    end: int
    text: str
    # the unit's core clause and proper-noun subject (``claim_conflict.parse_span``), taken
    # from the article's own parse; None when the unit was built without one
    core: str | None = None
    subject: frozenset[str] | None = None


@dataclass(slots=True)
class Evidence:
    """A span supporting a claim (``kind="support"``) or contradicting it.

    Conflict kinds: ``number``, ``date``, ``negation``, ``actor``, ``speaker``.
    """

    article: str
    start: int
    end: int
    kind: str = "support"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"article": self.article, "start": self.start, "end": self.end}
        if self.kind != "support":
            out["kind"] = self.kind
        return out


@dataclass(slots=True)
class Claim:
    """A fact stated by one or more articles of a story.

    ``support`` holds one span per article that states it; ``conflicts`` holds the spans
    that contradict it (each with its ``kind``; both sides when two of its own articles
    disagree).  ``independent_sources`` counts supporting articles with
    copies/translations of one another counted once.
    """

    id: str
    story: str
    text: str
    status: str
    independent_sources: int
    support: list[Evidence] = field(default_factory=list)
    conflicts: list[Evidence] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # human-readable reasons for conflicts
    first_reported_by: str | None = None  # outlet of the earliest-published supporting article

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "story": self.story,
            "text": self.text,
            "status": self.status,
            "independent_sources": self.independent_sources,
            "support": [e.to_json() for e in self.support],
            "conflicts": [e.to_json() for e in self.conflicts],
            "details": list(self.details),
            "first_reported_by": self.first_reported_by,
        }


# Jumps straight to the next opening mark (a loop over every character was a twentieth of
# the document stages' time).
_OPENER = re.compile("[" + re.escape("".join(_QUOTE_PAIRS)) + "]")


def _quoted(text: str) -> list[tuple[int, int]]:
    """(start, end) of the stretches of ``text`` inside paired quotation marks (marks included)."""
    out: list[tuple[int, int]] = []
    i = 0
    while (m := _OPENER.search(text, i)) is not None:
        i = m.start()
        ch = text[i]
        close = _QUOTE_PAIRS[ch]
        # A curly single quote inside a word is an apostrophe, not an opener.
        if not (ch == "‘" and i and text[i - 1].isalnum()):
            j = text.find(close, i + 1)
            if j > i:
                out.append((i, j + 1))
                i = j + 1
                continue
        i += 1
    return out


def _is_pure_quote(text: str) -> bool:
    """Mostly (≥ ``QUOTE_SHARE``) inside quotation marks, and opening with one or inside one.

    A piece that starts inside a quote opened in the previous sentence (``We can't do
    anything ...,” he said.``) shows a closing ``”`` before any opening mark.
    """
    stripped = text.strip()
    inside = sum(e - s for s, e in _quoted(stripped))
    close = stripped.find("”")
    opener = min((i for i in (stripped.find(q) for q in "“«„") if i != -1), default=-1)
    starts_inside = close != -1 and (opener == -1 or close < opener)
    if starts_inside:
        inside += close + 1
    return (stripped[:1] in _OPEN_QUOTES or starts_inside) and inside >= QUOTE_SHARE * len(stripped)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink (start, end) past surrounding whitespace and dangling separators."""
    while start < end and (text[start].isspace() or text[start] in ",;–—-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;–—-"):
        end -= 1
    return start, end


def _clause_cuts(span: Span) -> list[int]:
    """Character offsets where ``span`` splits into independent clauses.

    Cut before a coordinated verb that has its own subject (``..., and Ukraine reported
    ...``, ``..., but NATO chief X has said ...``) and after semicolons.  The conjunct's head
    may lie outside the span when the parser glued a headline onto the sentence.
    """
    cuts: list[int] = []
    doc = span.doc
    for tok in span:
        # (the head may be tagged ADJ: "have so far opposed ..., but X has said ...")
        if tok.dep_ != "conj" or tok.pos_ not in ("VERB", "AUX") or tok.head.pos_ not in ("VERB", "AUX", "ADJ"):
            continue
        if not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
            continue
        k = max(min(t.i for t in tok.subtree), span.start) - 1
        # Start the new clause at the coordinating conjunction / comma before it.
        while k > span.start and doc[k].dep_ in ("cc", "punct"):
            k -= 1
        if k + 1 > span.start:
            cuts.append(doc[k + 1].idx)
    for tok in span:
        if tok.text == ";" and tok.i + 1 < span.end:
            cuts.append(doc[tok.i + 1].idx)
    return sorted(set(cuts))


_VERBISH = ("VERB", "AUX")
_QUESTION = re.compile(r"\?[\"'”’»)]*\s*$")


def _keep(span_text: str, toks: list[Any]) -> bool:
    words = [t for t in toks if not t.is_punct and not t.is_space]
    if len(words) < MIN_WORDS:
        return False
    if _QUESTION.search(span_text):
        return False
    return any(t.pos_ in _VERBISH for t in toks)


def _pieces(sent: Span, masked: str) -> list[tuple[int, int]]:
    """Cut a parser sentence at line breaks and at sentence-final ``. ? !`` before a capital.

    A sentence never spans a line break in news text (a headline or caption without a full
    stop must not glue onto the next line), and the small parser sometimes misses a
    boundary such as ``... region. Will Ukraine ...``.
    """
    cuts: list[tuple[int, int]] = []  # (end of one piece, start of the next)
    for m in re.finditer(r"\n+", masked[sent.start_char : sent.end_char]):
        cuts.append((sent.start_char + m.start(), sent.start_char + m.end()))
    for tok in sent[:-1]:
        nxt = tok.doc[tok.i + 1]
        if tok.text in (".", "?", "!") and nxt.text[:1].isupper() and nxt.idx > tok.idx + 1:
            cuts.append((tok.idx + 1, nxt.idx))
    pieces: list[tuple[int, int]] = []
    pos = sent.start_char
    for end, nxt_start in sorted(cuts):
        pieces.append((pos, end))
        pos = nxt_start
    pieces.append((pos, sent.end_char))
    return [(p0, p1) for p0, p1 in pieces if p1 > p0 and masked[p0:p1].strip()]


def split_claims(doc: Doc, article: Article) -> list[ClaimUnit]:
    """Claim units of one article, in text order (see the module docstring for what is kept).

    ``doc`` must be the parse of ``article.masked_text()``; offsets index ``article.text``.
    """
    text = article.text
    masked = doc_text(doc)  # boilerplate blanked to spaces: trimming on it drops boilerplate too
    if len(masked) != len(text):
        raise ValueError("split_claims: doc must be parsed from article.masked_text() (lengths differ)")
    units: list[ClaimUnit] = []
    for sent in doc.sents:
        if not sent.text.strip():
            continue
        for p0, p1 in _pieces(sent, masked):
            span = doc.char_span(p0, p1, alignment_mode="expand")
            if span is None:
                continue
            # Clause cuts come from the piece's own parse root (a span's root is the token
            # whose head lies outside it), so a missed sentence boundary cannot mislead them.
            if _is_pure_quote(text[p0:p1]):
                continue  # the speaker's words, not the outlet's claim (see module docstring)
            # Never cut inside quotation marks: a quoted clause belongs to its attribution.
            quoted = [(p0 + a, p0 + b) for a, b in _quoted(text[p0:p1])]
            cuts = [c for c in _clause_cuts(span) if p0 < c < p1 and not any(a < c < b for a, b in quoted)]
            bounds = [p0, *cuts, p1]
            for c0, c1 in pairwise(bounds):
                s, e = _trim(masked, c0, c1)
                if e <= s or masked[s:e] != text[s:e]:  # empty, or straddles a blanked segment
                    continue
                toks = [t for t in span if s <= t.idx < e]
                if _keep(text[s:e], toks):
                    parsed = parse_span(toks)
                    units.append(ClaimUnit(article.id, s, e, text[s:e], parsed.core, frozenset(parsed.subject)))
    return units


def align_claims(story_id: str, units: list[ClaimUnit], articles: list[Article],
                 families: list[list[str]] | None = None, embed: Any = None,
                 cache: Any = None) -> list[Claim]:  # fmt: skip
    """Claims of one story from its articles' units: see ``claim_align.align_claims``."""
    from newsprism.corpus.claim_align import align_claims as _align

    return _align(story_id, units, articles, families=families, embed=embed, cache=cache)
