"""Worker processes: forked from a server that has the models loaded; tasks tapered at the end."""

from __future__ import annotations

import sys

from newsprism.stages.document import DocumentWorkers, tapered_chunks


def _preloaded(_: int) -> tuple[bool, int]:
    from newsprism.stages.nlp import load_nlp

    # The fork server imported the preload module, and the pipeline came with the fork.
    return "newsprism.worker_preload" in sys.modules, load_nlp.cache_info().currsize


def test_document_workers_start_with_the_model_loaded() -> None:
    with DocumentWorkers(2) as workers:
        workers.start(nice=0)
        assert workers.started
        got = workers.pool.map(_preloaded, range(2), chunksize=1)
    assert got == [(True, 1), (True, 1)]
    assert workers.pool is None  # closed on leaving


def test_tapered_chunks_keep_order_and_shrink_towards_the_end() -> None:
    items = list(range(200))
    chunks = tapered_chunks(items, 8, 2)  # type: ignore[arg-type]
    assert [x for c in chunks for x in c] == items
    sizes = [len(c) for c in chunks]
    assert sizes[0] == 8 and sizes == sorted(sizes, reverse=True)
    assert sizes[-4:] == [1, 1, 1, 1]
    assert tapered_chunks([], 8, 2) == []  # type: ignore[arg-type]


def _double(x: int) -> int:
    return 2 * x


def test_the_encoder_pool_is_lent_while_it_runs() -> None:
    from newsprism.corpus import embeddings
    from newsprism.workers import lent_pool

    embeddings.set_encoder_processes(2)
    try:
        assert lent_pool() is None
        embeddings.start_encoders()
        pool = lent_pool()
        assert pool is not None and pool.map(_double, [1, 2]) == [2, 4]
    finally:
        embeddings.set_encoder_processes(1)  # ends them
    assert lent_pool() is None
