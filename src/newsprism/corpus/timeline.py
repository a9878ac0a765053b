"""The story's timeline: dated events, merged across the articles that report them.

An event is a sentence that carries a resolved time expression (see
``newsprism.stages.timexes``).  When several articles report the same event (same date,
similar sentence) the event appears once, listing every outlet that reported it and the one
that published it first.  Entries are ordered by date; a coarser date sorts after the finer
dates it contains ("2024-05-30" before "2024-05", which comes before "2024").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from newsprism.model import Article
    from newsprism.stages.timexes import TimeExpr

# Two sentences report the same event when, besides sharing the date, their content words
# overlap this much (rapidfuzz token_set_ratio, 0–100) or their Jaccard overlap is this high.
SAME_EVENT_RATIO = 72.0
SAME_EVENT_JACCARD = 0.45
SAME_EVENT_COSINE = 0.7
_GRAN_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP_TEXT = (
    "a an the and or but of to in on at by for with from as is are was were be been has have had it its this "
    "that he she they his her their said says monday tuesday wednesday thursday friday saturday sunday"
)
_STOP = frozenset(_STOP_TEXT.split())


@dataclass(slots=True)
class TimelineEntry:
    """One dated event; ``start``/``end``/``text`` is the reporting sentence in ``article``."""

    date: str
    article: str
    start: int
    end: int
    text: str
    expression: dict[str, Any]
    outlets: list[str]
    first_reported_by: str | None
    story: str = ""
    granularity: str = "day"
    reports: list[dict[str, Any]] = field(default_factory=list)  # every merged (article, start, end)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "text": self.text,
            "article": self.article,
            "start": self.start,
            "end": self.end,
            "expression": dict(self.expression),
            "outlets": list(self.outlets),
            "first_reported_by": self.first_reported_by,
            "story": self.story,
            "granularity": self.granularity,
            "reports": [dict(r) for r in self.reports],
        }


def period_end(value: str) -> dt.date | None:
    """The last day of the period a timex value names ("2024-05" → 2024-05-31)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", value):
            return dt.date.fromisocalendar(int(m[1]), int(m[2]), 7)
        if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
            y, mo = int(m[1]), int(m[2])
            return dt.date(y, mo, calendar.monthrange(y, mo)[1])
        if re.fullmatch(r"\d{4}", value):
            return dt.date(int(value), 12, 31)
    except ValueError:
        return None
    return None


def _published(article: Article) -> dt.date | None:
    if not article.published:
        return None
    try:
        return dt.date.fromisoformat(article.published[:10])
    except ValueError:
        return None


def _outlet(article: Article) -> str:
    return article.outlet or article.id


def _earliest(articles: list[Article]) -> str | None:
    """Outlet of the earliest-published article (first in input order on ties); ``None``
    when no publication date is known."""
    dated = [(d, i, a) for i, a in enumerate(articles) if (d := _published(a)) is not None]
    if not dated:
        return None
    return _outlet(min(dated, key=lambda x: (x[0], x[1]))[2])


def first_reporters(claims_support: list[list[tuple[str, int, int]]], articles: list[Article]) -> list[str | None]:
    """For each claim's support spans ``(article, start, end)``, the outlet of the
    earliest-published supporting article (``None`` when no supporting article has a date)."""
    by_id = {a.id: a for a in articles}
    out: list[str | None] = []
    for spans in claims_support:
        seen: list[Article] = []
        for art_id, _s, _e in spans:
            art = by_id.get(art_id)
            if art is not None and art not in seen:
                seen.append(art)
        out.append(_earliest(seen))
    return out


def _content(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP}


def same_event(a: str, b: str, cosine: float = 0.0) -> bool:
    """Do two same-dated sentences report the same event?  Lexical overlap (Jaccard of
    content words, or rapidfuzz token_set_ratio), or an embedding cosine ≥ SAME_EVENT_COSINE
    (which also matches a paraphrase or a translation)."""
    from rapidfuzz import fuzz

    if cosine >= SAME_EVENT_COSINE:
        return True
    wa, wb = _content(a), _content(b)
    if not wa or not wb:
        return False
    jaccard = len(wa & wb) / len(wa | wb)
    # token_set_ratio scores a subset as 100; require some real size to trust it.
    ratio = fuzz.token_set_ratio(" ".join(sorted(wa)), " ".join(sorted(wb))) if min(len(wa), len(wb)) >= 4 else 0.0
    return jaccard >= SAME_EVENT_JACCARD or ratio >= SAME_EVENT_RATIO


def _sentence_of(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    for s, e in spans:
        if s <= start and end <= e:
            return s, e
    best, best_ov = None, 0
    for s, e in spans:
        ov = min(e, end) - max(s, start)
        if ov > best_ov:
            best, best_ov = (s, e), ov
    return best


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


@dataclass(slots=True)
class _Event:
    date: str
    gran: str
    article: Article
    order: int
    start: int
    end: int
    text: str
    expr: TimeExpr


def build_timeline(story_id: str, articles: list[Article], timexes: dict[str, list[TimeExpr]],
                   sentences: dict[str, list[tuple[int, int]]],
                   embed: Callable[[Sequence[str]], np.ndarray] | None = None) -> list[TimelineEntry]:  # fmt: skip
    """Dated events of one story, merged across articles and ordered by date.

    ``timexes`` and ``sentences`` map article id → that article's time expressions and
    sentence spans (offsets into ``article.text``).  A sentence becomes an event when it
    contains a time expression with a value; with several, the most specific (day before
    week, month, year; non-vague first; then the first) dates it.  Events with the same
    date and similar sentences merge into one entry whose text comes from the
    earliest-published article reporting it.  ``embed``: texts → sentence vectors (the
    pipeline's shared, cached encoder); default ``summary.embed``.
    """
    from newsprism.corpus import summary
    from newsprism.corpus.summary import sentence_pieces

    events: list[_Event] = []
    for order, art in enumerate(articles):
        per_sentence: dict[tuple[int, int], TimeExpr] = {}
        spans = sentence_pieces(art.text, sentences.get(art.id, []))
        for tx in timexes.get(art.id, []):
            if tx.value is None or tx.granularity not in _GRAN_RANK or period_end(tx.value) is None:
                continue
            sent = _sentence_of(spans, tx.start, tx.end) if spans else _trim(art.text, tx.start, tx.end)
            if sent is None:
                continue
            cur = per_sentence.get(sent)
            rank = (tx.vague, _GRAN_RANK[tx.granularity], tx.start)
            if cur is None or rank < (cur.vague, _GRAN_RANK[cur.granularity], cur.start):
                per_sentence[sent] = tx
        for (s, e), tx in sorted(per_sentence.items()):
            assert tx.value is not None  # filtered above
            events.append(_Event(tx.value, tx.granularity, art, order, s, e, art.text[s:e], tx))

    # Merge: same date + same event → one group (greedy, in input order).
    ev_texts = [ev.text for ev in events]
    vecs = summary.embed(ev_texts) if embed is None or not ev_texts else summary.unit_vectors(embed(ev_texts))
    groups: list[list[int]] = []
    for i, ev in enumerate(events):
        for members in groups:
            if events[members[0]].date == ev.date and any(
                same_event(ev.text, events[j].text, float(vecs[i] @ vecs[j])) for j in members
            ):
                members.append(i)
                break
        else:
            groups.append([i])

    entries: list[tuple[tuple[Any, ...], TimelineEntry]] = []
    for members in groups:
        grp = [events[i] for i in members]
        arts: list[Article] = []
        for ev in grp:
            if ev.article not in arts:
                arts.append(ev.article)
        first = _earliest(arts)
        rep = min(grp, key=lambda ev: (_published(ev.article) or dt.date.max, ev.order, ev.start))
        outlets: list[str] = []
        for a in arts:
            if _outlet(a) not in outlets:
                outlets.append(_outlet(a))
        tx = rep.expr
        entry = TimelineEntry(
            date=rep.date,
            article=rep.article.id,
            start=rep.start,
            end=rep.end,
            text=rep.text,
            expression={
                "start": tx.start,
                "end": tx.end,
                "text": tx.text,
                "granularity": tx.granularity,
                "vague": tx.vague,
            },
            outlets=outlets,
            first_reported_by=first,
            story=story_id,
            granularity=rep.gran,
            reports=[{"article": ev.article.id, "start": ev.start, "end": ev.end} for ev in grp],
        )
        end = period_end(rep.date) or dt.date.max
        key = (end, _GRAN_RANK.get(rep.gran, 9), tx.vague, _published(rep.article) or dt.date.max, rep.order,
               rep.start)  # fmt: skip
        entries.append((key, entry))
    entries.sort(key=lambda x: x[0])
    return [e for _, e in entries]
