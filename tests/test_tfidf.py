"""Our TF-IDF against scikit-learn's vectorizer, in the configuration stories use: same bits."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from newsprism.corpus import stories, tfidf
from newsprism.corpus.tfidf import Tfidf, english_stop_words


def _sklearn(docs: list[str]):  # type: ignore[no-untyped-def]
    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english", token_pattern=None,
                          tokenizer=stories._TOKEN.findall, lowercase=True, dtype=np.float32)  # fmt: skip
    return vec, vec.fit_transform(docs).tocsr()


def _random_docs(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(3000)] + ["The", "and", "Kyiv", "Kiev", "Müller", "naïve", "über", "of"]
    docs = []
    for _ in range(n):
        length = rng.choice([0, 1, 5, 40, 400, 6000])
        docs.append(" ".join(rng.choice(words) for _ in range(length)))
    return docs


def test_stop_words_are_scikit_learns() -> None:
    assert english_stop_words() == ENGLISH_STOP_WORDS


@pytest.mark.parametrize(("seed", "rows_per_block"), [(1, 4096), (2, 7), (3, 1)])
def test_same_matrix_as_scikit_learn_bit_for_bit(seed: int, rows_per_block: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(tfidf, "_ROWS_PER_BLOCK", rows_per_block)  # blocks end anywhere, empty rows too
    # Empty documents, stop-word-only ones, one with thousands of distinct terms (long row
    # sums), repeated terms (sublinear tf), accented capitals (lowercasing).
    docs = [*_random_docs(seed, 60), "", "the and of", "Über ÜBER über naïve", "Kyiv said Kiev"]
    vec, expected = _sklearn(docs)
    mine = Tfidf(stories._TOKEN.findall, english_stop_words())
    got = mine.fit_transform(iter(docs))  # a generator is read once
    assert mine.vocabulary_ == vec.vocabulary_
    assert mine.idf_.dtype == vec.idf_.dtype and np.array_equal(mine.idf_, vec.idf_)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)
    analyze = vec.build_analyzer()
    assert all(mine.build_analyzer()(d) == analyze(d) for d in docs)


def test_no_terms_at_all_gives_a_matrix_without_columns() -> None:
    got = Tfidf(stories._TOKEN.findall, english_stop_words()).fit_transform(["the and", ""])
    assert got.shape == (2, 0)


def test_summary_fallback_vectors_are_scikit_learns() -> None:
    from newsprism.corpus import summary

    texts = ["Troops crossed the river at dawn.", "The river was crossed by troops, officials said.", "", "the of and"]
    expected = TfidfVectorizer(sublinear_tf=True, stop_words=list(summary._STOP),
                               token_pattern=r"(?u)\b\w\w+\b").fit_transform(texts).toarray()  # fmt: skip
    assert np.array_equal(summary.tfidf_vectors(texts), np.asarray(expected, dtype=np.float32))
    assert summary.tfidf_vectors(["the", ""]).shape == (2, 1)
