"""Exact cosine nearest neighbours of every row among all rows.

What quote groups and claim alignment ask of their candidate search: for each of ``n``
vectors, the ``k`` most similar of the same ``n`` (itself included).  It is done in blocked
matrix products over the upper triangle of the (symmetric) similarity matrix, each block
feeding a faiss top-k heap per row both ways, on one thread: the caller's other work and
the encoder processes have the other cores.  A flat faiss index did twice the products;
scikit-learn's ``NearestNeighbors`` did them in float64 with validation around it, at twice
the CPU again, and importing it cost the run a second and a half (measured).

Ties are broken by the lower row index, so the neighbours are a function of the vectors
alone, whatever order the rows came in (``tests/test_knn.py`` holds the search to that).
"""

from __future__ import annotations

from typing import Any

import numpy as np

_TIE_BLOCK = 256  # tied rows whose similarities are one matrix product
_BLOCK = 1024  # rows and columns of one block of the similarity matrix


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
    """``cosine_neighbours`` of unit rows, searched as they are.

    The similarity matrix is symmetric, so it is computed a block at a time on and above
    the diagonal only: each block is one matrix product that feeds both its rows' and
    (transposed) its columns' top-k heaps, half the arithmetic of searching every row
    against every row (a flat faiss index did that: 16.6–18.9 s for 34,000 quotes, this 10.6 s)."""
    import faiss

    n = len(unit)
    # One more than asked: a value tied with the k-th just outside the k shows as the
    # (k+1)-th, and those rows are settled by a full sort in ``settle_ties``.
    kk = min(k + 1, n)
    sims = np.empty((n, kk), dtype=np.float32)
    idx = np.empty((n, kk), dtype=np.int64)
    # A min-heap per row keeps the row's largest values.  (Any: faiss's stub gives ``addn``
    # two parameters; its SWIG wrapper, which runs, takes the offsets used here.)
    heaps: Any = faiss.float_minheap_array_t()
    heaps.k, heaps.nh = kk, n
    heaps.val, heaps.ids = faiss.swig_ptr(sims), faiss.swig_ptr(idx)
    heaps.heapify()
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        for a in range(0, n, _BLOCK):
            rows = unit[a : a + _BLOCK]
            for b in range(a, n, _BLOCK):
                block = rows @ unit[b : b + _BLOCK].T
                heaps.addn(block.shape[1], faiss.swig_ptr(block), b, a, block.shape[0])
                if b != a:
                    _add_columns(heaps, block, sims, a, b)
    finally:
        faiss.omp_set_num_threads(threads)
    heaps.reorder()
    return settle_ties(unit, sims, idx, k)


def _add_columns(heaps: Any, block: np.ndarray, sims: np.ndarray, a: int, b: int) -> None:
    """Offer column ``j`` of ``block`` (rows ``a…``, columns ``b…``) to row ``b + j``'s heap.

    A heap takes only a value above its smallest (``sims[row, 0]``, the heap's top), so once
    the heaps hold a block's worth of values, few entries of a column qualify: those are
    gathered and offered, padded to one width, instead of transposing the whole block (a
    strided copy that cost as much as half the products)."""
    import faiss

    cols = block.shape[1]
    hit = block > sims[b : b + cols, 0]
    if np.count_nonzero(hit) > block.size // 8:  # young heaps: nearly everything qualifies
        flipped = np.ascontiguousarray(block.T)
        heaps.addn(block.shape[0], faiss.swig_ptr(flipped), a, b, cols)
        return
    flat = np.flatnonzero(hit)  # a tenth of np.nonzero's time on a 2-d mask
    if not len(flat):
        return
    cand, heap = np.divmod(flat, cols)
    by_heap = np.argsort(heap, kind="stable")  # each heap's values in row order, as addn offers them
    cand, heap = cand[by_heap], heap[by_heap]
    taken, first, counts = np.unique(heap, return_index=True, return_counts=True)
    width = int(counts.max())
    line = np.repeat(np.arange(len(taken)), counts)
    slot = np.arange(len(heap)) - np.repeat(first, counts)
    vals = np.full((len(taken), width), -np.inf, dtype=np.float32)  # padding no heap takes
    ids = np.zeros((len(taken), width), dtype=np.int64)
    vals[line, slot] = block[cand, heap]
    ids[line, slot] = a + cand
    heap_rows = np.ascontiguousarray(b + taken, dtype=np.int64)
    heaps.addn_query_subset_with_ids(len(taken), faiss.swig_ptr(heap_rows), width, faiss.swig_ptr(vals),
                                     faiss.swig_ptr(ids), width)  # fmt: skip


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
