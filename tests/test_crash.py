"""Crash safety: SIGKILL a real ``newsprism analyze`` at random points; the SQLite file survives.

Each kill is aimed at a phase (ingest or analysis) and lands after a seeded random delay from
the moment that phase is seen to start in the database; afterwards the file must pass
``PRAGMA integrity_check`` and hold no half-written article.  A final run then completes and
stores every distinct input exactly once, and another run stores nothing new.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import run_cli
from hostile import article_text

N_ARTICLES = 30  # distinct inputs; two more files are byte-for-byte copies
SEED = 20261202
# (phase the kill aims at, range of the random delay in seconds after that phase starts)
KILLS = [("ingest", (0.0, 0.05)), ("analysis", (0.2, 3.0)), ("ingest", (0.0, 0.05)),
         ("analysis", (1.0, 6.0)), ("analysis", (0.0, 1.0)), ("analysis", (2.0, 9.0)),
         ("analysis", (5.0, 14.0)), ("analysis", (5.0, 14.0))]  # fmt: skip
TIME_BUDGET = 150.0  # seconds for the whole test


def _write_corpus(folder: Path, rng: random.Random) -> int:
    folder.mkdir()
    texts = set()
    for i in range(N_ARTICLES):
        text = f"Report {i}: " + article_text(rng)
        texts.add(text)
        (folder / f"article_{i:03d}.txt").write_text(text, encoding="utf-8")
    shutil.copy(folder / "article_000.txt", folder / "copy_of_000.txt")
    shutil.copy(folder / "article_007.txt", folder / "copy_of_007.txt")
    return len(texts)


def _query(db: Path, sql: str) -> list[tuple[object, ...]] | None:
    """Read from the file a running process writes, or None when it is not readable yet."""
    if not db.exists():
        return None
    try:
        c = sqlite3.connect(db, timeout=5)
        try:
            return list(c.execute(sql))
        finally:
            c.close()
    except sqlite3.Error:
        return None


def _check(db: Path, n_inputs: int) -> dict[str, object]:
    """The file after a kill: intact, and every stored article whole (row + its search row)."""
    if not db.exists():
        return {"integrity": "no file yet", "articles": 0}
    c = sqlite3.connect(db)  # read-write: opening recovers the WAL as SQLite does after a crash
    try:
        integrity = [r[0] for r in c.execute("PRAGMA integrity_check")]
        assert integrity == ["ok"], integrity
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles" not in tables:
            return {"integrity": "ok", "articles": 0}
        assert not list(c.execute("PRAGMA foreign_key_check"))
        articles = int(c.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
        fts = c.execute("SELECT COUNT(*) FROM article_fts").fetchone()[0]
        assert articles == fts, f"{articles} articles but {fts} search rows: a half-written article"
        assert articles <= n_inputs
        assert c.execute("SELECT COUNT(*) FROM articles WHERE text = '' OR segments = ''").fetchone()[0] == 0
    finally:
        c.close()
    return {"integrity": "ok", "articles": articles}


def _kill_once(db: Path, corpus: Path, out: Path, aim: str, delay: float, deadline: float) -> str:
    """Start ``analyze``, wait for the aimed phase, sleep ``delay``, SIGKILL; return the phase hit."""
    exe = Path(sys.executable).parent / "newsprism"
    before = _query(db, "SELECT COALESCE(MAX(id), 0) FROM runs")
    last_run = int(str(before[0][0])) if before else 0
    # --recompute: a run after a finished one must still do its analysis, or there is nothing to kill.
    proc = subprocess.Popen([str(exe), "analyze", str(corpus), "--db", str(db), "--out", str(out), "--quiet",
                             "--recompute"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})  # fmt: skip
    try:
        # Ingest has begun once this run's row exists; analysis once ingest has finished the run.
        want = "running" if aim == "ingest" else "analysing"
        while time.monotonic() < deadline and proc.poll() is None:
            rows = _query(db, f"SELECT status FROM runs WHERE id > {last_run}")
            if rows and rows[0][0] in (want, "ok"):
                break
            time.sleep(0.005)
        time.sleep(delay)
        if proc.poll() is not None:
            return "finished"  # it completed before the kill: not counted as a kill
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    rows = _query(db, f"SELECT status FROM runs WHERE id > {last_run}")
    if not rows:
        return "startup"
    if rows[0][0] == "ok":
        return "after-save"  # killed while writing the report: the run's results were already saved
    return "ingest" if rows[0][0] == "running" else "analysis"


def test_sigkill_never_corrupts_and_rerun_completes(tmp_path: Path) -> None:
    started = time.monotonic()
    deadline = started + TIME_BUDGET
    rng = random.Random(SEED)
    corpus = tmp_path / "corpus"
    n_inputs = _write_corpus(corpus, rng)
    db = tmp_path / "crash.db"
    out = tmp_path / "out"

    kills: list[dict[str, object]] = []
    for aim, (lo, hi) in KILLS:
        delay = rng.uniform(lo, hi)
        hit = _kill_once(db, corpus, out, aim, delay, deadline)
        state = _check(db, n_inputs)
        kills.append({"aim": aim, "delay_s": round(delay, 3), "hit": hit, **state,
                      "at_s": round(time.monotonic() - started, 1)})  # fmt: skip
        print(f"kill {len(kills)}: aimed at {aim}, delay {delay:.2f}s, hit {hit}, integrity {state['integrity']}, "
              f"{state['articles']} articles stored")  # fmt: skip
    hits = [k["hit"] for k in kills if k["hit"] != "finished"]
    assert len(hits) >= 5, kills
    assert "ingest" in hits and "analysis" in hits, kills

    res = run_cli("analyze", str(corpus), "--db", str(db), "--out", str(out), "--quiet", timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads((out / "analysis.json").read_text(encoding="utf-8"))["schema_version"] == 1
    final = _check(db, n_inputs)
    assert final["articles"] == n_inputs  # nothing lost, nothing stored twice (two inputs are copies)

    again = run_cli("analyze", str(corpus), "--db", str(db), "--out", str(out), timeout=120)
    assert again.returncode == 0, again.stderr
    assert "(0 new)" in again.stdout + again.stderr, again.stdout + again.stderr
    assert _check(db, n_inputs)["articles"] == n_inputs
    with sqlite3.connect(db) as c:
        ids = [r[0] for r in c.execute("SELECT id FROM articles")]
        assert len(ids) == len(set(ids))
        # Every killed run is marked as such; no run claims to be still going.
        status = dict(c.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())
    assert set(status) <= {"ok", "interrupted"}, status
    assert status.get("interrupted", 0) >= len([h for h in hits if h in ("ingest", "analysis")]), (status, hits)
    elapsed = time.monotonic() - started
    print(f"CRASH kills={len(hits)} phases={','.join(str(h) for h in hits)} integrity=ok "
          f"articles={final['articles']}/{n_inputs} elapsed_s={elapsed:.1f}")  # fmt: skip
    assert elapsed < TIME_BUDGET + 60, f"the crash test took {elapsed:.0f}s"
