"""Exact cosine neighbours: the brute-force answer, ties to the lower index, in any block size."""

from __future__ import annotations

import numpy as np

from newsprism.corpus import knn


def _brute(vecs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    unit = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-30)
    unit[np.linalg.norm(vecs, axis=1) == 0] = 0.0
    sims = (unit @ unit.T).astype(np.float32)
    order = np.array([sorted(range(len(vecs)), key=lambda j: (-sims[i, j], j))[:k] for i in range(len(vecs))])
    return np.take_along_axis(sims, order, axis=1), order


def test_neighbours_match_brute_force_with_ties() -> None:
    rng = np.random.default_rng(7)
    base = rng.normal(size=(12, 8)).astype(np.float32)
    # Exact duplicates (equal cosines: ties, some across the k-th place) and a zero row.
    vecs = np.vstack([base, base[:4], base[4:6], base[4:6], np.zeros((1, 8), np.float32)])
    for k in (1, 3, 5, len(vecs), len(vecs) + 4):
        sims, idx = knn.cosine_neighbours(vecs, k)
        want_sims, want_idx = _brute(vecs, min(k, len(vecs)))
        assert np.array_equal(idx, want_idx), k
        assert np.allclose(sims, want_sims, atol=1e-6)


def test_order_of_rows_does_not_change_who_is_a_neighbour() -> None:
    rng = np.random.default_rng(3)
    vecs = np.repeat(rng.normal(size=(5, 4)).astype(np.float32), 4, axis=0)  # every vector 4 times
    _, idx = knn.cosine_neighbours(vecs, 2)
    # Each row's neighbours are the two lowest-numbered copies of its vector.
    assert [row.tolist() for row in idx] == [[4 * (i // 4), 4 * (i // 4) + 1] for i in range(20)]


def test_empty_input() -> None:
    sims, idx = knn.cosine_neighbours(np.zeros((0, 4), np.float32), 3)
    assert sims.shape == (0, 0) and idx.shape == (0, 0)


def test_a_tie_across_the_kth_place_goes_to_the_lower_index() -> None:
    # Rows 1, 2 and 3 are the same vector; a search that returned rows 0, 3 and 2 for row 0
    # (k = 2, one extra) left the equal row 1 out.
    unit = np.array([[1.0, 0.0], [0.6, 0.8], [0.6, 0.8], [0.6, 0.8]], np.float32)
    sims = np.array([[1.0, 0.6, 0.6]], np.float32)
    idx = np.array([[0, 3, 2]])
    got_sims, got_idx = knn.settle_ties(unit, sims, idx, 2)
    assert got_idx.tolist() == [[0, 1]] and np.allclose(got_sims, [[1.0, 0.6]])


def test_many_tied_rows_settled_in_blocks_match_brute_force() -> None:
    """More distinct tied vectors than one block of the tie-settling product holds: every
    vector carried by six rows, so each row's fifth and sixth neighbours tie."""
    rng = np.random.default_rng(11)
    vecs = np.repeat(rng.normal(size=(knn._TIE_BLOCK + 40, 6)).astype(np.float32), 6, axis=0)
    vecs = vecs[rng.permutation(len(vecs))]
    sims, idx = knn.cosine_neighbours(vecs, 5)
    want_sims, want_idx = _brute(vecs, 5)
    assert np.array_equal(idx, want_idx)
    assert np.allclose(sims, want_sims, atol=1e-6)


def test_several_blocks_of_the_symmetric_search_match_brute_force() -> None:
    """More rows than two blocks of the similarity matrix: rows get values from blocks below
    the diagonal (transposed, whole while their heaps are young, gathered once they are
    not), and copies of a vector still tie to the lower row."""
    rng = np.random.default_rng(5)
    base = rng.normal(size=(int(knn._BLOCK * 2.4), 16))
    vecs = np.vstack([base, base[:50]]).astype(np.float32)
    k = 6
    sims, idx = knn.cosine_neighbours(vecs, k)
    unit = vecs.astype(np.float64) / np.linalg.norm(vecs, axis=1, keepdims=True)
    full = unit @ unit.T
    want_idx = np.argsort(-full, axis=1, kind="stable")[:, :k]
    assert np.array_equal(idx, want_idx)
    assert np.allclose(sims, np.take_along_axis(full, want_idx, axis=1), atol=1e-5)
