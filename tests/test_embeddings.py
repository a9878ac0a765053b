"""The sentence encoder gives the same vectors in worker processes as in this one."""

from __future__ import annotations

import numpy as np
import pytest

from newsprism.corpus import embeddings as emb


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
