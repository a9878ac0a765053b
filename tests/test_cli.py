"""End to end through the real console script, on a real SQLite file."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import EXAMPLE, run_cli

GOOD = (
    "Dockworkers end strike after pay deal\n"
    "Dockworkers at the port of Rotterdam ended a three-day strike on Tuesday after unions accepted a pay offer.\n"
    "“This is a fair deal for our members,” union leader Anna de Vries said in a statement.\n"
    "Shipping companies said they expected the backlog of containers to clear by the end of the week.\n"
)


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as c:
        return {t: c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("articles", "rejected")}


def test_bad_inputs_are_rejected_beside_good_ones(tmp_path: Path) -> None:
    d = tmp_path / "pile"
    d.mkdir()
    (d / "good1.txt").write_text(GOOD)
    (d / "good2.txt").write_text(GOOD.replace("Rotterdam", "Antwerp"))
    (d / "empty.txt").write_bytes(b"")
    (d / "blob.bin").write_bytes(bytes(range(256)) * 64)
    (d / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (d / "records.jsonl").write_text(json.dumps({"text": GOOD.replace("Tuesday", "Monday")}) + "\n{oops\n")
    (d / "cut.txt.gz").write_bytes(gzip.compress(GOOD.encode() * 20)[:100])
    with (d / "huge.txt").open("wb") as fh:  # 50 MB of real text
        line = b"A very long article that nobody should try to analyse in one piece. " * 100 + b"\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    db = tmp_path / "np.db"
    out = tmp_path / "out"
    res = run_cli("analyze", str(d), "--db", str(db), "--out", str(out))
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout
    data = json.loads((out / "analysis.json").read_text())
    rejected = {Path(r["source_path"]).name: r["code"] for r in data["rejected"]}
    assert rejected == {
        "empty.txt": "empty", "blob.bin": "binary", "photo.html": "binary", "records.jsonl:2": "bad_json",
        "cut.txt.gz": "bad_gzip", "huge.txt": "too_large",
    }  # fmt: skip
    assert all(r["reason"] for r in data["rejected"])
    for name in rejected:
        assert name.split(":")[0] in res.stderr  # each rejection is named to the user
    assert len(data["articles"]) == 3  # good1, good2 and the good JSONL record
    assert _counts(db) == {"articles": 3, "rejected": 6}  # in = stored + rejected

    # Running it again stores nothing new.
    again = run_cli("analyze", str(d), "--db", str(db), "--out", str(out))
    assert again.returncode == 3
    assert _counts(db) == {"articles": 3, "rejected": 6}


def test_example_end_to_end_and_rerun_is_a_noop(tmp_path: Path) -> None:
    ex = tmp_path / "example"
    shutil.copytree(EXAMPLE, ex)
    db = tmp_path / "np.db"
    out = tmp_path / "out"
    res = run_cli("analyze", str(ex), "--db", str(db), "--out", str(out))
    assert res.returncode == 0, res.stderr
    data = json.loads((out / "analysis.json").read_text())
    assert data["schema_version"] == 1
    assert len(data["articles"]) == 5 and data["rejected"] == []
    for a in data["articles"]:
        raw = (ex / Path(a["source_path"]).name).read_text(encoding="utf-8")
        assert a["text"] == raw.replace("\r\n", "\n")
        for s in a["segments"]:
            assert 0 <= s["start"] < s["end"] <= len(a["text"])
            assert a["text"][s["start"] : s["end"]].strip() == a["text"][s["start"] : s["end"]]
    for key in ("entities", "quotes", "families", "stories", "claims", "timeline", "framing", "summaries"):
        assert isinstance(data[key], list)
    html = (out / "report.html").read_text()
    assert "<script src" not in html and "http://" not in html.split("<body")[0]
    before = _counts(db)
    again = run_cli("analyze", str(ex), "--db", str(db), "--out", str(out), "--quiet")
    assert again.returncode == 0 and again.stderr == ""
    assert _counts(db) == before


def test_browse_search_show_and_exports(tmp_path: Path) -> None:
    db = tmp_path / "np.db"
    assert run_cli("ingest", str(EXAMPLE), "--db", str(db), "--quiet").returncode == 0
    listing = run_cli("articles", "--db", str(db), "--json")
    rows = [json.loads(x) for x in listing.stdout.splitlines()]
    assert len(rows) == 5
    hit = run_cli("search", "Lavrov desperation", "--db", str(db))
    assert hit.returncode == 0 and "[Lavrov]" in hit.stdout
    lav = hit.stdout.split()[0]
    shown = run_cli("show", lav[:8], "--db", str(db))
    assert shown.returncode == 0 and "Sergei Lavrov" in shown.stdout
    missing = run_cli("show", "nope", "--db", str(db))
    assert missing.returncode == 1 and "no article" in missing.stderr
    for fmt in ("csv", "jsonl", "parquet"):
        path = tmp_path / f"articles.{fmt}"
        res = run_cli("export", "--db", str(db), "--format", fmt, "--table", "articles", "--out", str(path))
        assert res.returncode == 0, res.stderr
        assert path.stat().st_size > 0
    assert pq.read_table(tmp_path / "articles.parquet").num_rows == 5
    assert len((tmp_path / "articles.jsonl").read_text().splitlines()) == 5
    res = run_cli("export", "--db", str(db), "--out", str(tmp_path / "all.json"))
    assert json.loads((tmp_path / "all.json").read_text())["schema_version"] == 1


@pytest.mark.parametrize("args", [["analyze"], ["export", "--format", "xml"], ["nosuchcommand"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    res = run_cli(*args)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr


def test_stdin_input(tmp_path: Path) -> None:
    db = tmp_path / "np.db"
    res = run_cli("ingest", "-", "--db", str(db), stdin=GOOD.encode())
    assert res.returncode == 0, res.stderr
    assert _counts(db)["articles"] == 1


def test_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "x.db"
    bogus.write_text("this is not sqlite " * 100)
    res = run_cli("articles", "--db", str(bogus))
    assert res.returncode == 1 and "not a newsprism database" in res.stderr


def test_eval_commands_reach_their_scorers(tmp_path: Path) -> None:
    # Our own held-out labelled lines ship with the package: this scorer always has data.
    res = run_cli("eval", "lines", "--json-only")
    assert res.returncode == 0, res.stderr
    figures = json.loads(res.stdout)
    assert figures["lines"] > 100 and 0.0 <= figures["boilerplate_vs_content"]["f1"] <= 1.0
    # Every scorer is listed, and a missing benchmark folder is a plain error, not a crash.
    listing = run_cli("eval", "--help").stdout
    for name in ("zyte", "lines", "quotes", "ner", "clustering", "msrp", "framing", "summary"):
        assert name in listing
    for name in ("zyte", "clustering", "quotes"):
        missing = run_cli("eval", name, "--bench", str(tmp_path / "nowhere"))
        assert missing.returncode != 0
        assert "Traceback" not in missing.stderr and "bug" not in missing.stderr
        assert "bench" in missing.stderr.lower()
