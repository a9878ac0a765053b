"""Quote extraction: who said what, as direct, indirect and mixed quotes.

``extract_quotes(doc, article_id)`` reads a spaCy ``Doc`` made by
``newsprism.stages.nlp`` (its char offsets are the article text's offsets) and returns
``model.Quote`` records:

* ``start``/``end`` — the reported content.  A **direct** quote's content is exactly the
  text inside the marks.  An **indirect** quote's content is the reported clause (the
  ccomp / xcomp subtree, or the clause an "according to" phrase modifies).  A **mixed**
  quote (reported speech with a quoted fragment: "accused NATO of “provoking” Kiev") has
  the *whole reported content* as its span, quotes included: that is what PolNeAR
  annotates as content, and it keeps the fragment's context readable.
* ``cue`` — the reporting verb / noun / "according to" span, or ``None`` for a quote
  that continues an earlier speaker's remarks with no cue of its own.
* ``speaker`` — the mention naming the speaker (a pronoun's own span for a pronoun),
  with ``name`` resolved to the best in-article name (see ``speakers``).
* ``id`` — ``content_id(article_id, str(start), str(end))``; ``confidence`` in [0, 1].

How: quotation-mark spans (``quote_marks``) and reporting cues from the dependency
parse (``reporting``) are found independently, then joined: a cue whose content is
mostly inside one quote makes that quote direct; a cue whose content merely contains
quotes is mixed; quotes no parsed cue claimed get a cue from the text next to them
(", he said." / "Peskov said: “…") or continue the previous speaker.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from newsprism.ids import content_id
from newsprism.model import Quote, Span, Speaker
from newsprism.stages.nlp import doc_text
from newsprism.stages.quote_marks import QuoteMarks, find_quote_spans
from newsprism.stages.quote_model import select
from newsprism.stages.reporting import Cue, cue_extent, find_candidates, is_reporting_verb, verb_source
from newsprism.stages.speakers import resolve_name

_MIN_DIRECT_WORDS = 4  # shorter uncued quotes are scare quotes or titles, not remarks
_CONTINUE_CHARS = 700  # an uncued quote continues the previous speaker within this distance
_END_PUNCT = {".", "!", "?"}


@dataclass(slots=True)
class _Found:
    start: int
    end: int
    type: str
    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    source_head: int | None
    confidence: float


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _words(text: str) -> int:
    return len(text.split())


def _cue_for_mark(doc: Doc, m: QuoteMarks, marks: list[QuoteMarks]) -> tuple[int, int, int | None] | None:
    """(cue start, cue end, verb token index) of a reporting verb right after the closing
    mark (", he said.") or right before the opening one ("Peskov said: “…"), same sentence."""
    text = doc_text(doc)
    inside = [(q.open_pos, q.close_end) for q in marks]

    def in_quote(i: int) -> bool:
        return any(a <= i < b for a, b in inside)

    # after: up to the end of the sentence, a newline or another quote
    toks = [t for t in doc if t.idx >= m.close_end]
    for n, t in enumerate(toks[:14]):
        if "\n" in text[m.close_end : t.idx] or in_quote(t.idx):
            break
        if is_reporting_verb(t):
            s, e = cue_extent(t)
            return s, e, t.i
        if t.text in _END_PUNCT and n > 0:
            break
    # before: back to the start of the sentence or line
    prev = [t for t in doc if t.idx + len(t.text) <= m.open_pos][::-1]
    for t in prev[:20]:
        if "\n" in text[t.idx : m.open_pos] or in_quote(t.idx) or t.text in _END_PUNCT:
            break
        if is_reporting_verb(t):
            s, e = cue_extent(t)
            return s, e, t.i
    # a quote opening its own paragraph after one that ends "… X responded:"
    lead = text[: m.open_pos].rstrip()
    if lead.endswith(":") and "\n" in text[len(lead) : m.open_pos]:
        colon = len(lead) - 1
        for t in [t for t in prev if t.idx < colon][:12]:
            if "\n" in text[t.idx : colon] or in_quote(t.idx) or t.text in _END_PUNCT:
                break
            if is_reporting_verb(t):
                s, e = cue_extent(t)
                return s, e, t.i
    return None


_HEADLINE_NAME_TOKENS = 6


def _headline_speaker(doc: Doc, m: QuoteMarks) -> tuple[int, int, int] | None:
    """(colon index, source start, source head token) for a headline-style quote
    "Kasich: ‘We Are Going …’" / "Trump: Cruz Has ‘…’": a line opening with a short
    proper name (after any dash) and a colon before the quote.  The colon is the cue."""
    text = doc_text(doc)
    lo = text.rfind("\n", 0, m.open_pos) + 1
    colon = text.find(":", lo, m.open_pos)
    if colon < 0:
        return None
    toks = [t for t in doc if lo <= t.idx < colon and not t.is_space]
    for k in range(len(toks) - 1, -1, -1):
        if toks[k].text in ("-", "–", "—", "--"):
            toks = toks[k + 1 :]
            break
    if not toks or len(toks) > _HEADLINE_NAME_TOKENS:
        return None
    if not all(t.pos_ == "PROPN" or t.text == "." for t in toks) or not toks[-1].ent_type_:
        return None
    if toks[-1].ent_type_ not in ("PERSON", "ORG"):
        return None
    return colon, toks[0].idx, toks[-1].i


def _clip_to_line(text: str, span: tuple[int, int], anchor: int) -> tuple[int, int]:
    """``span`` cut to the line holding ``anchor``: reported speech and its source never
    run across a paragraph break (the parser glues captions and headlines on)."""
    lo = text.rfind("\n", 0, anchor) + 1
    hi = text.find("\n", anchor)
    hi = len(text) if hi < 0 else hi
    s, e = max(span[0], lo), min(span[1], hi)
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if e > s else (span[0], span[0])


def _join(doc: Doc, marks: list[QuoteMarks], cues: list[Cue]) -> list[_Found]:
    """Match parsed cues to quotation marks; see the module docstring."""
    found: list[_Found] = []
    claimed: set[int] = set()
    text = doc_text(doc)
    for c in cues:
        if c.source is not None and c.source_head is not None:
            c.source = _clip_to_line(text, c.source, doc[c.source_head].idx)
            if c.source[1] <= c.source[0]:
                c.source, c.source_head = None, None
        c.content = _clip_to_line(text, c.content, c.cue[0])
        c0, c1 = c.content
        if c1 <= c0:
            continue
        clen = max(1, c1 - c0)
        ov = [(k, _overlap(c0, c1, m.start, m.end)) for k, m in enumerate(marks)]
        ov = [(k, o) for k, o in ov if o > 0]
        if ov:
            k, best = max(ov, key=lambda t: t[1])
            if best / clen >= 0.6 and not (marks[k].open_pos <= c.cue[0] < marks[k].close_end):
                if k in claimed:
                    continue
                claimed.add(k)
                m = marks[k]
                found.append(_Found(m.start, m.end, "direct", c.cue, c.source, c.source_head, 0.9))
                continue
            if marks[k].open_pos <= c.cue[0] < marks[k].close_end:
                # a cue inside a quotation ("I think …" within a quote) belongs to the
                # quoted remark: annotation schemes (PolNeAR) give each word one attribution
                continue
            found.append(_Found(c0, c1, "mixed", c.cue, c.source, c.source_head, 0.75))
            continue
        if any(m.open_pos <= c.cue[0] < m.close_end for m in marks):
            continue  # same reason: a cue inside a quotation
        found.append(_Found(c0, c1, "indirect", c.cue, c.source, c.source_head, round(0.8 * c.score, 3)))

    # quotes no parsed cue claimed
    last_direct: _Found | None = None
    by_start = sorted(range(len(marks)), key=lambda k: marks[k].open_pos)
    for k in by_start:
        m = marks[k]
        if k in claimed:
            last_direct = next((f for f in found if f.start == m.start and f.end == m.end), last_direct)
            continue
        if any(f.type == "mixed" and _overlap(f.start, f.end, m.start, m.end) > 0 for f in found):
            continue  # a fragment of a mixed quote's content, not a remark of its own
        hit = _cue_for_mark(doc, m, marks)
        if hit is not None:
            s, e, vi = hit
            owner = next((f for f in found if f.cue == (s, e)), None)
            if owner is not None and owner.type != "direct" and _overlap(owner.start, owner.end, m.start, m.end):
                continue  # the quoted words are part of that cue's reported clause
            if owner is not None and owner.type == "direct":
                # “A,” he said, “B.”: one remark split by its cue; B continues A (no cue
                # of its own, as PolNeAR and most schemes annotate it)
                f = _Found(m.start, m.end, "direct", None, owner.source, owner.source_head, 0.75)
            else:
                src, sh = verb_source(doc[vi]) if vi is not None else (None, None)
                f = _Found(m.start, m.end, "direct", (s, e), src, sh, 0.8)
            found.append(f)
            last_direct = f
            continue
        head = _headline_speaker(doc, m)
        if head is not None:
            colon, s0, hi = head
            src = (s0, doc[hi].idx + len(doc[hi].text))
            f = _Found(m.start, m.end, "direct", (colon, colon + 1), src, hi, 0.6)
            found.append(f)
            last_direct = f
            continue
        if _words(doc_text(doc)[m.start : m.end]) < _MIN_DIRECT_WORDS:
            continue
        if last_direct is not None and 0 <= m.open_pos - last_direct.end <= _CONTINUE_CHARS:
            f = _Found(m.start, m.end, "direct", None, last_direct.source, last_direct.source_head, 0.5)
        else:
            f = _Found(m.start, m.end, "direct", None, None, None, 0.35)
        found.append(f)
        last_direct = f
    return found


def extract_quotes(doc: Doc, article_id: str) -> list[Quote]:
    """All quotes of ``doc`` (direct, indirect, mixed), in text order; see the module docstring."""
    text = doc_text(doc)
    marks = find_quote_spans(text)
    quoted = [(m.open_pos, m.close_end) for m in marks]
    found = _join(doc, marks, select(doc, find_candidates(doc), quoted))
    out: list[Quote] = []
    seen: set[tuple[int, int]] = set()
    for f in sorted(found, key=lambda f: (f.start, -f.end)):
        if f.end <= f.start or (f.start, f.end) in seen:
            continue
        seen.add((f.start, f.end))
        speaker = None
        if f.source is not None and f.source[1] > f.source[0]:
            s0, s1 = f.source
            speaker = Speaker(name=resolve_name(doc, s0, s1, f.source_head), start=s0, end=s1)
        out.append(
            Quote(
                id=content_id(article_id, str(f.start), str(f.end)),
                article=article_id,
                start=f.start,
                end=f.end,
                type=f.type,
                speaker=speaker,
                cue=Span(*f.cue) if f.cue is not None else None,
                confidence=f.confidence,
            )
        )
    return out
