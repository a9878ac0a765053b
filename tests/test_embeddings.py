"""The sentence encoder gives the same vectors in worker processes as in this one."""

from __future__ import annotations

import numpy as np
import pytest

from newsprism.corpus import embeddings as emb
from newsprism.workers import lent_pool


def test_encoder_pool_gives_the_same_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"Sentence number {i} says that the minister met {i % 7} envoys in Prague." for i in range(300)]
    texts += ["", "   ", "Kyiv", "Київ"]
    serial = emb.embed_texts(texts)
    monkeypatch.setattr(emb, "PARALLEL_MIN", 1)
    emb.set_encoder_processes(2)
    try:
        pooled = emb.embed_texts(texts, batch_size=16)
        again = emb.embed_texts(texts)  # the pool is kept between calls
    finally:
        emb.set_encoder_processes(1)
    assert emb._ENCODERS["pool"] is None  # shut down when set back to one process
    assert np.array_equal(again, serial)
    # Different batches may differ in the last float bits; the same batches never do.
    assert np.allclose(pooled, serial, atol=1e-6)
    assert not serial[300].any() and not serial[301].any()  # empty texts: zero vectors


def test_prefetch_encodes_ahead_in_the_pool_and_a_read_waits_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"The envoy number {i} arrived in Chisinau on day {i % 5} of the talks." for i in range(600)]
    assert len(texts) >= emb.PARALLEL_MIN
    serial = emb.embed_texts(texts)
    one = emb.SharedCache()
    one.prefetch(texts)  # one encoder process: nothing to hand out, nothing pending
    assert not one._pending
    emb.set_encoder_processes(2)
    try:
        small = emb.SharedCache()
        small.prefetch(texts[:10])  # too few to start the encoder processes for
        assert not small._pending and emb._ENCODERS["pool"] is None and lent_pool() is None
        cache = emb.SharedCache()
        cache.prefetch(texts + texts[:10] + [""])  # repeats and empty texts are not queued twice
        assert len(cache._pending) == len(texts)

        real_encode = emb._encode

        def encoded_again(texts: list[str], batch_size: int) -> np.ndarray:
            assert not texts, "a prefetched text was encoded a second time"
            return real_encode(texts, batch_size)

        monkeypatch.setattr(emb, "_encode", encoded_again)
        got = emb.embed_texts(texts, cache=cache)
        assert not cache._pending
        cache.prefetch(texts)  # all known now: nothing is queued
        assert not cache._pending
    finally:
        emb.set_encoder_processes(1)
    assert np.allclose(got, serial, atol=1e-6)
