"""The SQLite store: migrations, idempotent inserts, FTS, caches — on a real file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from newsprism.errors import NewsprismError
from newsprism.model import Article, Rejected, Segment
from newsprism.store.db import Store, _migrations


def _article(i: int) -> Article:
    text = f"Headline {i}\nBody sentence number {i} mentions Prague and ministers.\nPhoto: Agency/Someone"
    return Article(
        id=f"a{i:04d}", source_path=f"/x/{i}.txt", text=text, outlet="Example", published="2024-05-30",
        segments=[Segment(0, len(f"Headline {i}"), "headline"),
                  Segment(text.index("Body"), text.index("\nPhoto"), "body"),
                  Segment(text.index("Photo"), len(text), "credit")],
    )  # fmt: skip


def test_migrations_apply_once_and_record_version(db_path: Path) -> None:
    with Store(db_path) as s:
        assert s.schema_version == _migrations()[-1][0]
    with Store(db_path) as s:  # reopening applies nothing twice
        assert s.schema_version == _migrations()[-1][0]
    with sqlite3.connect(db_path) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused(db_path: Path) -> None:
    Store(db_path).close()
    with sqlite3.connect(db_path) as c:
        c.execute("PRAGMA user_version = 999")
    with pytest.raises(NewsprismError, match="newer than this newsprism"):
        Store(db_path)


def test_articles_roundtrip_and_idempotent(db_path: Path) -> None:
    with Store(db_path) as s:
        assert s.add_articles([_article(1), _article(2)]) == 2
        assert s.add_articles([_article(1), _article(2), _article(3)]) == 1
        assert s.count("articles") == 3
        got = s.get_article("a0002")
        assert got is not None and got.to_json() == _article(2).to_json()
        assert [a.id for a in s.get_articles(["a0003", "zzz", "a0001"])] == ["a0003", "a0001"]
        assert s.get_article("a000") is None  # too short a prefix to be trusted
        assert s.add_rejected([Rejected("/x/bad", "empty", "nothing")]) == 1
        assert s.add_rejected([Rejected("/x/bad", "empty", "nothing")]) == 0


def test_fts_searches_prose_not_boilerplate(db_path: Path) -> None:
    with Store(db_path) as s:
        s.add_articles([_article(1)])
        assert [h["article_id"] for h in s.search("prague ministers")] == ["a0001"]
        assert s.search("Agency") == []  # the credit line is boilerplate: not indexed
        assert s.search('"; DROP TABLE articles; --') == []  # words only, no FTS syntax
        assert s.count("articles") == 1


def test_embedding_and_doc_caches(db_path: Path) -> None:
    v = np.arange(4, dtype=np.float32) / 3
    with Store(db_path) as s:
        s.put_many({"k1": v})
        got = s.get_many(["k1", "k2"])
        assert list(got) == ["k1"] and np.array_equal(got["k1"], v)
        s.put_doc_results("quotes", "1", {"a1": [{"x": 1}]})
        assert s.get_doc_results("quotes", "1", ["a1", "a2"]) == {"a1": [{"x": 1}]}
        assert s.get_doc_results("quotes", "2", ["a1"]) == {}


def test_runs_left_by_a_dead_process_are_marked_interrupted(db_path: Path) -> None:
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid now names no process
    with Store(db_path) as store:
        killed = store.start_run("analyze", "0", {})
        mine = store.start_run("analyze", "0", {})
        store.conn.execute("UPDATE runs SET pid = ? WHERE id = ?", (gone.pid, killed))
        store.conn.commit()
        later = store.start_run("ingest", "0", {})
        status = dict(store.conn.execute("SELECT id, status FROM runs").fetchall())
    # The dead process's run is interrupted; this live process's unfinished run is left alone.
    assert status == {killed: "interrupted", mine: "running", later: "running"}
