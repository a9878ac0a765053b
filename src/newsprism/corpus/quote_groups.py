"""Group the same remark carried by several outlets; flag direct quotes worded differently.

Contract of ``group_quotes(quotes, texts, outlets)`` (mutates the quotes in place):

* every quote gets ``q.group``: a stable id (``content_id`` of the sorted member quote ids,
  prefix ``g``), shared by all quotes judged to report the same remark; a remark quoted
  once is a group of one;
* ``q.altered = True`` on a *direct* quote when its group holds another direct quote from a
  different outlet, linked to it directly (not only through other quotes of the group),
  whose wording differs (after folding case, quotation marks, apostrophes, punctuation and
  spacing) and neither is an excerpt of the other; both sides are flagged, since we cannot
  tell which outlet changed the words.

Two quotes are linked when their contents match (rapidfuzz ``token_set_ratio`` /
``partial_ratio`` for excerpts, or USE cosine) or, more cautiously, when the sentences around
them match (a three-word fragment like "made necessary improvements" carries too little to
match alone), **and** their speakers are compatible: the same canonical name (compared by
surname, fuzzily: ``Antony``/``Anthony Blinken``, ``Lavrov``/``Lavorov``) or at least one
unknown.  Groups grow by linkage, but a group never holds two incompatible named speakers.
"""

from __future__ import annotations

import bisect
import re
import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from newsprism.corpus.claim_match import FUZZ_WORKERS, pair_cosines, unit_rows
from newsprism.ids import content_id
from newsprism.model import Quote

Embed = Callable[[list[str]], np.ndarray]

FUZZY_MIN = 82  # token_set_ratio (0-100) of two contents
EXCERPT_MIN = 90  # partial_ratio for a short content inside a longer one
EXCERPT_WORDS = 4  # an excerpt shorter than this matches too much by chance
COS_MIN = 0.72  # USE cosine of two contents
# ... of two contents by the same named speaker: outlets paraphrase and machine-translate one
# remark ("we have adapted and adapted as necessary" / "we've adapted and adjusted, too")
SAME_SPEAKER_COS_MIN = 0.6
CONTEXT_COS_MIN = 0.8  # USE cosine of the two sentences around the quotes (same named speaker only)
SURNAME_MIN = 80
MIN_WORDS = 3  # shorter contents link only to the identical words
EXACT_LIMIT = 2000  # above this many quotes, compare nearest neighbours only
NEIGHBOURS = 10
CONTINUE_GAP = 80  # characters between two pieces of one remark
# Between two pieces of one remark there is only the attribution: `,” he said there. “`
_ATTRIBUTION_GAP = re.compile(
    r"[,.!?]?[”\"’]?\s*(?:he|she|they|[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)\s+"
    r"(?:said|added|says|adds|told\s+\w+|continued|went on)(?:\s+\w+){0,6}\s*[.,:;]\s*[“\"‘]?"
)  # rapidfuzz ratio of two surnames
_CONTEXT_CHARS = 300
_WS = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_ISE = re.compile(r"\b(\w{3,})is(e|ed|es|ing|ation)\b")
_TITLES = frozenset({"mr", "mrs", "ms", "dr", "president", "minister", "secretary", "general", "chief", "spokesman",
                     "spokeswoman", "the", "of", "state", "foreign", "prime", "sir"})  # fmt: skip


def normalize_wording(text: str) -> str:
    """Wording key: NFKC, case-folded, quotes/apostrophes unified, punctuation and spacing dropped,
    -ise spellings folded to -ize."""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = t.replace("’", "'").replace("‘", "'").replace("`", "'")
    t = _PUNCT.sub(" ", t)
    t = _ISE.sub(r"\1iz\2", t)  # British/American spelling is not rewording: neutralise = neutralize
    return _WS.sub(" ", t).strip()


def surname(name: str | None) -> str | None:
    """The speaker's last name-like word, lower-cased (``None`` for unknown or pronouns)."""
    if not name:
        return None
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", name) if w.lower() not in _TITLES]
    if not words or not words[-1][:1].isupper():
        return None  # "the outlet", "officials", "he": no named speaker
    return words[-1].lower()


def _compatible(a: str | None, b: str | None) -> bool:
    from rapidfuzz import fuzz

    return a is None or b is None or a == b or fuzz.ratio(a, b) >= SURNAME_MIN


def _enclosing(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The shortest of ``spans`` (sorted) that holds ``[start, end)`` with at most
    ``_CONTEXT_CHARS`` a side on average, or None."""
    best = None
    for s, e in reversed(spans[: bisect.bisect_right(spans, (start, sys.maxsize))]):
        if s < start - 2 * _CONTEXT_CHARS:
            break  # from here on every span is longer than the cap
        if e >= end and e - s <= end - start + 2 * _CONTEXT_CHARS and (best is None or e - s < best[1] - best[0]):
            best = (s, e)
    return best


def _context(text: str, start: int, end: int, spans: list[tuple[int, int]] | None = None) -> str:
    """The sentence around a quote: the shortest of ``spans`` that holds it (the pipeline
    passes its claim units, so the vector is the one the claims stage encodes anyway), else
    the stretch to the nearest line break or full stop, capped at ``_CONTEXT_CHARS`` a side."""
    hit = _enclosing(spans, start, end) if spans else None
    if hit is not None:
        return text[hit[0] : hit[1]].strip()
    lo = max(text.rfind("\n", 0, start), text.rfind(". ", max(0, start - _CONTEXT_CHARS), start))
    hi_candidates = [i for i in (text.find("\n", end), text.find(". ", end)) if i != -1]
    hi = min(hi_candidates) if hi_candidates else len(text)
    lo = max(lo + 1, start - _CONTEXT_CHARS)
    hi = min(hi, end + _CONTEXT_CHARS)
    return text[lo:hi].strip()


def _continues(a: Quote, b: Quote, name_a: str | None, name_b: str | None, text: str) -> bool:
    """``b`` directly continues ``a``'s remark: same named speaker, the later one direct and the
    earlier direct or mixed, a short gap (``"...," he said there. "We will ..."``)."""
    if not name_a or name_a != name_b:
        return False
    first, second = (a, b) if a.start <= b.start else (b, a)
    if first.type not in ("direct", "mixed") or second.type != "direct":
        return False
    gap = text[first.end : second.start]
    return 0 <= len(gap) <= CONTINUE_GAP and _ATTRIBUTION_GAP.fullmatch(gap) is not None


def _default_embed(texts: list[str]) -> np.ndarray:
    from newsprism.corpus.embeddings import embed_texts

    return embed_texts(texts)


def candidate_pairs(quotes: list[Quote], vc: np.ndarray, vx: np.ndarray, norm: list[str],
                    limit: int | None = None) -> list[tuple[int, int]]:  # fmt: skip
    """Pairs (i < j) worth comparing: every pair up to ``limit`` quotes (``EXACT_LIMIT``);
    above it, pairs inside one article, each quote's ``NEIGHBOURS`` nearest neighbours by
    content and (among quotes with a context vector) by context, and identical wordings,
    so a large corpus stays sub-quadratic."""
    n = len(quotes)
    if n <= (EXACT_LIMIT if limit is None else limit):
        return [(i, j) for i in range(n) for j in range(i + 1, n)]
    from newsprism.corpus.knn import cosine_neighbours

    pairs: set[tuple[int, int]] = set()
    by_article: dict[str, list[int]] = {}
    by_words: dict[str, list[int]] = {}
    for i, q in enumerate(quotes):
        by_article.setdefault(q.article, []).append(i)
        if norm[i]:
            by_words.setdefault(norm[i], []).append(i)
    for group in (*by_article.values(), *by_words.values()):
        pairs.update((a, b) for x, a in enumerate(group) for b in group[x + 1 :])
    # neighbours by content among all quotes, by context among those that have one
    for m, rows in ((vc, np.arange(n)), (vx, np.flatnonzero(np.abs(vx).sum(axis=1) > 0))):
        k = min(NEIGHBOURS + 1, len(rows))
        if k < 2:
            continue
        _, idx = cosine_neighbours(m[rows], k)
        for r, nb in zip(rows.tolist(), idx.tolist(), strict=True):
            pairs.update((min(r, int(rows[j])), max(r, int(rows[j]))) for j in nb if int(rows[j]) != r)
    return sorted(pairs)


@lru_cache(maxsize=65536)
def _compatible_cached(a: str | None, b: str | None) -> bool:
    return _compatible(a, b)


def _edges(quotes: list[Quote], vc: np.ndarray, vx: np.ndarray, norm: list[str], words: list[int],
           names: list[str | None], texts: dict[str, str], pairs: list[tuple[int, int]],
           ) -> list[tuple[float, int, int]]:  # fmt: skip
    """The links ``(weight, i, j)`` among candidate ``pairs`` (i < j).

    Per pair: both contents non-empty and the speakers compatible; inside one article, the
    same words quoted twice or one remark continued (weight 2); across articles, a
    fragment under ``MIN_WORDS`` words links (weight 2) only to the same words of a direct
    quote with named speakers on both sides; longer contents link (weight 1 + content
    cosine) on fuzzy wording, an excerpt, the content cosine, or, with both speakers
    named, the context cosine.  The edges come in no particular order (callers sort them).
    """
    from rapidfuzz import fuzz, process

    edges: list[tuple[float, int, int]] = []
    pending: list[tuple[int, int, float]] = []  # long cross-article pairs the cosines did not link
    content_cos = pair_cosines(vc, [i for i, _ in pairs], [j for _, j in pairs])
    for (i, j), cos_c in zip(pairs, content_cos, strict=True):
        if not norm[i] or not norm[j] or not _compatible_cached(names[i], names[j]):
            continue
        if quotes[i].article == quotes[j].article:
            # Inside one article only textual evidence links: the same words quoted twice
            # (nested or repeated spans), or consecutive pieces of one speaker's remark.
            repeated = min(words[i], words[j]) >= MIN_WORDS and (norm[i] in norm[j] or norm[j] in norm[i])
            if repeated or _continues(quotes[i], quotes[j], names[i], names[j], texts.get(quotes[i].article, "")):
                edges.append((2.0, i, j))
            continue
        if min(words[i], words[j]) < MIN_WORDS:
            # A one- or two-word fragment ("poison") links only to the very same words.
            if quotes[i].type == quotes[j].type == "direct" and norm[i] == norm[j] and names[i] and names[j]:
                edges.append((2.0, i, j))
            continue
        # Any one test links.  The cosines settle most pairs; the fuzzy ratios of the rest
        # are scored together below (partial_ratio of two long quotes is ~0.1 ms).
        named = names[i] is not None and names[j] is not None
        if (
            cos_c >= COS_MIN
            or (named and cos_c >= SAME_SPEAKER_COS_MIN)
            or (named and float(vx[i] @ vx[j]) >= CONTEXT_COS_MIN)
        ):
            edges.append((1.0 + cos_c, i, j))
        else:
            pending.append((i, j, cos_c))
    if pending:
        left = [norm[i] for i, _, _ in pending]
        right = [norm[j] for _, j, _ in pending]
        # With a cutoff rapidfuzz returns the exact score at or above it and 0 below, so
        # ``>= cutoff`` is the same test as on the plain score.
        tsr = process.cpdist(left, right, scorer=fuzz.token_set_ratio, dtype=np.float64,
                             score_cutoff=FUZZY_MIN, workers=FUZZ_WORKERS) >= FUZZY_MIN  # fmt: skip
        excerpt = [k for k, (i, j, _) in enumerate(pending)
                   if not tsr[k] and min(words[i], words[j]) >= EXCERPT_WORDS]  # fmt: skip
        linked = tsr.copy()
        if excerpt:
            pr = process.cpdist([left[k] for k in excerpt], [right[k] for k in excerpt], scorer=fuzz.partial_ratio,
                                dtype=np.float64, score_cutoff=EXCERPT_MIN, workers=FUZZ_WORKERS)  # fmt: skip
            linked[np.asarray(excerpt)] = pr >= EXCERPT_MIN
        edges.extend((1.0 + cos_c, i, j) for (i, j, cos_c), ok in zip(pending, linked.tolist(), strict=True) if ok)
    return edges


def texts_to_embed(quotes: list[Quote], texts: dict[str, str],
                   sentences: dict[str, list[tuple[int, int]]] | None = None,
                   names: list[str | None] | None = None) -> list[str]:  # fmt: skip
    """The texts ``group_quotes`` embeds, in its order: every quote's content, then every
    quote's context (empty for a quote without a named speaker), so a caller can have them
    encoded ahead (``SharedCache.prefetch``)."""
    if names is None:
        names = [surname(q.speaker.name if q.speaker else None) for q in quotes]
    contents = [texts.get(q.article, "")[q.start : q.end] for q in quotes]
    # Only two named speakers' quotes are ever linked by their context: the others' is
    # left empty (a zero vector), which saves encoding a long stretch of text per quote.
    spans = {k: sorted(v) for k, v in (sentences or {}).items()}
    contexts = [_context(texts.get(q.article, ""), q.start, q.end, spans.get(q.article)) if names[i] else ""
                for i, q in enumerate(quotes)]  # fmt: skip
    return contents + contexts


def group_quotes(quotes: list[Quote], texts: dict[str, str], outlets: dict[str, str],
                 embed: Embed | None = None, sentences: dict[str, list[tuple[int, int]]] | None = None,
                 ) -> None:  # fmt: skip
    """Set ``q.group`` and ``q.altered`` on every quote (see the module docstring).

    ``texts``: article id → text; ``outlets``: article id → outlet name (articles without an
    outlet count as their own outlet).  Quotes whose article is missing from ``texts`` are
    grouped alone.  ``embed``: texts → unit vectors (default: the USE encoder, uncached).
    ``sentences``: article id → (start, end) spans of its sentences; a quote's context is
    the shortest one holding it (see ``_context``), so a caller that embeds those sentences
    anyway (the claims stage does) pays for no second encoding of the same prose.
    """
    n = len(quotes)
    if n == 0:
        return
    names = [surname(q.speaker.name if q.speaker else None) for q in quotes]
    to_embed = texts_to_embed(quotes, texts, sentences, names)
    contents = to_embed[:n]
    outlet = [outlets.get(q.article) or q.article for q in quotes]
    embed = embed or _default_embed
    vecs = unit_rows(embed(to_embed))
    vc, vx = vecs[:n], vecs[n:]
    norm = [normalize_wording(c) for c in contents]
    words = [len(c.split()) for c in norm]
    edges = _edges(quotes, vc, vx, norm, words, names, texts, candidate_pairs(quotes, vc, vx, norm))

    # Union the strongest links first; refuse a link that would put two different named
    # speakers in one group.
    parent = list(range(n))
    speakers: dict[int, set[str]] = {i: {nm} if (nm := names[i]) else set() for i in range(n)}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, i, j in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        if not all(_compatible_cached(a, b) for a in speakers[ri] for b in speakers[rj]):
            continue
        parent[rj] = ri
        speakers[ri] |= speakers.pop(rj)

    # only two versions of the same words are an alteration, not two sentences of one
    # statement that the group holds through other quotes
    linked = {(i, j) for _, i, j in edges}
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(find(i), []).append(i)
    for idx in members.values():
        gid = content_id(*sorted(quotes[i].id for i in idx), prefix="g")
        direct = [i for i in idx if quotes[i].type == "direct"]
        for i in idx:
            quotes[i].group = gid
            quotes[i].altered = False
        # A fragment of one or two words ("poison") is too short to tell rewording from excerpting.
        direct = [i for i in direct if words[i] >= MIN_WORDS]
        for a in direct:
            for b in direct:
                if outlet[a] == outlet[b] or norm[a] == norm[b] or (min(a, b), max(a, b)) not in linked:
                    continue
                if norm[a] in norm[b] or norm[b] in norm[a]:
                    continue  # one outlet quoted less of the remark: an excerpt, not an alteration
                quotes[a].altered = True
