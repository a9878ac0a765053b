"""TF-IDF rows, computed as scikit-learn's ``TfidfVectorizer`` computes them, without importing it.

Importing scikit-learn's text module costs 1.4 CPU-seconds in every process that does it
(measured), more than stories spend on the vectors themselves for a few hundred articles.
:class:`Tfidf` gives the same matrix, bit for bit, for the one configuration newsprism
uses: lowercase, a token function, a stop-word set, sublinear term frequency, smoothed
IDF, rows scaled to unit length (``tests/test_tfidf.py`` compares it with scikit-learn).

The English stop-word list is scikit-learn's own, read from its data module without
importing the package (:func:`english_stop_words`).
"""

from __future__ import annotations

import importlib.util
from array import array
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix


@lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (``ENGLISH_STOP_WORDS``), 318 of them.

    The list is a literal in ``sklearn/feature_extraction/_stop_words.py``; that file is
    executed on its own (it imports nothing), so no process pays for importing the package.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("scikit-learn is not installed (newsprism reads its English stop-word list)")
    path = Path(next(iter(spec.submodule_search_locations))) / "feature_extraction" / "_stop_words.py"
    namespace: dict[str, object] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # a data file: one literal
    words = namespace.get("ENGLISH_STOP_WORDS")
    if not isinstance(words, frozenset):
        raise ImportError(f"{path} no longer defines ENGLISH_STOP_WORDS as a frozenset")
    return words


class Tfidf:
    """Fit a vocabulary and IDF on documents; rows are L2-normalised sublinear TF-IDF.

    Same attributes as the scikit-learn vectorizer it replaces: ``vocabulary_`` (term ->
    column, columns in sorted term order), ``idf_`` and ``build_analyzer()``.
    """

    def __init__(self, tokenize: Callable[[str], list[str]], stop_words: frozenset[str],
                 dtype: type = np.float32) -> None:  # fmt: skip
        self._tokenize = tokenize
        self._stop = stop_words
        self.dtype = dtype
        self.vocabulary_: dict[str, int] = {}
        self.idf_: np.ndarray = np.zeros(0, dtype=dtype)

    def build_analyzer(self) -> Callable[[str], list[str]]:
        """``doc -> terms``: lowercased, tokenised, stop words dropped, in text order."""
        tokenize, stop = self._tokenize, self._stop

        def analyze(doc: str) -> list[str]:
            return [w for w in tokenize(doc.lower()) if w not in stop]

        return analyze

    def fit_transform(self, docs: Iterable[str]) -> csr_matrix:
        """The TF-IDF rows of ``docs`` (read once, so a generator is fine); fits the vocabulary.

        Where no document has a term, the matrix has no columns (scikit-learn raises).
        Memory: the nonzeros are gathered in compact int32 arrays, and the weights are
        computed ``_ROWS_PER_BLOCK`` rows at a time, so 100,000 articles (30 million
        nonzeros) need little more than the finished matrix."""
        from scipy.sparse import csr_matrix

        analyze = self.build_analyzer()
        first_seen: dict[str, int] = {}
        indices = array("i")
        counts = array("i")
        indptr = array("q", [0])
        for doc in docs:
            row: dict[int, int] = {}
            for term in analyze(doc):
                t = first_seen.setdefault(term, len(first_seen))
                row[t] = row.get(t, 0) + 1
            # Within a row, terms in the order they were first seen in the corpus: the
            # order in which scikit-learn sums a row, so the norms agree to the last bit.
            keys = sorted(row)
            indices.extend(keys)
            counts.extend([row[t] for t in keys])
            indptr.append(len(indices))
        terms = sorted(first_seen)
        rank = np.empty(len(terms), dtype=np.int32)
        for new, term in enumerate(terms):
            rank[first_seen[term]] = new
        del first_seen
        self.vocabulary_ = {term: i for i, term in enumerate(terms)}
        cols = rank[np.frombuffer(indices, dtype=np.int32)] if len(indices) else np.zeros(0, np.int32)
        del indices
        data: np.ndarray = np.frombuffer(counts, dtype=np.int32).astype(self.dtype) if len(counts) else (
            np.zeros(0, self.dtype))  # fmt: skip
        del counts
        # Smoothed IDF in the matrix's precision: log((n + 1) / (df + 1)) + 1.
        df: np.ndarray = np.bincount(cols, minlength=len(terms)).astype(self.dtype)
        df += 1.0
        idf: np.ndarray = np.full_like(df, fill_value=len(indptr), dtype=self.dtype)  # n documents + 1
        idf /= df
        np.log(idf, out=idf)
        idf += 1.0
        self.idf_ = idf
        ptr = np.frombuffer(indptr, dtype=np.int64).astype(np.int32 if len(data) < 2**31 else np.int64)
        n_rows = len(ptr) - 1
        for r0 in range(0, n_rows, _ROWS_PER_BLOCK):
            r1 = min(r0 + _ROWS_PER_BLOCK, n_rows)
            lo, hi = int(ptr[r0]), int(ptr[r1])
            block = data[lo:hi]  # a view: weighted and normalised in place
            np.log(block, out=block)
            block += 1.0
            block *= idf[cols[lo:hi]]
            _normalise_rows(block, ptr[r0 : r1 + 1] - lo)
        return csr_matrix((data, cols.astype(ptr.dtype, copy=False), ptr), shape=(n_rows, len(terms)))


# Rows weighted and normalised at a time: bounds the float64 temporaries of a block.
_ROWS_PER_BLOCK = 4096


def _normalise_rows(data: np.ndarray, indptr: np.ndarray) -> None:
    """Scale each CSR row to unit length in place; an all-zero row stays zero.

    As scikit-learn's ``inplace_csr_row_normalize_l2`` does it: each square in the data's
    own precision, summed left to right in float64, each value divided in float64 by the
    square root and rounded back.  (Every other order differs in the last bit.)"""
    wide = data.astype(np.float64)
    squares = (data * data).astype(np.float64)
    # A trailing 0 lets ``reduceat`` take an index one past the end (rows that are empty at
    # the end); empty rows are zeroed below, whatever ``reduceat`` put there.
    sums = np.add.reduceat(np.append(squares, 0.0), indptr[:-1]) if len(indptr) > 1 else np.zeros(0)
    lengths = np.diff(indptr)
    norms = np.sqrt(np.where(lengths > 0, sums, 0.0))
    norms[norms == 0.0] = 1.0
    data[:] = wide / np.repeat(norms, lengths)
