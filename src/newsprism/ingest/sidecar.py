"""Metadata sidecars: a CSV or JSON file mapping article files to outlet, url, published, title.

CSV: a header row with ``path`` and any of ``outlet,url,published,title,language,author``.
JSON: either ``{"path": {...}, ...}`` or ``[{"path": ..., ...}, ...]``.
Paths are relative to the sidecar's folder (or bare file names).  Empty cells mean
"unknown" and are ignored.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from newsprism.errors import NewsprismError

FIELDS = ("outlet", "url", "published", "title", "language", "author")


class Sidecar:
    """Look up metadata for an input path."""

    def __init__(self, base: Path, rows: dict[str, dict[str, str]]) -> None:
        self.base = base.resolve()
        self.rows = rows

    @classmethod
    def load(cls, path: Path) -> Sidecar:
        """Parse a sidecar file; raises NewsprismError naming the file and the problem."""
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise NewsprismError(f"sidecar {path}: cannot read it ({exc.strerror})") from None
        rows: dict[str, dict[str, str]] = {}
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise NewsprismError(f"sidecar {path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
            items = data.items() if isinstance(data, dict) else ((r.get("path"), r) for r in data)
            for key, rec in items:
                if not key or not isinstance(rec, dict):
                    raise NewsprismError(f"sidecar {path}: every entry needs a path and an object of fields")
                rows[str(key)] = {k: str(v) for k, v in rec.items() if k in FIELDS and v not in (None, "")}
        else:
            reader = csv.DictReader(raw.splitlines())
            if not reader.fieldnames or "path" not in reader.fieldnames:
                raise NewsprismError(f"sidecar {path}: the CSV needs a header row with a 'path' column")
            for lineno, rec in enumerate(reader, start=2):
                key = (rec.get("path") or "").strip()
                if not key:
                    raise NewsprismError(f"sidecar {path}: line {lineno} has no path")
                rows[key] = {k: v.strip() for k, v in rec.items() if k in FIELDS and v and v.strip()}
        return cls(path.parent, rows)

    def lookup(self, file: Path) -> dict[str, str]:
        """Metadata for ``file`` (matched by path relative to the sidecar, then by name)."""
        resolved = file.resolve()
        try:
            rel = str(resolved.relative_to(self.base))
        except ValueError:
            rel = None
        if rel is not None and rel in self.rows:
            return self.rows[rel]
        return self.rows.get(file.name, {})
