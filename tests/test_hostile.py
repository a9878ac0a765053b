"""Hostile input at scale: nothing crashes or hangs, every input is stored or rejected."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile import write_corpus
from newsprism.config import Config
from newsprism.ingest.reader import read_source
from newsprism.ingest.sources import Source
from newsprism.model import Article, Rejected
from newsprism.pipeline import ingest
from newsprism.store.db import Store

N_INPUTS = int(os.environ.get("NEWSPRISM_FUZZ_N", "10000"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), ext=st.sampled_from(["txt", "html", "json", "jsonl", "xml", "gz", "rss", ""]))
def test_any_bytes_become_drafts_or_rejections(tmp_path: Path, data: bytes, ext: str) -> None:
    p = tmp_path / (f"x.{ext}" if ext else "x")
    p.write_bytes(data)
    results = list(read_source(Source(name=str(p), path=p), Config()))
    assert results, "every input yields something"
    for r in results:
        if isinstance(r, Rejected):
            assert r.code and r.reason and r.source_path.startswith(str(p))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=2000))
def test_any_text_keeps_offsets_valid(tmp_path: Path, text: str) -> None:
    from newsprism.ingest import ingest_all

    p = tmp_path / "t.txt"
    p.write_bytes(text.encode("utf-8", "surrogatepass"))
    arts, rej = ingest_all([str(p)])
    assert len(arts) + len(rej) == 1
    for a in arts:
        for s in a.segments:
            assert 0 <= s.start < s.end <= len(a.text)
            assert a.text[s.start : s.end].strip() == a.text[s.start : s.end]


def test_ten_thousand_hostile_inputs(tmp_path: Path) -> None:
    written = write_corpus(tmp_path / "pile", N_INPUTS, seed=20261122)
    db = tmp_path / "fuzz.db"
    started = time.monotonic()
    with Store(db) as store:
        report = ingest([str(tmp_path / "pile")], store, Config(db_path=db))
    elapsed = time.monotonic() - started
    assert elapsed < 600, f"ingest took {elapsed:.0f}s"
    # Everything read is accounted for: articles in = stored + duplicates + rejected.
    assert report.read == len(report.articles) + report.duplicates + len(report.rejected)
    with sqlite3.connect(db) as c:
        stored = c.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        rejected = c.execute("SELECT COUNT(*) FROM rejected").fetchone()[0]
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert stored == len(report.articles)
    assert rejected == len({(r.source_path, r.code, r.reason) for r in report.rejected})
    # Every input file shows up as at least one article or rejection.
    def file_of(source_path: str) -> Path:
        return Path(source_path.split("#entry")[0].rsplit(":", 1)[0].split("[")[0])

    seen = {file_of(a.source_path) for a in report.articles} | {file_of(r.source_path) for r in report.rejected}
    missing = [w for w in written if w.path not in seen]
    assert not missing, missing[:5]
    # The good ones are all stored, and so is every good record inside a JSONL file.
    good_files = {w.path for w in written if w.kind in ("good_txt", "encoding", "long_line")}
    assert not good_files & {Path(r.source_path) for r in report.rejected}
    jsonl_good = sum(w.good_articles for w in written if w.kind == "jsonl")
    jsonl_stored = sum(1 for a in report.articles if ".jsonl:" in a.source_path)
    assert jsonl_stored == jsonl_good
    # Special cases are rejected with the right reason.
    by_name = {Path(r.source_path).name: r.code for r in report.rejected}
    assert by_name["bomb.txt.gz"] == "gzip_bomb"
    assert by_name["huge.txt"] == "too_large"
    assert by_name["pipe.txt"] == "unsupported"
    assert by_name["empty.txt"] == "empty"
    assert all(isinstance(a, Article) and a.text for a in report.articles)


@pytest.mark.parametrize("depth", [100_000])
def test_deeply_nested_html_does_not_crash(tmp_path: Path, depth: int) -> None:
    from newsprism.ingest import ingest_all

    p = tmp_path / "deep.html"
    p.write_text("<html><body>" + "<div>" * depth + "A sentence that is deep down." + "</div>" * depth)
    arts, rej = ingest_all([str(p)])
    assert len(arts) + len(rej) == 1
