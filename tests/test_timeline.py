"""Timeline: events from dated sentences, merged across outlets, ordered by date."""

from __future__ import annotations

from typing import Any

import pytest

from newsprism.corpus.timeline import build_timeline, first_reporters, period_end, same_event
from newsprism.model import Article
from newsprism.stages.timexes import TimeExpr, find_timexes


@pytest.fixture(scope="module")
def nlp() -> Any:
    from newsprism.stages.nlp import load_nlp

    return load_nlp()


A_TEXT = (
    "NATO ministers met in Prague on Thursday to discuss weapons for Ukraine.\n"
    "Russia launched its invasion of Ukraine in February 2022.\n"
    "Blinken visited Kiev earlier this month.\n"
    "The alliance may decide to lift restrictions."
)
B_TEXT = (
    "On Thursday, NATO foreign ministers met in Prague to discuss weapons for Ukraine.\n"
    "On Tuesday, Macron said Ukraine should be allowed to strike bases in Russia.\n"
    "Leaders will hold a summit in Washington in July."
)
C_TEXT = (
    "Foreign ministers of NATO met on Thursday in Prague and discussed weapons for Ukraine.\nNothing else happened."
)


def _analyse(nlp: Any, articles: list[Article]) -> tuple[dict[str, list[TimeExpr]], dict[str, list[tuple[int, int]]]]:
    tx: dict[str, list[TimeExpr]] = {}
    sents: dict[str, list[tuple[int, int]]] = {}
    for a in articles:
        doc = nlp(a.masked_text())
        tx[a.id] = find_timexes(doc, a.published)
        sents[a.id] = [(s.start_char, s.end_char) for s in doc.sents]
    return tx, sents


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return [
        Article(id="a", source_path="a.txt", text=A_TEXT, outlet="Alpha", published="2024-05-31"),
        Article(id="b", source_path="b.txt", text=B_TEXT, outlet="Beta", published="2024-05-30"),
        Article(id="c", source_path="c.txt", text=C_TEXT, outlet="Gamma", published="2024-06-01"),
    ]


def test_timeline_merges_orders_and_cites(nlp: Any, articles: list[Article]) -> None:
    tx, sents = _analyse(nlp, articles)
    entries = build_timeline("s1", articles, tx, sents)
    dates = [e.date for e in entries]
    assert dates == ["2022-02", "2024-05-28", "2024-05-30", "2024-05", "2024-07"]

    meeting = entries[2]
    # Three outlets report the Thursday meeting (Gamma, a day later, still resolves it to
    # 2024-05-30); Beta published first.
    assert meeting.outlets == ["Alpha", "Beta", "Gamma"]
    assert meeting.first_reported_by == "Beta"
    assert meeting.article == "b"  # the earliest-published report speaks for the event
    line = B_TEXT.splitlines()[0]
    assert (meeting.start, meeting.end, meeting.text) == (0, len(line), line)
    assert meeting.expression == {"start": 3, "end": 11, "text": "Thursday", "granularity": "day", "vague": False}
    assert {r["article"] for r in meeting.reports} == {"a", "b", "c"}

    earlier = entries[3]
    assert earlier.text == "Blinken visited Kiev earlier this month."
    assert earlier.start == A_TEXT.index("Blinken") and earlier.expression["vague"] is True
    assert earlier.first_reported_by == "Alpha" and earlier.outlets == ["Alpha"]

    summit = entries[4]
    assert summit.article == "b" and summit.expression["text"] == "July"
    for e in entries:  # offset contract
        art = next(a for a in articles if a.id == e.article)
        assert art.text[e.start : e.end] == e.text
        assert art.text[e.expression["start"] : e.expression["end"]] == e.expression["text"]
    j = meeting.to_json()
    assert set(j) >= {"date", "text", "article", "start", "end", "expression", "outlets", "first_reported_by", "story"}
    assert j["story"] == "s1"


def test_modal_may_creates_no_event(nlp: Any, articles: list[Article]) -> None:
    tx, sents = _analyse(nlp, articles)
    entries = build_timeline("s1", articles, tx, sents)
    assert not any("may decide" in e.text for e in entries)


def test_no_publication_dates(nlp: Any) -> None:
    arts = [Article(id="x", source_path="x", text="Officials met on Thursday. The war began in February 2022.")]
    tx, sents = _analyse(nlp, arts)
    entries = build_timeline("s", arts, tx, sents)
    # The weekday cannot be resolved without a date; the absolute month can.
    assert [(e.date, e.text, e.first_reported_by) for e in entries] == [
        ("2022-02", "The war began in February 2022.", None)
    ]


def test_different_events_same_day_stay_apart() -> None:
    assert not same_event(
        "NATO foreign ministers on Thursday gathered in the Czech capital of Prague.",
        "On Thursday, Ukraine reported that Russia was building up its forces north of the Kharkiv region.",
        0.3,
    )
    assert same_event("Macron said late Tuesday that bases in Russia could be hit.", "x", 0.9)


def test_period_end_orders_day_before_its_month() -> None:
    assert str(period_end("2024-05")) == "2024-05-31"
    assert str(period_end("2024-W22")) == "2024-06-02"
    assert str(period_end("2023")) == "2023-12-31"
    assert period_end("2024-02-30") is None


def test_first_reporters() -> None:
    arts = [
        Article(id="a", source_path="a", text="x", outlet="Alpha", published="2024-05-31"),
        Article(id="b", source_path="b", text="x", outlet="Beta", published="2024-05-29"),
        Article(id="c", source_path="c", text="x", outlet="Gamma"),
    ]
    support = [[("a", 0, 1), ("b", 0, 1)], [("c", 0, 1)], [("a", 0, 1), ("c", 0, 1)], []]
    assert first_reporters(support, arts) == ["Beta", None, "Alpha", None]
