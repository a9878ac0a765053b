"""Cut an article's text into flat pieces so overlapping spans can all be highlighted.

HTML cannot nest overlapping elements, so instead of nesting we cut the text at every
boundary of every span (segments, quotes, speakers, claim evidence) and give each piece
the set of references that cover it.  Concatenating the pieces' text gives back the
article's text exactly.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any


def span_refs(data: dict[str, Any]) -> dict[str, list[tuple[int, int, str]]]:
    """article id → [(start, end, ref)] for every quote, speaker and claim span in ``data``.

    A ref is ``q:<quote id>``, ``s:<quote id>`` (its speaker), ``c:<claim id>`` (support),
    ``x:<claim id>`` (conflicting evidence), ``e:<entity id>`` (a mention), ``m:<story id>-<n>`` (a citation of summary
    sentence n), ``t:<n>`` (timeline entry n) or ``l:<n>`` (a loaded word of framing entry n).
    """
    refs: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for q in data.get("quotes", []):
        refs[q["article"]].append((q["start"], q["end"], f"q:{q['id']}"))
        sp = q.get("speaker")
        if sp and sp.get("end", 0) > sp.get("start", 0):
            refs[q["article"]].append((sp["start"], sp["end"], f"s:{q['id']}"))
    for c in data.get("claims", []):
        for ev in c.get("support", []):
            refs[ev["article"]].append((ev["start"], ev["end"], f"c:{c['id']}"))
        for ev in c.get("conflicts", []):
            refs[ev["article"]].append((ev["start"], ev["end"], f"x:{c['id']}"))
    for s in data.get("summaries", []):
        for i, sent in enumerate(s.get("sentences", [])):
            for cit in sent.get("citations", []):
                refs[cit["article"]].append((cit["start"], cit["end"], f"m:{s['story']}-{i}"))
    for e in data.get("entities", []):
        for m in e.get("mentions", []):
            refs[m["article"]].append((m["start"], m["end"], f"e:{e['id']}"))
    for i, t in enumerate(data.get("timeline", [])):
        refs[t["article"]].append((t["start"], t["end"], f"t:{i}"))
    for i, f in enumerate(data.get("framing", [])):
        for ev in f.get("loaded", []):
            refs[ev["article"]].append((ev["start"], ev["end"], f"l:{i}"))
    return refs


def article_pieces(article: dict[str, Any], refs: list[tuple[int, int, str]] | None = None) -> list[dict[str, Any]]:
    """Pieces ``{text, kind, refs, anchors}`` covering ``article['text']`` in order.

    ``kind`` is the segment kind covering the piece (None between segments); ``refs`` the
    references covering it; ``anchors`` the references that start at this piece (so the
    page can give each span one anchor to link to).
    """
    text: str = article["text"]
    n = len(text)
    segs = [(max(0, s["start"]), min(n, s["end"]), s["kind"]) for s in article.get("segments", [])]
    spans = [(max(0, s), min(n, e), r) for s, e, r in (refs or []) if 0 <= s < e <= n]
    cuts = {0, n}
    for s, e, _ in segs:
        cuts.update((s, e))
    for s, e, _ in spans:
        cuts.update((s, e))
    bounds = sorted(c for c in cuts if 0 <= c <= n)
    starts: dict[int, list[str]] = defaultdict(list)
    for s, _e, r in spans:
        starts[s].append(r)
    pieces: list[dict[str, Any]] = []
    seg_sorted = sorted(segs)
    si = 0
    active: list[tuple[int, int, str]] = []
    span_sorted = sorted(spans)
    pi = 0
    for a, b in itertools.pairwise(bounds):
        if a == b:
            continue
        while si < len(seg_sorted) and seg_sorted[si][1] <= a:
            si += 1
        kind = seg_sorted[si][2] if si < len(seg_sorted) and seg_sorted[si][0] <= a < seg_sorted[si][1] else None
        while pi < len(span_sorted) and span_sorted[pi][0] <= a:
            active.append(span_sorted[pi])
            pi += 1
        active = [x for x in active if x[1] > a]
        pieces.append({"text": text[a:b], "kind": kind, "refs": sorted({x[2] for x in active}),
                       "anchors": starts.pop(a, [])})  # fmt: skip
    return pieces
