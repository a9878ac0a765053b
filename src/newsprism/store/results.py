"""Corpus-stage results in SQLite: save an analysis, load it back in the same shape."""

from __future__ import annotations

import json
from typing import Any

from newsprism.store.db import Store


class AnalysisStore:
    """Corpus-stage results (stories, families, entities, quotes, claims, story sections).

    ``save(data)`` takes an ``analysis.json``-shaped dict and replaces whatever the store
    held for the same articles, so re-analysing is idempotent and nothing stale survives;
    ``load(article_ids)`` gives the same shape back.
    """

    SECTIONS = ("timeline", "framing", "summaries")

    def __init__(self, store: Store) -> None:
        self.conn = store.conn

    def save(self, data: dict[str, Any]) -> None:
        ids = [a["id"] for a in data.get("articles", [])]
        if not ids:
            return
        c = self.conn
        with c:
            c.execute("CREATE TEMP TABLE IF NOT EXISTS _ids (id TEXT PRIMARY KEY)")
            c.execute("DELETE FROM _ids")
            c.executemany("INSERT OR IGNORE INTO _ids VALUES (?)", [(i,) for i in ids])
            old_stories = [
                r[0]
                for r in c.execute(
                    "SELECT DISTINCT story_id FROM story_articles WHERE article_id IN (SELECT id FROM _ids)"
                )
            ]
            # One statement per table over all its rows (a statement per row was half the
            # save's time for 1,320 articles).  The end state is the one a statement per row
            # left: each table's rows go in the same order, and a story's or entity's rows
            # in other tables still go in after it (its replacement cascades to them).
            c.executemany("DELETE FROM claims WHERE story_id = ?", [(sid,) for sid in old_stories])
            c.executemany("DELETE FROM story_sections WHERE story_id = ?", [(sid,) for sid in old_stories])
            c.executemany("DELETE FROM stories WHERE id = ?", [(sid,) for sid in old_stories])
            c.execute("DELETE FROM story_articles WHERE story_id NOT IN (SELECT id FROM stories)")
            c.execute("DELETE FROM quotes WHERE article_id IN (SELECT id FROM _ids)")
            c.execute("DELETE FROM mentions WHERE article_id IN (SELECT id FROM _ids)")
            families = data.get("families", [])
            c.executemany("DELETE FROM families WHERE id = ?", [(f["id"],) for f in families])
            stories = data.get("stories", [])
            c.executemany(
                "INSERT OR REPLACE INTO stories (id, title, independent_sources, data) VALUES (?, ?, ?, ?)",
                [(s["id"], s.get("title") or "", s.get("independent_sources"), json.dumps(s)) for s in stories],
            )
            c.executemany(
                "INSERT OR IGNORE INTO story_articles VALUES (?, ?)",
                [(s["id"], a) for s in stories for a in s["articles"]],
            )
            c.executemany(
                "INSERT OR REPLACE INTO families (id, relation, articles, data) VALUES (?, ?, ?, ?)",
                [(f["id"], f["relation"], json.dumps(f["articles"]), json.dumps(f)) for f in families],
            )
            entities = data.get("entities", [])
            c.executemany(
                "INSERT OR REPLACE INTO entities (id, name, type, aliases, roles) VALUES (?, ?, ?, ?, ?)",
                [(e["id"], e["name"], e["type"], json.dumps(e.get("aliases", [])), json.dumps(e.get("roles", [])))
                 for e in entities],
            )  # fmt: skip
            c.executemany(
                'INSERT OR IGNORE INTO mentions (entity_id, article_id, start, "end") VALUES (?, ?, ?, ?)',
                [(e["id"], m["article"], m["start"], m["end"]) for e in entities for m in e.get("mentions", [])],
            )
            c.execute("DELETE FROM entities WHERE id NOT IN (SELECT entity_id FROM mentions)")
            c.executemany(
                'INSERT OR REPLACE INTO quotes (id, article_id, start, "end", type, speaker, speaker_entity, grp,'
                " altered, confidence, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(q["id"], q["article"], q["start"], q["end"], q["type"], sp.get("name"), sp.get("entity"),
                  q.get("group"), int(bool(q.get("altered"))), q.get("confidence"), json.dumps(q))
                 for q in data.get("quotes", []) for sp in [q.get("speaker") or {}]],
            )  # fmt: skip
            c.executemany(
                "INSERT OR REPLACE INTO claims (id, story_id, text, status, independent_sources, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(cl["id"], cl["story"], cl["text"], cl["status"], cl["independent_sources"], json.dumps(cl))
                 for cl in data.get("claims", [])],
            )  # fmt: skip
            for section in self.SECTIONS:
                by_story: dict[str, list[Any]] = {}
                for item in data.get(section, []):
                    by_story.setdefault(str(item.get("story", "")), []).append(item)
                c.executemany(
                    "INSERT OR REPLACE INTO story_sections VALUES (?, ?, ?)",
                    [(sid, section, json.dumps(items)) for sid, items in by_story.items()],
                )

    def load(self, article_ids: list[str] | None = None) -> dict[str, Any]:
        """Stored results touching ``article_ids`` (all when None), in analysis.json shape."""
        c = self.conn
        if article_ids is None:
            story_ids = [r[0] for r in c.execute("SELECT id FROM stories ORDER BY id")]
            arts = None
        else:
            arts = set(article_ids)
            c.execute("CREATE TEMP TABLE IF NOT EXISTS _ids (id TEXT PRIMARY KEY)")
            with c:
                c.execute("DELETE FROM _ids")
                c.executemany("INSERT OR IGNORE INTO _ids VALUES (?)", [(i,) for i in article_ids])
            story_ids = [
                r[0]
                for r in c.execute(
                    "SELECT DISTINCT story_id FROM story_articles WHERE article_id IN (SELECT id FROM _ids)"
                    " ORDER BY story_id"
                )
            ]
        out: dict[str, Any] = {}
        out["stories"] = [
            json.loads(r[0]) for sid in story_ids for r in c.execute("SELECT data FROM stories WHERE id = ?", (sid,))
        ]
        out["claims"] = [
            json.loads(r[0])
            for sid in story_ids
            for r in c.execute("SELECT data FROM claims WHERE story_id = ? ORDER BY id", (sid,))
        ]
        fams = [json.loads(r[0]) for r in c.execute("SELECT data FROM families ORDER BY id")]
        out["families"] = [f for f in fams if arts is None or arts.intersection(f["articles"])]
        where = "" if arts is None else " WHERE article_id IN (SELECT id FROM _ids)"
        out["quotes"] = [
            json.loads(r[0]) for r in c.execute(f"SELECT data FROM quotes{where} ORDER BY article_id, start")
        ]
        ents: dict[str, dict[str, Any]] = {}
        for row in c.execute(
            f'SELECT e.id, e.name, e.type, e.aliases, e.roles, m.article_id, m.start, m."end" FROM mentions m'
            f" JOIN entities e ON e.id = m.entity_id{where.replace('article_id', 'm.article_id')}"
            f" ORDER BY e.id, m.article_id, m.start"
        ):
            e = ents.setdefault(
                row[0],
                {
                    "id": row[0],
                    "name": row[1],
                    "type": row[2],
                    "aliases": json.loads(row[3]),
                    "roles": json.loads(row[4]),
                    "mentions": [],
                },
            )
            e["mentions"].append({"article": row[5], "start": row[6], "end": row[7]})
        out["entities"] = list(ents.values())
        for section in self.SECTIONS:
            out[section] = [
                item
                for sid in story_ids
                for r in c.execute("SELECT data FROM story_sections WHERE story_id = ? AND section = ?", (sid, section))
                for item in json.loads(r[0])
            ]
        return out
