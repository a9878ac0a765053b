"""Time expressions: exact offsets, "may" never a date, weekday resolution past vs future."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from newsprism.stages.timexes import TimeExpr, find_timexes, find_timexes_in

PUB = "2024-05-31"  # a Friday


@pytest.fixture(scope="module")
def nlp() -> Any:
    from newsprism.stages.nlp import load_nlp

    return load_nlp()


def _tx(nlp: Any, text: str, published: str | None = PUB) -> list[TimeExpr]:
    found = find_timexes(nlp(text), published)
    for t in found:
        assert text[t.start : t.end] == t.text  # the offset contract
    return found


def _one(nlp: Any, text: str, needle: str, published: str | None = PUB) -> TimeExpr:
    found = [t for t in _tx(nlp, text, published) if t.text == needle]
    assert len(found) == 1, [(t.text, t.value) for t in _tx(nlp, text, published)]
    t = found[0]
    assert t.start == text.index(needle) and t.end == t.start + len(needle)
    return t


@pytest.mark.parametrize(
    ("text", "needle", "value"),
    [
        ("The Kremlin accused NATO on Thursday of provoking Kiev.", "Thursday", "2024-05-30"),
        (
            "On Tuesday, French President Emmanuel Macron said Ukraine should be allowed to act.",
            "Tuesday",
            "2024-05-28",
        ),
        ("On Wednesday in Moldova, Blinken said U.S. policy is evolving.", "Wednesday", "2024-05-29"),
        ("A two-day meeting of NATO ministers ends on Friday in Prague.", "Friday", "2024-05-31"),
        ("Macron said late Tuesday that bases could be hit.", "late Tuesday", "2024-05-28"),
        ("Just Thursday evening, Pistorius promised a new package.", "Thursday evening", "2024-05-30"),
        ("The ministers met last Friday in Brussels.", "last Friday", "2024-05-24"),
        ("The ministers will meet next Friday in Brussels.", "next Friday", "2024-06-07"),
        # future context: the next such day
        ("The ministers will meet on Thursday in Brussels.", "Thursday", "2024-06-06"),
        ("The envoy is expected to arrive in Kyiv on Monday.", "Monday", "2024-06-03"),
        ("The vote is scheduled for Tuesday.", "Tuesday", "2024-06-04"),
        ("Officials said yesterday that talks failed.", "yesterday", "2024-05-30"),
        ("Talks resume tomorrow.", "tomorrow", "2024-06-01"),
        ("It began on May 10 in the Kharkiv region.", "May 10", "2024-05-10"),
        ("The accord was signed on 10 May 2024 in Vilnius.", "10 May 2024", "2024-05-10"),
        ("He met Lavrov in Moscow on March 26, 2024.", "March 26, 2024", "2024-03-26"),
        ("The file is dated 2024-05-30 in the archive.", "2024-05-30", "2024-05-30"),
        ("The troops withdrew three days ago.", "three days ago", "2024-05-28"),
    ],
)
def test_day_resolution(nlp: Any, text: str, needle: str, value: str) -> None:
    t = _one(nlp, text, needle)
    assert (t.value, t.granularity, t.anchor) == (value, "day", PUB)


@pytest.mark.parametrize(
    ("text", "needle", "value", "gran", "vague"),
    [
        ("Russia launched its invasion of Ukraine in February 2022.", "February 2022", "2022-02", "month", False),
        ("Blinken visited Kiev earlier this month and heard a call.", "earlier this month", "2024-05", "month", True),
        ("Leaders will gather at a summit in Washington in July.", "July", "2024-07", "month", False),
        ("Back in February, Putin stressed that countries play with fire.", "February", "2024-02", "month", False),
        ("In early May, Britain authorized Kiev to act.", "early May", "2024-05", "month", False),
        ("The fighting has raged since 2022.", "2022", "2022", "year", False),
        ("Since late last year, Russia has been advancing.", "late last year", "2023", "year", True),
        ("NATO talks this week focused on weapons.", "this week", "2024-W22", "week", False),
        ("Earlier this week, Macron spoke in Germany.", "Earlier this week", "2024-W22", "week", True),
        ("Tensions have risen in recent days.", "in recent days", "2024-W22", "week", True),
        ("The ministers met last week in Brussels.", "last week", "2024-W21", "week", False),
        ("Ukraine has recently received support.", "recently", None, "unknown", True),
    ],
)
def test_coarser_resolution(nlp: Any, text: str, needle: str, value: str | None, gran: str, vague: bool) -> None:
    t = _one(nlp, text, needle)
    assert (t.value, t.granularity, t.vague) == (value, gran, vague)


def test_past_month_in_past_tense_goes_back_a_year(nlp: Any) -> None:
    t = _one(nlp, "The army attacked the city in July, officials said.", "July")
    assert t.value == "2023-07"


@pytest.mark.parametrize(
    "text",
    [
        "Member states of the US-led NATO may decide to let Ukraine strike inside Russia.",
        "That may be why some NATO countries have been hinting at an openness.",
        "May I ask a question? The U.S. may back away from its staunch opposition.",
        "Theresa May said the plan would work, according to May's office.",
        "Prices may rise 10 percent and troops may march in.",
    ],
)
def test_may_is_never_a_date(nlp: Any, text: str) -> None:
    assert [t.text for t in _tx(nlp, text)] == []


@pytest.mark.parametrize(
    ("text", "needle", "value"),
    [
        ("The offensive began in May and stalled.", "May", "2024-05"),
        ("Fighting has continued since May.", "May", "2024-05"),
        ("Britain acted in early May.", "early May", "2024-05"),
        ("It began on May 10.", "May 10", "2024-05-10"),
        ("It began in May 2023.", "May 2023", "2023-05"),
    ],
)
def test_may_counts_with_day_year_or_preposition(nlp: Any, text: str, needle: str, value: str) -> None:
    assert _one(nlp, text, needle).value == value


def test_without_publication_date(nlp: Any) -> None:
    text = "On Thursday the ministers met; the war began in February 2022 and on 10 May 2024 talks resumed."
    found = {t.text: t for t in _tx(nlp, text, None)}
    assert found["Thursday"].value is None and found["Thursday"].anchor is None
    assert found["Thursday"].granularity == "day"
    assert found["February 2022"].value == "2022-02"
    assert found["10 May 2024"].value == "2024-05-10"


def test_spans_sorted_and_disjoint(nlp: Any) -> None:
    text = "On Thursday, May 30, 2024, and last week, and in July, and yesterday, officials met."
    found = _tx(nlp, text)
    assert [t.text for t in found] == ["Thursday, May 30, 2024", "last week", "July", "yesterday"]
    assert found[0].value == "2024-05-30"
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def test_raw_text_variant_without_parse() -> None:
    found = find_timexes_in("Officials met on Tuesday.", PUB)
    assert [(t.start, t.end, t.value) for t in found] == [(17, 24, "2024-05-28")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On Jan 5, 2023 the parliament met.", [("Jan 5, 2023", "2023-01-05")]),
        ("The plan calls for 2025 troops by 2030.", [("2030", "2030")]),
        ("The report, dated 5/30/2024, was leaked.", [("5/30/2024", "2024-05-30")]),  # spaCy DATE + dateparser
        ("Between 2014 and 2016 the economy grew.", [("2014", "2014")]),
    ],
)
def test_explicit_forms_and_numbers(nlp: Any, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(t.text, t.value) for t in _tx(nlp, text)] == expected


def test_anchored_scan_finds_exactly_what_finditer_finds() -> None:
    """The scan that tries only the places a match can start (``_ANCHORS``) returns
    ``finditer``'s matches, span for span and group for group: on the example articles
    and on text made to stress it (stacked prepositions and modifiers, odd spaces, case,
    long runs of spaces before a month, matches that overlap an anchor's window)."""
    import random

    from conftest import EXAMPLE
    from newsprism.stages.timexes import _ANCHORS, _PATTERNS, _matches

    vocab = ("in", "on", "since", "by", "the end of", "the beginning of", "early", "late", "mid-", "mid", "last",
             "next", "this", "the middle of", "May", "may", "MARCH", "Sept.", "Sep", "Jan", "janov", "June", "Dec.",
             "30", "3rd", "31st", "of", "2024", "1999", "2024-05-30", "Thursday", "Friday,", "morning", "year",
             "years", "month", "week", "weekend", "ago", "a few", "two", "days", "the past", "recently", "today",
             "ſeptember", "Ｍay", "Mayday", "recent weeks", "more recently", "in the past few months", "lately", "tonight", "the day before yesterday", "this morning", "xlast", "in\u00a0May", ",", ".", "-", "'s", "\n", "%", "troops")  # fmt: skip
    rng = random.Random(11)
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLE.glob("*.txt"))]
    for _ in range(3000):
        words = [rng.choice(vocab) for _ in range(rng.randint(1, 14))]
        texts.append("".join(w + rng.choice([" ", " ", "  ", "\n", "\t", "", " " * 40]) for w in words))
    assert set(_ANCHORS) <= {name for name, _ in _PATTERNS}
    found = 0
    for text in texts:
        for name, rx in _PATTERNS:
            want = [(m.span(), m.groupdict()) for m in rx.finditer(text)]
            assert [(m.span(), m.groupdict()) for m in _matches(name, rx, text)] == want, (name, text)
            found += len(want)
    assert found > 1000


def test_an_infinitive_at_the_root_of_its_sentence_resolves() -> None:
    """A parse whose root is a bare infinitive ("To meet on Friday", as a headline) once sent
    the tense rule up the root's head, which is itself, until the stack ran out: one such
    sentence failed the whole run of 1,320 articles."""
    import spacy
    from spacy.tokens import Doc

    words = ["To", "meet", "on", "Friday"]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=[True, True, True, False], heads=[1, 1, 1, 2],
              deps=["aux", "ROOT", "prep", "pobj"], pos=["PART", "VERB", "ADP", "PROPN"],
              tags=["TO", "VB", "IN", "NNP"], lemmas=["to", "meet", "on", "Friday"])  # fmt: skip
    (found,) = find_timexes_in(doc.text, "2024-03-06", doc)
    assert (found.text, found.value) == ("Friday", "2024-03-08")  # the Friday to come, as "to meet" says
