"""The SQLite store: the only module that speaks SQL.

Contract: ``Store(path)`` opens (creating if needed) one SQLite file and applies the
numbered migrations in ``store/migrations`` that it has not applied yet, recording the
schema version in ``PRAGMA user_version``.  Writes are transactional per batch, so a
crash never leaves half an article; WAL mode lets readers (the API) run beside a writer.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from newsprism.errors import NewsprismError
from newsprism.ids import content_id
from newsprism.model import Article, Rejected, Segment


def _alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (signal 0 probes without sending)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True


def _migrations() -> list[tuple[int, str, str]]:
    out = []
    for entry in resources.files("newsprism.store").joinpath("migrations").iterdir():
        m = re.match(r"^(\d{4})_.*\.sql$", entry.name)
        if m:
            out.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


class Store:
    """One SQLite file holding articles, rejections, runs and caches."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        try:
            if readonly:
                uri = f"file:{self.path}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
            else:
                if self.path.parent and not self.path.parent.exists():
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        except sqlite3.Error as exc:
            raise NewsprismError(f"cannot open the database {self.path}: {exc}") from None
        self.conn.row_factory = sqlite3.Row
        try:
            if not readonly:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
                self.migrate()
            self.conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            raise NewsprismError(f"{self.path} is not a newsprism database ({exc})") from None

    # -- schema -------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply every migration newer than the file's schema version, each in one transaction."""
        current = self.schema_version
        known = _migrations()
        if known and current > known[-1][0]:
            raise NewsprismError(
                f"{self.path} has schema version {current}, newer than this newsprism knows "
                f"({known[-1][0]}): upgrade newsprism"
            )
        for number, name, sql in known:
            if number <= current:
                continue
            try:
                with self.conn:
                    self.conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
            except sqlite3.Error as exc:
                raise NewsprismError(f"migration {name} failed on {self.path}: {exc}") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles -----------------------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def add_articles(self, articles: Iterable[Article], run_id: int | None = None) -> int:
        """Insert articles not stored yet (by id), with their FTS rows; returns how many were new."""
        new = 0
        with self.conn:
            for a in articles:
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO articles (id, source_path, outlet, url, title, published, language,"
                    " author, input_format, text, segments, inferred, first_run)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        a.id, a.source_path, a.outlet, a.url, a.title, a.published, a.language, a.author,
                        a.input_format, a.text,
                        json.dumps([[s.start, s.end, s.kind, round(s.score, 4)] for s in a.segments]),
                        json.dumps(a.inferred, sort_keys=True), run_id,
                    ),
                )  # fmt: skip
                if cur.rowcount:
                    new += 1
                    body = " ".join(a.text[s] for s in (slice(st, en) for st, en in a.content_spans()))
                    self.conn.execute(
                        "INSERT INTO article_fts (article_id, title, body) VALUES (?, ?, ?)",
                        (a.id, a.title or "", body),
                    )
        return new

    def add_rejected(self, rejected: Iterable[Rejected], run_id: int | None = None) -> int:
        new = 0
        with self.conn:
            for r in rejected:
                rid = content_id(r.source_path, r.code, r.reason, prefix="r")
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO rejected (id, source_path, code, reason, first_run) VALUES (?, ?, ?, ?, ?)",
                    (rid, r.source_path, r.code, r.reason, run_id),
                )
                new += cur.rowcount
        return new

    @staticmethod
    def _article(row: sqlite3.Row) -> Article:
        return Article(
            id=row["id"], source_path=row["source_path"], text=row["text"], outlet=row["outlet"],
            url=row["url"], title=row["title"], published=row["published"], language=row["language"],
            author=row["author"], input_format=row["input_format"],
            segments=[Segment(s[0], s[1], s[2], s[3] if len(s) > 3 else 1.0) for s in json.loads(row["segments"])],
            inferred=json.loads(row["inferred"]),
        )  # fmt: skip

    def get_article(self, article_id: str) -> Article | None:
        """One article by id (or by a unique id prefix of at least 6 characters)."""
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None and len(article_id) >= 6:
            rows = self.conn.execute(
                "SELECT * FROM articles WHERE id LIKE ? LIMIT 2", (article_id.replace("%", "") + "%",)
            ).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return self._article(row) if row else None

    def get_articles(self, ids: list[str]) -> list[Article]:
        """Articles for ``ids``, in that order (unknown ids are skipped)."""
        out: list[Article] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = self.conn.execute(
                f"SELECT * FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
            by_id = {r["id"]: self._article(r) for r in rows}
            out.extend(by_id[x] for x in chunk if x in by_id)
        return out

    def iter_articles(
        self, *, outlet: str | None = None, limit: int | None = None, offset: int = 0
    ) -> Iterator[Article]:
        sql = "SELECT * FROM articles"
        params: list[Any] = []
        if outlet:
            sql += " WHERE outlet = ?"
            params.append(outlet)
        sql += " ORDER BY published IS NULL, published, id LIMIT ? OFFSET ?"
        params += [limit if limit is not None else -1, offset]
        for row in self.conn.execute(sql, params):
            yield self._article(row)

    def count(self, table: str) -> int:
        if table not in ("articles", "rejected", "runs", "embeddings", "doc_cache"):
            raise ValueError(table)
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def rejected(self) -> list[Rejected]:
        rows = self.conn.execute("SELECT source_path, code, reason FROM rejected ORDER BY created_at, source_path")
        return [Rejected(r[0], r[1], r[2]) for r in rows]

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search (FTS5) over headline and body; results with a highlighted snippet.

        The query is treated as words (each quoted), so user input never reaches FTS5's
        query syntax as operators.
        """
        words = re.findall(r"\w+", query)
        if not words:
            return []
        fts_query = " ".join('"' + w.replace('"', "") + '"' for w in words)
        rows = self.conn.execute(
            "SELECT f.article_id, a.title, a.outlet, a.published,"
            " snippet(article_fts, 2, '[', ']', '…', 12) AS snippet, bm25(article_fts) AS score"
            " FROM article_fts f JOIN articles a ON a.id = f.article_id"
            " WHERE article_fts MATCH ? ORDER BY score LIMIT ?",
            (fts_query, limit),
        ).fetchall()
        return [dict(r) for r in rows]

    # -- runs ---------------------------------------------------------------------------
    def start_run(self, command: str, version: str, config: dict[str, Any]) -> int:
        """Record a new run (as 'running', owned by this process); first mark the runs a
        killed process left unfinished ('running' or 'analysing') on this host as 'interrupted'."""
        host = socket.gethostname()
        with self.conn:
            stale = self.conn.execute(
                "SELECT id, pid FROM runs WHERE status IN ('running', 'analysing') AND host = ? AND pid IS NOT NULL",
                (host,),
            ).fetchall()
            dead = [rid for rid, pid in stale if not _alive(int(pid))]
            self.conn.executemany("UPDATE runs SET status = 'interrupted' WHERE id = ?", [(r,) for r in dead])
            cur = self.conn.execute(
                "INSERT INTO runs (command, version, config, pid, host) VALUES (?, ?, ?, ?, ?)",
                (command, version, json.dumps(config, sort_keys=True), os.getpid(), host),
            )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, counts: dict[str, Any], status: str = "ok") -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE runs SET counts = ?, status = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
                " WHERE id = ?",
                (json.dumps(counts, sort_keys=True), status, run_id),
            )

    # -- caches -------------------------------------------------------------------------
    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        """Embedding cache read (implements corpus.embeddings.EmbeddingCache)."""
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            for k, dim, blob in self.conn.execute(
                f"SELECT key, dim, vector FROM embeddings WHERE key IN ({','.join('?' * len(chunk))})", chunk
            ):
                out[k] = np.frombuffer(blob, dtype="<f4", count=dim).copy()
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR IGNORE INTO embeddings (key, dim, vector) VALUES (?, ?, ?)",
                [(k, int(v.shape[0]), np.asarray(v, dtype="<f4").tobytes()) for k, v in items.items()],
            )

    def get_doc_results(self, stage: str, version: str, article_ids: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i in range(0, len(article_ids), 500):
            chunk = article_ids[i : i + 500]
            rows = self.conn.execute(
                f"SELECT article_id, result FROM doc_cache WHERE stage = ? AND version = ?"
                f" AND article_id IN ({','.join('?' * len(chunk))})",
                [stage, version, *chunk],
            )
            out.update({r[0]: json.loads(r[1]) for r in rows})
        return out

    def has_doc_result(self, stage: str, version: str, article_id: str) -> bool:
        """Whether ``article_id``'s result of ``stage`` at ``version`` is cached (nothing is decoded)."""
        row = self.conn.execute(
            "SELECT 1 FROM doc_cache WHERE stage = ? AND version = ? AND article_id = ?", [stage, version, article_id]
        ).fetchone()
        return row is not None

    def replace_doc_results(self, stage: str, results: dict[str, Any], *, version: str) -> None:
        """Make ``results`` the only cached entries of ``stage`` (any version), in one transaction."""
        with self.conn:
            self.conn.execute("DELETE FROM doc_cache WHERE stage = ?", [stage])
            self.conn.executemany(
                "INSERT INTO doc_cache (article_id, stage, version, result) VALUES (?, ?, ?, ?)",
                [(aid, stage, version, json.dumps(res)) for aid, res in results.items()],
            )

    def put_doc_results(self, stage: str, version: str, results: dict[str, Any]) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO doc_cache (article_id, stage, version, result) VALUES (?, ?, ?, ?)",
                [(aid, stage, version, json.dumps(res)) for aid, res in results.items()],
            )

