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
figures of every pair that joined it.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from newsprism.corpus.embeddings import DIM, EmbeddingCache, article_sentences, embed_articles, embed_texts
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
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def shingle_hashes(text: str, k: int = SHINGLE) -> np.ndarray:
    """``shingles(text)`` as sorted distinct CRC-32 values (uint64): 8 bytes a shingle
    instead of a Python string, so 100,000 articles' shingles fit in memory, and set
    sizes and intersections come from numpy.  Two shingles share a value about once in
    four billion pairs: the Jaccard figures are exact in practice."""
    hv = np.fromiter((zlib.crc32(x.encode("utf-8")) for x in shingles(text, k)), dtype=np.uint64)
    return np.unique(hv)


# MinHash permutations h → (a·h + b) mod p, fixed so every run builds the same signatures
_PRIME = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_rng = np.random.RandomState(1)
_PERM_A = _rng.randint(1, int(_PRIME), size=NUM_PERM, dtype=np.uint64)
_PERM_B = _rng.randint(0, int(_PRIME), size=NUM_PERM, dtype=np.uint64)


# Banding of the signatures: datasketch's optimum for LSH_THRESHOLD and NUM_PERM (28 bands
# of 2 rows); a pair is a candidate when any band of its two signatures is equal.
_BANDS, _ROWS = 28, 2


def _signature(hv: np.ndarray) -> np.ndarray:
    """The MinHash values of a shingle-hash set that the bands read, vectorised (uint64
    arithmetic wraps, as datasketch's own does)."""
    k = _BANDS * _ROWS
    with np.errstate(over="ignore"):
        return (((hv[:, None] * _PERM_A[:k] + _PERM_B[:k]) % _PRIME) & _MAX_HASH).min(axis=0)


def _lsh_candidates(sigs: np.ndarray) -> set[tuple[int, int]]:
    """Pairs ``(j, i)``, ``j < i``, of rows of ``sigs`` equal on at least one band.

    The same candidates as datasketch's ``MinHashLSH`` with these bands, computed by
    sorting each band instead of holding a dict of buckets per band: those took about
    20 kB an article (2 GB at 100,000)."""
    out: set[tuple[int, int]] = set()
    for band in range(_BANDS):
        cols = np.ascontiguousarray(sigs[:, band * _ROWS : (band + 1) * _ROWS])
        keys = cols.view(np.dtype((np.void, cols.dtype.itemsize * _ROWS))).ravel()
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        shared = counts[inverse.ravel()] > 1
        if not shared.any():
            continue
        idx = np.flatnonzero(shared)
        order = idx[np.argsort(inverse.ravel()[idx], kind="stable")]
        bucket = inverse.ravel()[order]
        cuts = np.flatnonzero(np.diff(bucket)) + 1
        for members in np.split(order, cuts):
            ms = sorted(members.tolist())
            out.update((ms[a], ms[b]) for a in range(len(ms)) for b in range(a + 1, len(ms)))
    return out


def _copy_pairs(articles: list[Article]) -> dict[tuple[int, int], tuple[str, dict[str, Any]]]:
    sh = [shingle_hashes(_content(a)) for a in articles]
    live = [i for i, h in enumerate(sh) if len(h)]
    sigs = np.zeros((len(live), _BANDS * _ROWS), dtype=np.uint64)
    for r, i in enumerate(live):
        sigs[r] = _signature(sh[i])
    out: dict[tuple[int, int], tuple[str, dict[str, Any]]] = {}
    for a, b in sorted(_lsh_candidates(sigs)):
        j, i = live[a], live[b]
        inter = len(np.intersect1d(sh[i], sh[j], assume_unique=True))
        jac = inter / (len(sh[i]) + len(sh[j]) - inter)
        cont = inter / min(len(sh[i]), len(sh[j]))
        ev = {"jaccard": round(jac, 3), "containment": round(cont, 3)}
        if jac >= DUPLICATE_JACCARD:
            out[(j, i)] = ("duplicate", ev)
        elif cont >= REWRITE_CONTAINMENT:
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


def _translation_pairs(articles: list[Article], cache: EmbeddingCache | None,
                       taken: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, dict[str, Any]]]:  # fmt: skip
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
                    if j >= 0 and j != i and s >= DOC_COS_MIN} - taken)  # fmt: skip
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
        idx = [row.setdefault(a.text[s:e], len(row)) for s, e in article_sentences(a)[:MAX_SENTENCES]]
        rows[i] = np.asarray(idx, dtype=np.int64)
    texts = list(row)  # in row order
    del row
    mat = np.zeros((len(texts), DIM), dtype=np.float32)
    for lo in range(0, len(texts), _TEXTS_PER_CALL):
        mat[lo : lo + _TEXTS_PER_CALL] = embed_texts(texts[lo : lo + _TEXTS_PER_CALL], cache=cache)
    del texts

    def sent_vecs(i: int) -> np.ndarray:
        return mat[rows[i]]

    out: dict[tuple[int, int], tuple[str, dict[str, Any]]] = {}
    for i, j in cands:
        vi, vj = sent_vecs(i), sent_vecs(j)
        if min(len(vi), len(vj)) < MIN_SENTENCES:
            continue
        cross = langs[i] != langs[j]
        fig = align(vi, vj, ALIGN_COS_CROSS if cross else ALIGN_COS_SAME)
        if fig["coverage"] >= MIN_COVERAGE and fig["order"] >= MIN_ORDER:
            out[(i, j)] = ("translation", {**fig, "languages": [langs[i], langs[j]]})
    return out


def find_families(articles: list[Article], *, cache: EmbeddingCache | None = None) -> list[Family]:
    """Families among ``articles``; an article pair gets at most one relation (the strongest).

    Deterministic and independent of input order (articles are sorted by id first).
    """
    arts = sorted({a.id: a for a in articles}.values(), key=lambda a: a.id)
    pairs = _copy_pairs(arts)
    pairs.update(_translation_pairs(arts, cache, {(min(p), max(p)) for p in pairs}))
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
    """Union-find: the component root of each of ``n`` nodes."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        parent[find(i)] = find(j)
    return [find(x) for x in range(n)]


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
