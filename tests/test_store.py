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


def _analysis(tag: str, ids: list[str]) -> dict:
    """A small analysis over articles ``ids``: one story, its claim and sections, a quote and
    an entity mention per article (values marked with ``tag``)."""
    story = f"s-{tag}"
    return {
        "articles": [{"id": i} for i in ids],
        "stories": [{"id": story, "title": f"Story {tag}", "articles": ids, "independent_sources": len(ids)}],
        "families": [{"id": f"f-{tag}", "relation": "copy", "articles": ids}],
        "entities": [{"id": f"e-{tag}", "name": f"Name {tag}", "type": "PERSON", "aliases": [tag], "roles": [],
                      "mentions": [{"article": i, "start": 0, "end": 4} for i in ids]}],
        "quotes": [{"id": f"q-{tag}-{i}", "article": i, "start": 5, "end": 9, "type": "direct",
                    "speaker": {"name": f"Name {tag}", "entity": f"e-{tag}"}, "group": f"g-{tag}", "altered": False,
                    "confidence": 0.5} for i in ids],
        "claims": [{"id": f"c-{tag}", "story": story, "text": f"claim {tag}", "status": "corroborated",
                    "independent_sources": len(ids), "support": []}],
        "timeline": [{"story": story, "date": "2024-05-30", "tag": tag}],
        "framing": [{"story": story, "outlet": "X", "tag": tag}],
        "summaries": [{"story": story, "sentences": [], "tag": tag}],
    }  # fmt: skip


def test_saved_analysis_replaces_what_touched_its_articles(db_path: Path) -> None:
    """A second analysis over some of the same articles replaces the stories (with their
    claims and sections), quotes and mentions that touched them; the rest stays, families
    included (a pair judged copies stays so until an analysis holds both articles again)."""
    from newsprism.store.results import AnalysisStore

    first = _analysis("one", ["a1", "a2"])
    other = _analysis("other", ["a9"])
    second = _analysis("two", ["a2", "a3"])
    with Store(db_path) as store:
        results = AnalysisStore(store)
        results.save(first)
        results.save(other)
        results.save(second)
        results.save(second)  # saving the same analysis again changes nothing
        for data in (second, other):
            got = results.load([a["id"] for a in data["articles"]])
            for section in ("stories", "claims", "quotes", "entities", "timeline", "framing", "summaries"):
                assert got[section] == data[section], section
        assert [f["id"] for f in results.load(["a2", "a3"])["families"]] == ["f-one", "f-two"]
        # a1's story went with a2's; its own quote and mention stay.
        left = results.load(["a1"])
        assert left["stories"] == [] and left["claims"] == [] and left["timeline"] == []
        assert [q["id"] for q in left["quotes"]] == ["q-one-a1"]
        assert [e["id"] for e in left["entities"]] == ["e-one"]
        everything = results.load()
        assert [s["id"] for s in everything["stories"]] == ["s-other", "s-two"]
