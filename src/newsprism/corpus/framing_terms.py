"""An outlet's own wording, its terms, and which of them are distinctive (log-odds with a prior).

Three steps, each a plain function:

* ``own_spans(article, quotes)`` — the character spans that are the outlet's own prose: the
  article's content segments (headline, subheadings, body; the whole text when it has no
  segments) minus every quote's content *and* the quotation marks around it.
* ``term_tokens(text, spans)`` / ``count_terms(...)`` — lowercase unigrams and bigrams in those
  spans, stop words out.  A bigram never crosses punctuation, a line break or a removed quote.
* ``log_odds(groups)`` — Monroe, Colaresi & Quinn (2008) "Fightin' Words": the weighted
  log-odds ratio of each group against all the other groups together, with an informative
  Dirichlet prior, as a z-score.

All offsets are indices into ``article.text`` (end-exclusive).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from newsprism.corpus.tfidf import english_stop_words
from newsprism.model import Article, Quote

# Every character that can open or close a quotation (curly, straight, guillemets, low-9).
QUOTE_MARKS = frozenset("“”„‟«»‹›\"'‘’‚‛")

# Reporting verbs and honorifics say nothing about framing but are in every article.
_EXTRA_STOP = frozenset({"said", "says", "say", "told", "tells", "mr", "ms", "mrs", "according", "s", "t"})
STOP_WORDS: frozenset[str] = english_stop_words() | _EXTRA_STOP

# A word: letters, with internal hyphens or apostrophes (US-led, Moscow's, don't), or a dotted
# abbreviation (U.S., U.N.).  Digits never make a term.
# A word glued to digits ("25th", "F16s") is a number, not a term.
_WORD = re.compile(r"(?<![\w.])(?:[^\W\d_]\.){2,}|(?<!\d)[^\W\d_]+(?:[’'\-][^\W\d_]+)*(?!\d)")
_POSSESSIVE = re.compile(r"[’']s$", re.IGNORECASE)
# Between the two words of a bigram only spaces or tabs may stand: no punctuation, no newline.
_BIGRAM_GAP = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True, slots=True)
class TermToken:
    """One word of the outlet's own wording: ``norm`` is the lowercase form used as a term."""

    start: int
    end: int
    norm: str
    stop: bool


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _subtract(base: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``base`` minus ``holes``; both sorted and merged."""
    out: list[tuple[int, int]] = []
    for s, e in base:
        cur = s
        for hs, he in holes:
            if he <= cur or hs >= e:
                continue
            if hs > cur:
                out.append((cur, hs))
            cur = max(cur, he)
        if cur < e:
            out.append((cur, e))
    return out


def quote_hole(text: str, start: int, end: int) -> tuple[int, int]:
    """A quote's content span widened to take in the quotation marks right around it."""
    s, e = max(0, start), min(len(text), end)
    while s > 0 and text[s - 1] in QUOTE_MARKS and s > start - 2:
        s -= 1
    while e < len(text) and text[e] in QUOTE_MARKS and e < end + 2:
        e += 1
    return s, e


def own_spans(article: Article, quotes: Sequence[Quote], *, marked: bool = True) -> list[tuple[int, int]]:
    """The outlet's own wording in ``article``: content segments minus quoted speech.

    Quoted speech is what stands inside quotation marks: every direct quote (content and
    marks) and every marked stretch elsewhere, such as a mixed quote's fragment (accused NATO
    of “provoking” Kiev) or an uncued quote.  The rest of an indirect or mixed quote stays:
    a paraphrase ("arguing that such restrictions hamper Ukraine's ability to purportedly
    defend itself") is the outlet's wording, and where outlets editorialize most.
    ``quotes`` may hold quotes of other articles; only those with ``quote.article ==
    article.id`` are used.  ``marked=False`` removes the direct quotes only (an evaluation
    that must see every word the caller did not list as a quote).
    """
    from newsprism.stages.quote_marks import find_quote_spans

    text = article.text
    base = _merge(article.content_spans()) or [(0, len(text))]
    direct = (quote_hole(text, q.start, q.end) for q in quotes if q.article == article.id and q.type == "direct")
    marks = ((m.open_pos, m.close_end) for m in find_quote_spans(text)) if marked else iter(())
    holes = _merge([*direct, *marks])
    return _subtract(base, holes)


def _norm(raw: str) -> tuple[str, bool]:
    """(term form, is-stop-word) of one matched word."""
    if "." in raw:  # U.S. → us, an abbreviation, never a stop word
        return raw.replace(".", "").lower(), False
    word = _POSSESSIVE.sub("", raw)
    norm = word.lower().replace("’", "'")
    # All-caps abbreviations (US, UN, IT) are names, not the stop words they spell.
    if len(word) >= 2 and word.isupper():
        return norm, False
    return norm, norm in STOP_WORDS or len(norm) < 2


def term_tokens(text: str, spans: Sequence[tuple[int, int]]) -> list[list[TermToken]]:
    """The words of ``text`` inside each span, one list per span (offsets into ``text``)."""
    out: list[list[TermToken]] = []
    for s, e in spans:
        toks = []
        for m in _WORD.finditer(text, s, e):
            norm, stop = _norm(m.group())
            toks.append(TermToken(m.start(), m.end(), norm, stop))
        out.append(toks)
    return out


def count_terms(text: str, spans: Sequence[tuple[int, int]]) -> Counter[str]:
    """Unigram and bigram counts (stop words out) of the words in ``spans``.

    The same counts, in the same order, as counting over ``term_tokens``, but streamed over
    the regex matches: building a ``TermToken`` per word was most of this function's time.
    """
    counts: Counter[str] = Counter()
    for s, e in spans:
        prev: tuple[str, bool, int] | None = None  # (norm, stop, end) of the previous word
        for m in _WORD.finditer(text, s, e):
            norm, stop = _norm_cached(m.group())
            if prev is not None and not prev[1] and not stop and _BIGRAM_GAP.fullmatch(text, prev[2], m.start()):
                counts[f"{prev[0]} {norm}"] += 1
            if not stop:
                counts[norm] += 1
            prev = (norm, stop, m.end())
    return counts


@lru_cache(maxsize=65536)
def _norm_cached(raw: str) -> tuple[str, bool]:
    return _norm(raw)


# The prior's total as a share of the story's size.  Small stories (five articles of 300–700
# words) need a weak prior: with a prior as large as the story, the pseudo-counts swamp the
# outlets' differing sizes and no term reaches z > 1.96; at 0.1 a word used twice by one
# outlet and never by the others scores z ≈ 1.6, five times ≈ 2.5.
PRIOR_SCALE = 0.1


@dataclass(frozen=True, slots=True)
class TermScore:
    """A term's log-odds z-score for one group, with its count in that group."""

    term: str
    z: float
    count: int


def log_odds(groups: Mapping[str, Counter[str]], prior: Counter[str] | None = None,
             prior_scale: float = PRIOR_SCALE) -> dict[str, list[TermScore]]:  # fmt: skip
    """Weighted log-odds ratio, informative Dirichlet prior, each group vs the rest.

    ``prior`` defaults to the pooled counts of all groups (the story itself), scaled so its
    total is ``prior_scale`` times the story's size (a term's pseudo-count is its story
    count times ``prior_scale``).  Small counts give small z: a word used once by one outlet
    and never by the others is not significant on its own, whatever the prior.
    Only terms the group actually uses are scored; each list is sorted by z (highest
    first), then count, then term.  With fewer than two groups there is no "rest" to
    compare against and every list is empty.
    """
    if len(groups) < 2:
        return {g: [] for g in groups}
    pooled: Counter[str] = Counter()
    for c in groups.values():
        pooled.update(c)
    base = prior if prior is not None else pooled
    base_total = sum(base.values())
    total = sum(pooled.values())
    if base_total == 0 or total == 0:
        return {g: [] for g in groups}
    a0 = prior_scale * total
    # A term missing from a background prior still gets a small pseudo-count.
    floor = a0 / base_total * 0.5
    out: dict[str, list[TermScore]] = {}
    for g, yi in groups.items():
        ni = sum(yi.values())
        nj = total - ni
        scores = []
        for w, ci in yi.items():
            cj = pooled[w] - ci
            aw = max(a0 * base[w] / base_total, floor)
            li = math.log((ci + aw) / max(ni + a0 - ci - aw, 1e-9))
            lj = math.log((cj + aw) / max(nj + a0 - cj - aw, 1e-9))
            var = 1.0 / (ci + aw) + 1.0 / (cj + aw)
            scores.append(TermScore(w, (li - lj) / math.sqrt(var), ci))
        scores.sort(key=lambda t: (-t.z, -t.count, -t.term.count(" "), t.term))
        out[g] = scores
    return out
