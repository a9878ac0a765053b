"""Families: articles that are copies of one another (duplicate, rewrite, translation).

* **duplicate / rewrite** — word 3-gram shingles of the article's own prose, MinHash +
  banded LSH for candidate pairs (sub-quadratic), then exact figures on the
  candidates: Jaccard ≥ ``DUPLICATE_JACCARD`` is a duplicate; containment (shared shingles
  over the smaller article's) ≥ ``REWRITE_CONTAINMENT`` is a rewrite (one text lightly
  edited or cut).
* **translation** — candidates are each article's nearest neighbours by multilingual
  document vector (faiss); a pair is a translation when its sentences align one-to-one
  in order: most sentences of the shorter article have a counterpart in the other with
  high cross-lingual cosine, and the matches run in the same order.  Two articles in the
  *same* language that align this way with little shared wording are two machine
  translations of one foreign original; they need a stricter cosine.

A family is a connected group of articles joined by one relation; ``evidence`` holds the
figures of the pairs that joined it (a spanning tree: a family of n articles lists n - 1
pairs, since comparing every pair of a story copied by hundreds of outlets is quadratic).
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from newsprism.corpus.embeddings import DIM, EmbeddingCache, article_sentences, embed_articles, embed_texts
from newsprism.corpus.sorted_ints import distinct
from newsprism.ids import content_id

if TYPE_CHECKING:
    from newsprism.model import Article

SHINGLE = 3
NUM_PERM = 128
LSH_THRESHOLD = 0.2
DUPLICATE_JACCARD = 0.9
REWRITE_CONTAINMENT = 0.5
# Translation: document-vector neighbours considered, and the floor to look at a pair.
TRANSLATION_NEIGHBOURS = 5
DOC_COS_MIN = 0.6  # across languages (a German translation of an English text: ≈ 0.8)
DOC_COS_MIN_SAME = 0.85  # same language: two translations of one original read almost alike
MAX_SENTENCES = 60  # sentences aligned per article (a translation shows from the start)
# Sentence alignment: a sentence "has a counterpart" above this cosine.
ALIGN_COS_CROSS = 0.65  # different languages (English↔German translation ≈ 0.76)
ALIGN_COS_SAME = 0.80  # same language: two translations of one original, not a paraphrase
MIN_COVERAGE = 0.6
MIN_ORDER = 0.8
MIN_SENTENCES = 3
_RELATION_ORDER = ("duplicate", "rewrite", "translation")


@dataclass
class Family:
    """Articles that are copies of each other, how (``relation``) and why (``evidence``)."""

    id: str
    relation: str  # duplicate | rewrite | translation
    articles: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "relation": self.relation, "articles": list(self.articles), "evidence": self.evidence}


_WORD = re.compile(r"\w+", re.UNICODE)


def _content(a: Article) -> str:
    spans = a.content_spans()
    return "\n".join(a.text[s:e] for s, e in sorted(spans)) if spans else a.text


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Lower-cased word ``k``-grams of ``text`` (the whole text as one shingle when shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


class _WordHashes(dict[str, int]):
    """word → CRC-32 of its UTF-8 bytes, computed on first use (one per distinct word)."""

    def __missing__(self, word: str) -> int:
        value = zlib.crc32(word.encode("utf-8"))
        self[word] = value
        return value


# Odd 64-bit multipliers that mix k word hashes into one shingle hash
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


def shingle_hashes(text: str, k: int = SHINGLE, words: _WordHashes | None = None) -> np.ndarray:
    """The distinct shingles of ``shingles(text, k)`` as sorted 32-bit hash values (uint32):
    4 bytes a shingle instead of a Python string, so 100,000 articles' shingles fit in
    memory, and set sizes and intersections come from numpy.  Each word is hashed once
    (through ``words``, a per-corpus memo) and a shingle's hash mixes its words' hashes
    with numpy, not one Python call a shingle.  Two distinct shingles share a value about
    once in four billion pairs: the Jaccard figures are exact in practice."""
    memo = words if words is not None else _WordHashes()
    toks = _WORD.findall(text.lower())
    if len(toks) < k:
        return np.asarray([zlib.crc32(" ".join(toks).encode("utf-8"))] if toks else [], dtype=np.uint32)
    w = np.fromiter(map(memo.__getitem__, toks), dtype=np.uint64, count=len(toks))
    n = len(toks) - k + 1
    with np.errstate(over="ignore"):
        h = w[:n] * _MIX[0]
        for off in range(1, k):
            h ^= w[off : off + n] * _MIX[off % len(_MIX)]
            h *= _MIX[0]
        h ^= h >> np.uint64(32)
    return distinct((h & np.uint64(0xFFFFFFFF)).astype(np.uint32))


# MinHash permutations: Dietzfelbinger's multiply-add-shift h → (a·h + b) >> 32 over 64-bit
# wrapping arithmetic, 2-universal for 32-bit keys and with no modulo (the slow part of
# the classic (a·h + b) mod p).  Fixed seeds: every run builds the same signatures.
_rng = np.random.RandomState(1)
_PERM_A = _rng.randint(0, 1 << 62, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_PERM_B = _rng.randint(0, 1 << 62, size=NUM_PERM, dtype=np.uint64)


# Banding of the signatures: datasketch's optimum for LSH_THRESHOLD and NUM_PERM (28 bands
# of 2 rows); a pair is a candidate when any band of its two signatures is equal.
_BANDS, _ROWS = 28, 2  # _lsh_candidates packs a band's two values into one integer
# A bucket of more articles than this (one wire story carried by hundreds of outlets) is
# not expanded into all its pairs: each member is paired with the next BUCKET_WINDOW
# members in id order, which still chains every true copy into its family (the pairs
# grow linearly with the bucket, not quadratically).
BIG_BUCKET = 256
BUCKET_WINDOW = 32
# MinHash agreement below which a pair is taken not to be a duplicate (see _copy_pairs)
DUP_AGREEMENT_MIN = 0.7


def _signature(hv: np.ndarray) -> np.ndarray:
    """The MinHash values of a shingle-hash set that the bands read, vectorised."""
    k = _BANDS * _ROWS
    h = hv.astype(np.uint64)
    with np.errstate(over="ignore"):
        return ((h[:, None] * _PERM_A[:k] + _PERM_B[:k]) >> np.uint64(32)).min(axis=0)


@lru_cache(maxsize=BIG_BUCKET)
def _all_pairs(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(m, k=1)


def _bucket_pairs(ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) positions of the pairs compared inside one bucket of sorted members."""
    m = len(ms)
    if m <= BIG_BUCKET:
        a, b = _all_pairs(m)
    else:
        a = np.repeat(np.arange(m), BUCKET_WINDOW)
        b = a + np.tile(np.arange(1, BUCKET_WINDOW + 1), m)
        keep = b < m
        a, b = a[keep], b[keep]
    return ms[a], ms[b]


def _lsh_candidates(sigs: np.ndarray) -> np.ndarray:
    """Pairs ``(j, i)``, ``j < i``, of rows of ``sigs`` equal on at least one band, as an
    ``(n, 2)`` int64 array in ascending order.

    The candidates banded MinHash LSH gives (datasketch's ``MinHashLSH`` with these bands;
    except inside a bucket bigger than ``BIG_BUCKET``), computed by sorting each band
    instead of holding a dict of buckets per band (those took about 20 kB an article, 2 GB at 100,000), and
    held as one int64 code a pair (a set of tuples took 200 bytes a pair)."""
    n = len(sigs)
    acc = np.zeros(0, dtype=np.int64)
    for band in range(_BANDS):
        # A band's two 32-bit values as one uint64 key (hashing void keys took 3.6 s a band
        # at 100,000 articles; sorting integers takes 10 ms).
        keys = (sigs[:, band * _ROWS] << np.uint64(32)) | sigs[:, band * _ROWS + 1]
        order = np.argsort(keys, kind="stable")  # by bucket, members ascending
        sk = keys[order]
        starts = np.flatnonzero(np.concatenate(([True], sk[1:] != sk[:-1])))
        sizes = np.diff(np.append(starts, n))
        codes = []
        for lo, m in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
            left, right = _bucket_pairs(order[lo : lo + m])
            codes.append(left * n + right)
        if codes:
            # sort and drop repeats: np.union1d hashes, 3.6 s a band at 4 million pairs
            acc = distinct(np.concatenate([acc, *codes]))
    return np.stack([acc // n, acc % n], axis=1) if len(acc) else np.zeros((0, 2), dtype=np.int64)


class _Joins:
    """Union-find over article positions (path halving); ``union`` says whether it joined."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[rb] = ra
        return True


Pairs = dict[tuple[int, int], tuple[str, dict[str, Any]]]


def _signature_agreement(sigs: np.ndarray, pairs: np.ndarray, step: int = 262144) -> np.ndarray:
    """For each pair of rows, the share of signature values that agree (an estimate of
    the pair's Jaccard), computed a slice of pairs at a time."""
    out = np.zeros(len(pairs), dtype=np.float32)
    for lo in range(0, len(pairs), step):
        p = pairs[lo : lo + step]
        out[lo : lo + len(p)] = (sigs[p[:, 0]] == sigs[p[:, 1]]).mean(axis=1)
    return out


def _intersection_size(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted arrays of distinct values share (a binary search per value
    of the shorter one; intersect1d concatenates and sorts both)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    pos = np.searchsorted(b, a)
    pos[pos == len(b)] = 0
    return int(np.count_nonzero(b[pos] == a))


def _rows(arr: np.ndarray, step: int = 65536) -> Iterator[Any]:
    """The rows of ``arr`` as Python values (a pair: a list of two ints), a slice at a
    time: 4 million pairs as Python lists at once are 400 MB."""
    for lo in range(0, len(arr), step):
        yield from arr[lo : lo + step].tolist()


def _copy_pairs(articles: list[Article]) -> Pairs:
    """The duplicate and rewrite pairs that join articles into families, with their figures.

    Candidates are compared in ascending order, and a pair whose articles are already one
    duplicate family is not compared again; nor, when their sizes rule out a duplicate,
    is a pair already in one rewrite family.  So each family is found along a spanning
    tree of its pairs, not all of them: 77 copies of one story cost 76 comparisons, not
    2,926.  A duplicate family has the members it would have from all its pairs (in
    practice: the agreement test misses a true duplicate about once in ten million), and
    so does the union of all families; a rewrite link between two articles already in one
    duplicate family is not reported."""
    words = _WordHashes()
    sh = [shingle_hashes(_content(a), words=words) for a in articles]
    del words
    live = [i for i, h in enumerate(sh) if len(h)]
    sigs = np.zeros((len(live), _BANDS * _ROWS), dtype=np.uint64)
    for r, i in enumerate(live):
        sigs[r] = _signature(sh[i])
    size = [len(h) for h in sh]
    dup, rew = _Joins(len(articles)), _Joins(len(articles))
    out: Pairs = {}
    cands = _lsh_candidates(sigs)
    est = _signature_agreement(sigs, cands)
    for (a, b), agree in zip(_rows(cands), _rows(est), strict=True):
        j, i = live[a], live[b]
        if dup.find(i) == dup.find(j):
            continue
        small, big = sorted((size[i], size[j]))
        # A Jaccard of 0.9 needs sizes within 0.9 of each other, and MinHash agreement far
        # above DUP_AGREEMENT_MIN (56 values agree ~50 times at 0.9; under 40 is 5 standard
        # deviations off).  Otherwise a pair already in one rewrite family adds nothing.
        can_be_duplicate = small >= DUPLICATE_JACCARD * big and agree >= DUP_AGREEMENT_MIN
        if not can_be_duplicate and rew.find(i) == rew.find(j):
            continue
        inter = _intersection_size(sh[i], sh[j])
        jac = inter / (size[i] + size[j] - inter)
        cont = inter / small
        ev = {"jaccard": round(jac, 3), "containment": round(cont, 3)}
        if jac >= DUPLICATE_JACCARD:
            dup.union(j, i)
            out[(j, i)] = ("duplicate", ev)
        elif cont >= REWRITE_CONTAINMENT and rew.union(j, i):
            out[(j, i)] = ("rewrite", ev)
    return out


def _order_score(matches: list[int]) -> float:
    """Share of matched positions in the longest increasing run (1.0 = same order)."""
    if not matches:
        return 0.0
    tails: list[int] = []
    for x in matches:
        k = bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    return len(tails) / len(matches)


def align(a_vecs: np.ndarray, b_vecs: np.ndarray, min_cos: float) -> dict[str, float]:
    """Sentence alignment figures of two articles (rows: L2-normalised sentence vectors).

    ``coverage``: share of the shorter article's sentences whose best match in the other
    has cosine ≥ ``min_cos`` and is mutual; ``order``: share of those matches in order;
    ``mean_cos``: mean cosine of the matches.
    """
    if len(a_vecs) > len(b_vecs):
        a_vecs, b_vecs = b_vecs, a_vecs
    if len(a_vecs) == 0:
        return {"coverage": 0.0, "order": 0.0, "mean_cos": 0.0}
    S = a_vecs @ b_vecs.T
    best_b = S.argmax(axis=1)
    best_a = S.argmax(axis=0)
    matched = [(i, int(j)) for i, j in enumerate(best_b) if S[i, j] >= min_cos and best_a[j] == i]
    coverage = len(matched) / len(a_vecs)
    cos = float(np.mean([S[i, j] for i, j in matched])) if matched else 0.0
    return {"coverage": round(coverage, 3), "order": round(_order_score([j for _, j in matched]), 3),
            "mean_cos": round(cos, 3)}  # fmt: skip


def _language(a: Article) -> str:
    if a.language:
        return a.language.split("-")[0].lower()
    import py3langid

    return str(py3langid.classify(_content(a)[:2000])[0])


_TEXTS_PER_CALL = 20_000


def _translation_pairs(articles: list[Article], cache: EmbeddingCache | None, copies: Pairs) -> Pairs:
    """The translation pairs that join articles not already joined as copies (``copies``),
    compared along a spanning tree as in ``_copy_pairs``."""
    import faiss

    n = len(articles)
    if n < 2:
        return {}
    docs = embed_articles(articles, cache=cache)
    index = faiss.IndexHNSWFlat(docs.shape[1], 32, faiss.METRIC_INNER_PRODUCT) if n > 2000 else (
        faiss.IndexFlatIP(docs.shape[1]))  # fmt: skip
    index.add(np.ascontiguousarray(docs))
    sims, nbrs = index.search(np.ascontiguousarray(docs), min(TRANSLATION_NEIGHBOURS + 1, n))
    cands = sorted({(min(i, int(j)), max(i, int(j))) for i in range(n) for s, j in zip(sims[i], nbrs[i], strict=True)
                    if j >= 0 and j != i and s >= DOC_COS_MIN})  # fmt: skip
    joined = _Joins(n)
    for i, j in copies:
        joined.union(i, j)
    cands = [(i, j) for i, j in cands if joined.find(i) != joined.find(j)]
    langs = {i: _language(articles[i]) for i in sorted({x for pair in cands for x in pair})}
    # Same-language pairs must be near-identical in gist before the (costly) alignment.
    cands = [(i, j) for i, j in cands
             if langs[i] != langs[j] or float(docs[i] @ docs[j]) >= DOC_COS_MIN_SAME]  # fmt: skip
    if not cands:
        return {}
    involved = sorted({x for pair in cands for x in pair})
    # Each distinct sentence is encoded and held once, and an article is the row numbers of
    # its sentences: copies and rewrites share most sentences, and one array per article
    # held the same vectors many times over (3 GB for 100,000 perturbed copies).  Encoding
    # many articles' sentences per call also lets the encoder use every core.
    row: dict[str, int] = {}
    rows: dict[int, np.ndarray] = {}
    for i in involved:
        a = articles[i]
        idx = [row.setdefault(a.text[s:e], len(row)) for s, e in article_sentences(a, limit=MAX_SENTENCES)]
        rows[i] = np.asarray(idx, dtype=np.int64)
    texts = list(row)  # in row order
    del row
    mat = np.zeros((len(texts), DIM), dtype=np.float32)
    for lo in range(0, len(texts), _TEXTS_PER_CALL):
        mat[lo : lo + _TEXTS_PER_CALL] = embed_texts(texts[lo : lo + _TEXTS_PER_CALL], cache=cache)
    del texts

    def sent_vecs(i: int) -> np.ndarray:
        return mat[rows[i]]

    out: Pairs = {}
    for i, j in cands:
        if joined.find(i) == joined.find(j):
            continue
        vi, vj = sent_vecs(i), sent_vecs(j)
        if min(len(vi), len(vj)) < MIN_SENTENCES:
            continue
        cross = langs[i] != langs[j]
        fig = align(vi, vj, ALIGN_COS_CROSS if cross else ALIGN_COS_SAME)
        if fig["coverage"] >= MIN_COVERAGE and fig["order"] >= MIN_ORDER:
            out[(i, j)] = ("translation", {**fig, "languages": [langs[i], langs[j]]})
            joined.union(i, j)
    return out


def find_families(articles: list[Article], *, cache: EmbeddingCache | None = None) -> list[Family]:
    """Families among ``articles``; an article pair gets at most one relation (the strongest).

    Deterministic and independent of input order (articles are sorted by id first).
    """
    arts = sorted({a.id: a for a in articles}.values(), key=lambda a: a.id)
    pairs = _copy_pairs(arts)
    pairs.update(_translation_pairs(arts, cache, pairs))
    families: list[Family] = []
    for relation in _RELATION_ORDER:
        edges = {(min(p), max(p)): ev for p, (rel, ev) in pairs.items() if rel == relation}
        root = _components(len(arts), list(edges))
        groups: dict[int, list[int]] = {}
        for i, j in edges:
            groups.setdefault(root[i], [])
            groups.setdefault(root[j], [])
        for x in range(len(arts)):
            if root[x] in groups:
                groups[root[x]].append(x)
        # each family's pairs, in pair order (one pass over the edges, not one per family)
        evidence: dict[int, dict[str, Any]] = {}
        for (i, j), e in sorted(edges.items()):
            evidence.setdefault(root[i], {})[f"{arts[i].id}|{arts[j].id}"] = e
        for r, members in groups.items():
            ids = sorted(arts[m].id for m in members)
            ev = evidence[r]
            families.append(Family(id=content_id(relation, *ids, prefix="f"), relation=relation, articles=ids,
                                   evidence={"pairs": ev}))  # fmt: skip
    families.sort(key=lambda f: (_RELATION_ORDER.index(f.relation), f.id))
    return families


def _components(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """The component root of each of ``n`` nodes."""
    joins = _Joins(n)
    for i, j in edges:
        joins.union(i, j)
    return [joins.find(x) for x in range(n)]


def independent_sources(article_ids: list[str], families: list[Family]) -> int:
    """How many independent sources ``article_ids`` are once each family counts once."""
    ids = list(dict.fromkeys(article_ids))
    parent = {a: a for a in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for fam in families:
        present = [a for a in fam.articles if a in parent]
        for a in present[1:]:
            parent[find(a)] = find(present[0])
    return len({find(a) for a in ids})
