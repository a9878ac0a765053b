"""Exact cosine nearest neighbours of every row among all rows.

What quote groups and claim alignment ask of their candidate search: for each of ``n``
vectors, the ``k`` most similar of the same ``n`` (itself included).  A flat inner-product
index (faiss, already the stories' index) does it in blocked matrix products with a heap
per row, on one thread: the caller's other work and the encoder processes have the other
cores.  scikit-learn's ``NearestNeighbors`` did the same work in float64 with validation
around it, at twice the CPU, and importing it cost the run a second and a half (measured).

Ties are broken by the lower row index, so the neighbours are a function of the vectors
alone, whatever order the rows came in (``tests/test_knn.py`` holds the search to that).
"""

from __future__ import annotations

import numpy as np

_TIE_BLOCK = 256  # tied rows whose similarities are one matrix product


def cosine_neighbours(vecs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``(similarity, index)``, each ``(n, k)``: row ``i``'s ``k`` most cosine-similar rows,
    most similar first, ties to the lower index.  A zero row is similar (0.0) to everything.
    ``k`` is clipped to ``n``.

    Rows that carry the same vector (a quote or sentence several outlets print word for
    word) are searched once: the search runs over the distinct vectors, and each one's
    neighbours are expanded to the rows that carry them, which all get the one similarity
    computed for it (so ties among copies go to the lower row, as they must)."""
    m = np.asarray(vecs, dtype=np.float32)
    n = m.shape[0]
    k = min(k, n)
    if n == 0 or k <= 0:
        return np.zeros((n, 0), np.float32), np.zeros((n, 0), np.int64)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    unit = np.ascontiguousarray(m / np.where(norms > 0, norms, 1.0), dtype=np.float32)
    first, of_row = _distinct(unit)
    if len(first) == n:
        return _search(unit, k)
    distinct = unit[first]
    dsims, didx = _search(distinct, min(k, len(first)))
    by_vec = np.argsort(of_row, kind="stable")
    bounds = np.searchsorted(of_row[by_vec], np.arange(len(first) + 1))
    members = [by_vec[bounds[v] : bounds[v + 1]] for v in range(len(first))]
    counts = np.diff(bounds)
    sims = np.empty((n, k), dtype=np.float32)
    idx = np.empty((n, k), dtype=np.int64)
    for v in range(len(first)):
        near = didx[v]
        rows = np.concatenate([members[u] for u in near.tolist()])
        row_sims = np.repeat(dsims[v], counts[near])
        order = np.lexsort((rows, -row_sims))[:k]
        sims[members[v]] = row_sims[order]
        idx[members[v]] = rows[order]
    return sims, idx


def _distinct(unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(first, of_row)``: the first row of each distinct vector, ascending, and each row's
    vector number (its position in ``first``)."""
    keys = np.ascontiguousarray(unit).view(np.dtype((np.void, unit.shape[1] * unit.itemsize))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return np.sort(first), rank[inverse.ravel()]


def _search(unit: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``cosine_neighbours`` of unit rows, searched as they are."""
    import faiss

    n = len(unit)
    index = faiss.IndexFlatIP(unit.shape[1])
    index.add(unit)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        # One more than asked: a value tied with the k-th just outside the k shows as the
        # (k+1)-th, and those rows are settled by a full sort below.
        sims, idx = index.search(unit, min(k + 1, n))
    finally:
        faiss.omp_set_num_threads(threads)
    return settle_ties(unit, sims, idx, k)


def settle_ties(unit: np.ndarray, sims: np.ndarray, idx: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``k`` of each row's candidates ``(sims, idx)`` (``k`` or ``k + 1`` of them, as
    a search returned them), ordered by (-similarity, index).  A row whose ``k``-th value
    equals its ``(k+1)``-th may have left a lower-numbered equal outside: it is redone with
    a full sort against every row of ``unit``, so ties always go to the lower index."""
    n = len(unit)
    rows = np.arange(len(idx))[:, None]
    order = np.lexsort((idx, -sims), axis=1)
    sims, idx = sims[rows, order], idx[rows, order]
    if idx.shape[1] <= k:
        return sims, idx
    tied = np.flatnonzero(sims[:, k] == sims[:, k - 1])
    sims, idx = sims[:, :k].copy(), idx[:, :k].copy()
    # Tied rows are common: a sentence or quote that several outlets carry word for word
    # has several identical vectors, so more than k rows share its top value.  Identical
    # vectors have the same answer, worked out once; and only the values at least the
    # row's k-th largest are sorted.
    if not len(tied):
        return sims, idx
    # The tied rows' full rows of similarities, against each *distinct* vector once and
    # expanded to the rows that carry it: copies of one vector get one value, so their tie
    # survives (a product may round the same dot product differently by its column), and
    # the products run as matrix blocks, not one matrix-vector product per row (which, on
    # 34,000 quotes of 1,320 articles, took 36 s).
    first, inverse = _distinct(unit)
    distinct = unit[first]
    wanted = np.unique(inverse[tied])  # distinct vectors of the tied rows, each worked out once
    answer: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for lo in range(0, len(wanted), _TIE_BLOCK):
        block = wanted[lo : lo + _TIE_BLOCK]
        products = distinct[block] @ distinct.T
        for v, against in zip(block.tolist(), products, strict=True):
            row = against[inverse]
            top = np.flatnonzero(row >= np.partition(row, n - k)[n - k])
            best = top[np.lexsort((top, -row[top]))[:k]]
            answer[v] = (best, row[best])
    for r in tied.tolist():
        idx[r], sims[r] = answer[int(inverse[r])]
    return sims, idx
