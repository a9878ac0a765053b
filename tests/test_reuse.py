"""Re-runs do only the work that changed: document stages per article, corpus stages as a whole.

Real SQLite files and the real pipeline over the bundled example.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EXAMPLE
from newsprism.config import Config
from newsprism.ingest import ingest_all
from newsprism.pipeline import analyze
from newsprism.stages.document import run_documents
from newsprism.store.db import Store


def _run(db: Path, config: Config, names: list[str]) -> tuple[dict[str, object], dict[str, float]]:
    with Store(db) as store:
        analysis, _ = analyze(names, store, config)
        return analysis.to_json(), analysis.timings


def _corpus_rows(db: Path) -> int:
    with Store(db) as store:
        return int(store.conn.execute("SELECT COUNT(*) FROM doc_cache WHERE stage = 'corpus'").fetchone()[0])


def test_unchanged_input_reuses_the_corpus_results_exactly(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    config = Config(db_path=db)
    first, t1 = _run(db, config, [str(EXAMPLE)])
    assert "reused_analysis" not in t1 and "claims" in t1
    again, t2 = _run(db, config, [str(EXAMPLE)])
    assert t2.get("reused_analysis") == 1.0 and "claims" not in t2 and "document_stages" not in t2
    assert json.dumps(again, sort_keys=True) == json.dumps(first, sort_keys=True)

    # --recompute: every corpus stage runs again, and gives the same answer.
    config.reuse_analysis = False
    fresh, t3 = _run(db, config, [str(EXAMPLE)])
    assert "reused_analysis" not in t3 and "claims" in t3
    assert json.dumps(fresh, sort_keys=True) == json.dumps(first, sort_keys=True)


def test_a_changed_input_or_alias_file_is_analysed_again(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    four = sorted(EXAMPLE.glob("*.txt"))[:4]
    assert len(four) == 4
    config = Config(db_path=db)
    _run(db, config, [str(EXAMPLE)])
    sub, t = _run(db, config, [str(p) for p in four])
    assert "reused_analysis" not in t
    assert len(sub["articles"]) == 4  # type: ignore[arg-type]
    assert _corpus_rows(db) == 1  # one entry kept, not one per distinct run

    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[[entity]]\nname = "Antony Blinken"\ntype = "PERSON"\naliases = ["Tarasil Blinken"]\n', encoding="utf-8")
    config.alias_file = aliases
    _, t = _run(db, config, [str(p) for p in four])
    assert "reused_analysis" not in t


def test_document_stages_give_the_same_results_in_worker_processes() -> None:
    articles, rejected = ingest_all([str(EXAMPLE)])
    assert len(articles) == 5 and not rejected
    serial = run_documents(articles, None, n_process=1)
    # Two spawned workers, three tasks: the pool path even on five articles.
    pooled = run_documents(articles, None, n_process=2, min_parallel=1, chunk=2)
    assert list(pooled) == [a.id for a in articles]
    for a in articles:
        assert pooled[a.id].to_json() == serial[a.id].to_json()
        assert serial[a.id].quotes and serial[a.id].entities


def test_workers_start_ahead_only_for_articles_the_cache_lacks(tmp_path: Path) -> None:
    from newsprism.stages.document import STAGE, STAGE_VERSION, DocumentWorkers

    articles, _ = ingest_all([str(EXAMPLE)])
    with Store(tmp_path / "w.db") as store:
        store.put_doc_results(STAGE, STAGE_VERSION, {a.id: {"cached": True} for a in articles[:3]})
        with DocumentWorkers(2) as workers:
            saw = workers.watch(store, threshold=2)
            for a in articles[:3]:  # cached: never a reason to start
                saw(a.id)
            saw(articles[3].id)
            assert workers.pool is None
            saw(articles[4].id)  # the second one the cache lacks
            assert workers.pool is not None
            # The started workers do the parsing, with the same results as this process.
            pooled = run_documents(articles[3:], None, n_process=2, workers=workers, chunk=1)
            serial = run_documents(articles[3:], None, n_process=1)
            assert {k: v.to_json() for k, v in pooled.items()} == {k: v.to_json() for k, v in serial.items()}
        assert workers.pool is None  # closed on leaving
        with DocumentWorkers(1) as one:
            saw = one.watch(store, threshold=1)
            saw(articles[4].id)
            assert one.pool is None  # one process: nothing to start


def test_ids_announced_while_reading_are_the_ids_articles_get(tmp_path: Path) -> None:
    from newsprism.ingest import ingest_iter

    records = [
        {"text": "Ministers met in Prague on Thursday.\n\nThey agreed on aid.", "url": "https://www.example.com/a"},
        {"text": "Ministers met in Prague on Friday.\n\nThey agreed on more aid.", "outlet": "Example News"},
        # No URL or outlet: the outlet is inferred from the text itself.
        {"text": "Ministers met in Prague again.\n\nThey agreed on everything.\n\nAdvertise with The Western Journal"},
        {"text": "Nothing says where this came from.\n\nIt is still an article."},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    announced: list[str] = []
    got = list(ingest_iter([str(path)], Config(db_path=tmp_path / "x.db"), on_read=announced.append))
    assert [a.id for a in got] == announced
    assert any(a.inferred.get("outlet") for a in got)  # the inferred-outlet case is covered
