"""Graph pieces of story clustering: candidate pairs (ANN) and average-linkage agglomeration.

Both agglomerations implement the same rule: repeatedly merge the two clusters with the
highest *average* pairwise similarity while it is at least ``level``.  The dense one scores
every pair (scipy); the sparse one only the candidate pairs, counting absent pairs as 0,
which is the same thing when absent pairs are truly unrelated.  Ties are broken by the
smallest member index, so given inputs sorted by id the result depends only on the set.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

import numpy as np

from newsprism.corpus.sorted_ints import distinct

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix


def _groups(labels: np.ndarray) -> list[list[int]]:
    by: dict[int, list[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        by.setdefault(int(lab), []).append(i)
    return sorted(by.values(), key=lambda g: g[0])


def average_linkage_dense(S: np.ndarray, level: float) -> list[list[int]]:
    """Clusters (lists of row indices) of the symmetric similarity matrix ``S``."""
    n = len(S)
    if n == 1:
        return [[0]]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    cap = float(max(S.max(), level)) + 1.0
    D = cap - S
    np.fill_diagonal(D, 0.0)
    Z = linkage(squareform((D + D.T) / 2, checks=False), method="average")
    return _groups(fcluster(Z, cap - level, criterion="distance"))


def average_linkage_sparse(n: int, rows: np.ndarray, cols: np.ndarray, sims: np.ndarray,
                           level: float) -> list[list[int]]:  # fmt: skip
    """Average linkage over a sparse similarity graph (absent pairs = 0) → clusters.

    Each cluster keeps the summed similarity to each neighbouring cluster; a merge adds
    the two sums, so the cost is proportional to the edges touched, not to n².
    """
    link: list[dict[int, float]] = [{} for _ in range(n)]
    for i, j, s in zip(rows.tolist(), cols.tolist(), sims.tolist(), strict=True):
        if i != j and s > 0:
            link[i][j] = link[j][i] = max(link[i].get(j, 0.0), s)
    size = [1] * n
    members: list[list[int] | None] = [[i] for i in range(n)]
    version = [0] * n
    heap: list[tuple[float, int, int, int, int]] = []

    def push(a: int, b: int) -> None:
        avg = link[a][b] / (size[a] * size[b])
        if avg >= level:
            lo, hi = min(a, b), max(a, b)
            heapq.heappush(heap, (-avg, lo, hi, version[lo], version[hi]))

    for a in range(n):
        for b in link[a]:
            if a < b:
                push(a, b)
    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if members[a] is None or members[b] is None or version[a] != va or version[b] != vb:
            continue
        # Merge b into a (a is the smaller index, so labels stay order-independent).
        for c, w in link[b].items():
            if c == a:
                continue
            link[a][c] = link[a].get(c, 0.0) + w
            link[c].pop(b, None)
            link[c][a] = link[a][c]
        link[a].pop(b, None)
        link[b] = {}
        size[a] += size[b]
        ma, mb = members[a], members[b]
        assert ma is not None and mb is not None
        ma.extend(mb)
        members[b] = None
        version[a] += 1
        for c in link[a]:
            push(a, c)
    return sorted((sorted(m) for m in members if m is not None), key=lambda g: g[0])


def candidate_pairs(emb: np.ndarray, tfidf: csr_matrix, k: int, rare_df: int = 50,
                    top_terms: int = 8) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Candidate pairs (i < j) for large corpora, never all pairs.

    * the ``k`` nearest neighbours of each article by document vector (faiss HNSW), and
    * articles sharing one of their ``top_terms`` heaviest TF-IDF terms, when that term
      occurs in at most ``rare_df`` articles (names, places: what a story shares).
    """
    import faiss

    n = len(emb)
    index = faiss.IndexHNSWFlat(emb.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    index.hnsw.efSearch = max(64, 2 * k)
    x = np.ascontiguousarray(emb, dtype=np.float32)
    index.add(x)
    _, nbrs = index.search(x, min(k + 1, n))
    # Pairs are coded i * n + j (i < j) in int64 arrays: a Python set of tuples costs about
    # 100 bytes a pair, and 100,000 articles have millions of candidate pairs.
    src = np.repeat(np.arange(n, dtype=np.int64), nbrs.shape[1])
    dst = nbrs.ravel().astype(np.int64)
    ok = (dst >= 0) & (dst != src)
    codes = [np.minimum(src[ok], dst[ok]) * n + np.maximum(src[ok], dst[ok])]
    X = tfidf.tocsr()
    postings: dict[int, list[int]] = {}
    for i in range(n):
        lo, hi = X.indptr[i], X.indptr[i + 1]
        terms, weights = X.indices[lo:hi], X.data[lo:hi]
        for t in terms[np.argsort(-weights, kind="stable")[:top_terms]].tolist():
            postings.setdefault(t, []).append(i)
    for docs in postings.values():
        if 1 < len(docs) <= rare_df:
            d = np.array(docs, dtype=np.int64)  # ascending: articles were visited in order
            a, b = np.triu_indices(len(d), 1)
            codes.append(d[a] * n + d[b])
    pairs = distinct(np.concatenate(codes))  # sorted by (i, j), as the linkage expects
    return pairs // n, pairs % n
