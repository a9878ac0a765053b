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
