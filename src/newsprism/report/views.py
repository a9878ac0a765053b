"""View models for the report: plain dicts computed from ``analysis.json`` data.

The template only loops and prints; every grouping, count and ordering is decided here,
so the HTML page and its JSON twin show the same things.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

STATUS_ORDER = {"conflicting": 0, "corroborated": 1, "single_source": 2}


def outlet_of(article: dict[str, Any]) -> str:
    """The outlet name to show: the known one, else the file name (never blank)."""
    if article.get("outlet"):
        return str(article["outlet"])
    src = str(article.get("source_path") or article["id"])
    return "? " + src.replace("\\", "/").rsplit("/", 1)[-1]


def display_title(article: dict[str, Any], limit: int = 90) -> str:
    """The title, else the start of the article's first content line (so nothing shows '(untitled)')."""
    if article.get("title"):
        return str(article["title"])
    for seg in article.get("segments", []):
        if seg["kind"] in ("headline", "body", "subheading"):
            line = article["text"][seg["start"] : seg["end"]]
            return line if len(line) <= limit else line[: limit - 1].rsplit(" ", 1)[0] + "…"
    return "(untitled)"


def snippet(text: str, start: int, end: int, limit: int = 400) -> str:
    s = text[start:end]
    return s if len(s) <= limit else s[: limit - 1] + "…"


def build_views(data: dict[str, Any]) -> dict[str, Any]:
    """Everything the report template shows, derived from ``data``."""
    arts = {a["id"]: a for a in data.get("articles", [])}
    outlet = {aid: outlet_of(a) for aid, a in arts.items()}
    text = {aid: a["text"] for aid, a in arts.items()}
    outlets = sorted(set(outlet.values()))

    # Stories and families.
    fam_of: dict[str, dict[str, Any]] = {}
    for f in data.get("families", []):
        for aid in f["articles"]:
            fam_of[aid] = f
    stories = []
    for s in data.get("stories", []):
        members = [arts[a] for a in s["articles"] if a in arts]
        fams = {f["id"]: f for a in s["articles"] if (f := fam_of.get(a))}
        stories.append({
            "id": s["id"], "title": s.get("title") or "(untitled story)",
            "articles": sorted(members, key=lambda a: (a.get("published") or "", outlet[a["id"]])),
            "outlets": sorted({outlet[a["id"]] for a in members}),
            "independent_sources": s.get("independent_sources", len(members)),
            "families": list(fams.values()),
        })  # fmt: skip

    # Who said what.
    quotes = []
    for q in data.get("quotes", []):
        aid = q["article"]
        if aid not in arts:
            continue
        sp = q.get("speaker") or {}
        cue = q.get("cue")
        quotes.append({
            **q, "outlet": outlet[aid], "content": snippet(text[aid], q["start"], q["end"]),
            "speaker_name": sp.get("name") or "(no speaker)",
            "speaker_text": text[aid][sp["start"]:sp["end"]] if sp else "",
            "cue_text": text[aid][cue["start"]:cue["end"]] if cue else "",
        })  # fmt: skip
    by_speaker: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in quotes:
        by_speaker[q["speaker_name"]].append(q)
    speakers = sorted(by_speaker, key=lambda s: (s == "(no speaker)", -len(by_speaker[s]), s))
    speaker_outlet = {s: Counter(q["outlet"] for q in by_speaker[s]) for s in speakers}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in quotes:
        if q.get("group"):
            groups[q["group"]].append(q)
    shared_groups: list[dict[str, Any]] = [
        {"id": g, "quotes": qs, "outlets": sorted({q["outlet"] for q in qs}), "altered": any(q["altered"] for q in qs)}
        for g, qs in groups.items()
        if len({q["article"] for q in qs}) > 1
    ]
    shared_groups.sort(key=lambda g: (-len(g["quotes"]), str(g["id"])))

    # Claims: a matrix per story, and lists by status.
    claims_by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in data.get("claims", []):
        cells: dict[str, str] = {}
        for ev in c.get("support", []):
            if ev["article"] in outlet:
                cells.setdefault(outlet[ev["article"]], "support")
        for ev in c.get("conflicts", []):
            if ev["article"] in outlet:
                cells[outlet[ev["article"]]] = "conflict"
        evidence = [
            {**ev, "role": role, "outlet": outlet[ev["article"]],
             "text": snippet(text[ev["article"]], ev["start"], ev["end"])}
            for role, key in (("support", "support"), ("conflict", "conflicts"))
            for ev in c.get(key, [])
            if ev["article"] in arts
        ]
        claims_by_story[c["story"]].append({**c, "cells": cells, "evidence": evidence})
    for cl in claims_by_story.values():
        cl.sort(key=lambda c: (STATUS_ORDER.get(c["status"], 9), -c["independent_sources"], c["text"]))
    status_counts = Counter(c["status"] for c in data.get("claims", []))

    entities = sorted(
        (
            {**e, "n_mentions": len(e.get("mentions", [])),
             "outlets": sorted({outlet[m["article"]] for m in e.get("mentions", []) if m["article"] in outlet})}
            for e in data.get("entities", [])
        ),
        key=lambda e: (-e["n_mentions"], e["name"]),
    )  # fmt: skip

    # Cited summaries, framing side by side and the timeline, per story.
    summaries = {
        sm["story"]: [
            {"text": sent["text"], "ref": f"m:{sm['story']}-{i}",
             "citations": [{**c, "outlet": outlet[c["article"]]} for c in sent.get("citations", [])
                           if c["article"] in arts]}
            for i, sent in enumerate(sm.get("sentences", []))
        ]
        for sm in data.get("summaries", [])
    }  # fmt: skip
    framing_by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i, f in enumerate(data.get("framing", [])):
        loaded_words = Counter(text[ev["article"]][ev["start"]:ev["end"]].lower() for ev in f.get("loaded", [])
                               if ev["article"] in arts)  # fmt: skip
        framing_by_story[f.get("story") or ""].append({
            **f, "ref": f"l:{i}", "loaded_top": loaded_words.most_common(12),
            "naming_forms": [f"{n['form']} ×{n['count']}" for n in f.get("naming", [])],
            "terms": [t["term"] if isinstance(t, dict) else str(t) for t in f.get("distinctive_terms", [])],
        })  # fmt: skip
    timeline_by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i, t in enumerate(data.get("timeline", [])):
        if t["article"] in arts:
            timeline_by_story[t.get("story") or ""].append({
                **t, "ref": f"t:{i}", "outlet": outlet[t["article"]],
                "outlets_named": sorted({outlet.get(o, o) for o in t.get("outlets", [])}),
            })  # fmt: skip

    return {
        "summaries": summaries,
        "framing_by_story": framing_by_story,
        "timeline_by_story": timeline_by_story,
        "titles": {aid: display_title(a) for aid, a in arts.items()},
        "outlets": outlets,
        "outlet_of": outlet,
        "stories": stories,
        "quotes": quotes,
        "speakers": speakers,
        "by_speaker": by_speaker,
        "speaker_outlet": speaker_outlet,
        "quote_outlets": sorted({q["outlet"] for q in quotes}),
        "shared_groups": shared_groups,
        "claims_by_story": claims_by_story,
        "status_counts": status_counts,
        "entities": entities,
    }
