"""Worker processes: forked from a server that has the models loaded; tasks tapered at the end."""

from __future__ import annotations

import sys
from pathlib import Path

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


def _tagged(x: int) -> tuple[int, int]:
    """``x`` doubled, and the process that did it (slowly enough that both sides get work)."""
    import os
    import time

    time.sleep(0.002)
    return 2 * x, os.getpid()


def test_shared_map_keeps_order_with_the_pool_joining_late() -> None:
    """The pool is not up for the first chunks, then it is: every item is done once, in
    order, some here and some in the workers; with no pool at all, all here."""
    import os

    from newsprism.workers import shared_map

    items = list(range(400))
    assert [y for y, _ in shared_map(_tagged, items, lambda: None, chunk=7)] == [2 * x for x in items]
    with DocumentWorkers(2) as workers:
        workers.start(nice=0)
        pool = workers.pool  # up from here on
        asked = []

        def late() -> object:
            asked.append(1)
            return pool if len(asked) > 3 else None

        got = shared_map(_tagged, items, late, chunk=7)
    assert [y for y, _ in got] == [2 * x for x in items]
    where = [pid for _, pid in got]
    assert where[:28] == [os.getpid()] * 28  # the first four chunks, before the pool was there
    assert any(pid != os.getpid() for pid in where)


def test_ingest_labels_the_same_with_the_workers_helping(tmp_path: Path) -> None:
    from newsprism.config import Config
    from newsprism.pipeline import ingest
    from newsprism.store.db import Store
    from test_ingest import ARTICLE

    for i in range(60):
        (tmp_path / f"a{i:02d}.txt").write_text(ARTICLE.replace("Prague", f"Prague {i}") + "Photo: Agency/Someone\n")
    names = [str(tmp_path / f"a{i:02d}.txt") for i in range(60)]
    with Store(tmp_path / "alone.db") as store:
        alone = [a.to_json() for a in ingest(names, store, Config()).articles]
    with DocumentWorkers(2) as workers, Store(tmp_path / "shared.db") as store:
        workers.start(nice=0)
        assert workers.pool is not None
        shared = [a.to_json() for a in ingest(names, store, Config(), label_map=workers.share).articles]
    assert shared == alone and len(alone) == 60
