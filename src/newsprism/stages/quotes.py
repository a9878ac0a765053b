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
from newsprism.stages.nlp import doc_text, tokens_ending_by, tokens_starting_in
from newsprism.stages.quote_marks import QuoteMarks, find_quote_spans
from newsprism.stages.quote_model import select
from newsprism.stages.reporting import (
    Cue,
    clip_to_line,
    cue_extent,
    find_candidates,
    is_reporting_verb,
    verb_source,
)
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


_MINOR_WORDS = frozenset(
    {"a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "at", "by", "with", "from", "as", "but", "nor", "vs"}
)


def _is_title(quoted: str) -> bool:
    """Whether quoted words read as a title ("The Art of the Deal", "Super Lives of the
    Super Rich"): every word but short function words is capitalised.  A title with no
    cue is a name, not a remark."""
    words = [w.strip("'‘’\"“”.,:;!?()") for w in quoted.split()]
    words = [w for w in words if w and w[0].isalpha()]
    content = [w for w in words if w.lower() not in _MINOR_WORDS]
    return bool(content) and all(w[0].isupper() for w in content)


def _cue_for_mark(doc: Doc, m: QuoteMarks, marks: list[QuoteMarks]) -> tuple[int, int, int | None] | None:
    """(cue start, cue end, verb token index) of a reporting verb right after the closing
    mark (", he said.") or right before the opening one ("Peskov said: “…"), same sentence."""
    text = doc_text(doc)
    inside = [(q.open_pos, q.close_end) for q in marks]

    def in_quote(i: int) -> bool:
        return any(a <= i < b for a, b in inside)

    # after: up to the end of the sentence, a newline or another quote
    toks = tokens_starting_in(doc, m.close_end)
    closed = text[m.start : m.end].rstrip().endswith(".")
    for n, t in enumerate(toks[:14]):
        if "\n" in text[m.close_end : t.idx] or in_quote(t.idx):
            break
        if closed and any(c.dep_ in ("ccomp", "xcomp", "dobj") and c.i > t.i for c in t.children):
            break  # “… in my opinion.” Reid said both …: a new sentence with its own content
        if is_reporting_verb(t):
            s, e = cue_extent(t)
            return s, e, t.i
        if t.text in _END_PUNCT and n > 0:
            break
    # before: back to the start of the sentence or line
    before = tokens_ending_by(doc, m.open_pos)
    for t in reversed(before[max(0, len(before) - 20) :]):
        if "\n" in text[t.idx : m.open_pos] or in_quote(t.idx) or t.text in _END_PUNCT:
            break
        if is_reporting_verb(t):
            s, e = cue_extent(t)
            return s, e, t.i
    # a quote opening its own paragraph after one that ends "… X responded:"
    lead = text[: m.open_pos].rstrip()
    if lead.endswith(":") and "\n" in text[len(lead) : m.open_pos]:
        colon = len(lead) - 1
        lead_toks = tokens_starting_in(doc, 0, colon)
        for t in reversed(lead_toks[max(0, len(lead_toks) - 12) :]):
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
    toks = [t for t in tokens_starting_in(doc, lo, colon) if not t.is_space]
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


# one-word labels that open a line as its source: headline kickers ("Poll: Sanders leads")
# and interview transcripts ("Q: How did it go?")
_LINE_LABELS = frozenset({"poll", "report", "survey", "study", "analysis", "q", "a"})


def _colon_lines(doc: Doc) -> list[_Found]:
    """Lines of the form "Marco Rubio: I’m Not Interested …" / "Poll: Trump trails …":
    a short proper name (or a label of ``_LINE_LABELS``) opening a line, then a colon and
    the rest of the line, which is what the name is reported to say.  The colon is the cue."""
    text = doc_text(doc)
    out: list[_Found] = []
    lo = 0
    while lo < len(text):
        hi = text.find("\n", lo)
        hi = len(text) if hi < 0 else hi
        colon = text.find(":", lo, min(hi, lo + 60))
        if colon > lo:
            name = [t for t in tokens_starting_in(doc, lo, colon) if not t.is_space]
            for k in range(len(name) - 1, -1, -1):
                if name[k].text in ("-", "–", "—", "--"):
                    name = name[k + 1 :]
                    break
            s0, s1 = colon + 1, hi
            while s0 < s1 and text[s0].isspace():
                s0 += 1
            while s1 > s0 and text[s1 - 1] in " \t.":
                s1 -= 1
            labelled = len(name) == 1 and name[0].lower_ in _LINE_LABELS
            named = (
                0 < len(name) <= _HEADLINE_NAME_TOKENS
                and all(t.pos_ == "PROPN" or t.text == "." for t in name)
                and name[-1].ent_type_ in ("PERSON", "ORG")
            )
            if (labelled or named) and len(text[s0:s1].split()) >= 2:
                src = (name[0].idx, name[-1].idx + len(name[-1].text))
                out.append(_Found(s0, s1, "indirect", (colon, colon + 1), src, name[-1].i, 0.5))
        lo = hi + 1
    return out


def _join(doc: Doc, marks: list[QuoteMarks], cues: list[Cue]) -> list[_Found]:
    """Match parsed cues to quotation marks; see the module docstring."""
    found: list[_Found] = []
    claimed: set[int] = set()
    text = doc_text(doc)
    for c in cues:
        if c.source is not None and c.source_head is not None:
            c.source = clip_to_line(text, c.source, doc[c.source_head].idx)
            if c.source[1] <= c.source[0]:
                c.source, c.source_head = None, None
        c.content = clip_to_line(text, c.content, c.cue[0])
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
            # a quotation is never cut: the parse's clause often ends inside it, or drops
            # its closing full stop
            for k2, _ in ov:
                c0, c1 = min(c0, marks[k2].start), max(c1, marks[k2].end)
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
        owner_mixed = next((f for f in found if f.type == "mixed" and _overlap(f.start, f.end, m.start, m.end)), None)
        if owner_mixed is not None:
            # a fragment of a mixed quote's content, not a remark of its own; a quote right
            # after it continues that remark (“made necessary improvements,” he said. “We …”)
            last_direct = owner_mixed
            continue
        if any(f.source is not None and f.source[0] <= m.open_pos < f.source[1] for f in found):
            continue  # a quoted title in who speaks ("the author of “Hacked World Order,” said")
        hit = _cue_for_mark(doc, m, marks)
        if hit is not None:
            s, e, vi = hit
            owner = next((f for f in found if f.cue == (s, e)), None)
            if owner is not None and owner.type != "direct" and _overlap(owner.start, owner.end, m.start, m.end):
                continue  # the quoted words are part of that cue's reported clause
            if owner is not None and owner.type != "direct" and "\n" not in text[owner.end : m.open_pos]:
                # "Cruz pledged to oppose legal status: “today, tomorrow, forever.”": one
                # verb reports both, so one remark runs from its clause to the quote's end
                owner.start, owner.end = min(owner.start, m.start), max(owner.end, m.end)
                owner.type = "mixed"
                claimed.add(k)
                continue
            if owner is not None and owner.type == "direct" and m.open_pos < s:
                quoted = text[m.start : m.end]
                if owner.start < m.start or _words(quoted) < _MIN_DIRECT_WORDS or _is_title(quoted):
                    continue  # a quoted name between the remark and its cue: not a remark
                # “A,” he said, “B.” with the parse giving "said" B: A opens the remark and
                # takes the cue, B continues it (the order PolNeAR annotates)
                f = _Found(m.start, m.end, "direct", owner.cue, owner.source, owner.source_head, owner.confidence)
                owner.cue, owner.confidence = None, 0.75
                found.append(f)
                last_direct = f
                continue
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
        quoted = doc_text(doc)[m.start : m.end]
        headline = "\n" not in doc_text(doc)[: m.open_pos]  # headlines are title case
        if _words(quoted) < _MIN_DIRECT_WORDS or (_is_title(quoted) and not headline):
            continue
        if last_direct is not None and 0 <= m.open_pos - last_direct.end <= _CONTINUE_CHARS:
            f = _Found(m.start, m.end, "direct", None, last_direct.source, last_direct.source_head, 0.5)
        else:
            f = _Found(m.start, m.end, "direct", None, None, None, 0.35)
        found.append(f)
        last_direct = f
    for f in _colon_lines(doc):
        if not any(_overlap(f.start, f.end, g.start, g.end) for g in found):
            inner = [m for m in marks if _overlap(f.start, f.end, m.start, m.end)]
            if inner:
                f.type = "direct" if len(inner) == 1 and inner[0].open_pos <= f.start + 1 else "mixed"
            found.append(f)
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
