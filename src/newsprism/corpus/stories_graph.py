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

    Two clusters merge only when their average similarity reaches ``level``, so some
    pair between them must reach it: every cluster lies inside one connected component
    of the graph of pairs at or above ``level``.  Each component is therefore clustered
    on its own, with only its inner pairs, which gives exactly the clusters of one run
    over the whole graph while holding one component's pairs at a time (the per-pair
    dictionaries below cost about 170 bytes a pair; 100,000 articles have 3 million).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rows, cols, sims = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(sims)
    keep = (rows != cols) & (sims > 0)
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    strong = sims >= level
    graph = coo_matrix((np.ones(int(strong.sum()), dtype=np.int8), (rows[strong], cols[strong])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    inner = comp[rows] == comp[cols]
    rows, cols, sims = rows[inner], cols[inner], sims[inner]
    order = np.argsort(comp[rows], kind="stable")  # keeps the (i, j) order inside a component
    rows, cols, sims = rows[order], cols[order], sims[order]
    edge_comp = comp[rows]
    # Nodes grouped by component, ascending inside each: local index order = global order,
    # so the tie-breaks below (smallest index first) are the same as over the whole graph.
    nodes = np.argsort(comp, kind="stable")
    node_comp = comp[nodes]
    bounds = np.flatnonzero(np.diff(node_comp)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [n]))
    clusters: list[list[int]] = []
    local = np.zeros(n, dtype=np.int64)  # global -> local index, rewritten per component
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        members = nodes[lo:hi]
        if len(members) == 1:
            clusters.append([int(members[0])])
            continue
        c = int(node_comp[lo])
        e0, e1 = np.searchsorted(edge_comp, [c, c + 1])
        local[members] = np.arange(len(members))
        for g in _linkage(len(members), local[rows[e0:e1]], local[cols[e0:e1]], sims[e0:e1], level):
            clusters.append([int(members[i]) for i in g])
    return sorted((sorted(g) for g in clusters), key=lambda g: g[0])


def _linkage(n: int, rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, level: float) -> list[list[int]]:
    """Average linkage of one component (local indices; pairs with i != j and s > 0).

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
    del index  # its copy of the vectors and its graph (about 240 MB at 100,000) are done with
    # Pairs are coded i * n + j (i < j) in int64 arrays: a Python set of tuples costs about
    # 100 bytes a pair, and 100,000 articles have millions of candidate pairs.
    src = np.repeat(np.arange(n, dtype=np.int64), nbrs.shape[1])
    dst = nbrs.ravel().astype(np.int64)
    ok = (dst >= 0) & (dst != src)
    codes = [np.minimum(src[ok], dst[ok]) * n + np.maximum(src[ok], dst[ok])]
    del src, dst, ok, nbrs
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
