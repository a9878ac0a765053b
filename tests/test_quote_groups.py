"""Quote groups: the same remark across outlets, speaker compatibility, altered wording."""

from __future__ import annotations

import numpy as np
import pytest

from newsprism.corpus.quote_groups import group_quotes, normalize_wording, surname
from newsprism.model import Quote, Speaker

TEXTS = {
    "a": "“Every step along the way we have adapted and adapted as necessary, and that is exactly what we will do "
         "going forward,” Blinken said in Chisinau. He also called disinformation a “poison”.",
    "b": "“Every step along the way we have adapted and adjusted as necessary, and that is exactly what we will do "
         "going forward,” Antony Blinken told reporters.",
    "c": "“Every step along the way we have adapted,” Blinken said. Peskov said: “Every step along the way we "
         "have adapted and adjusted as necessary, and that is exactly what we will do going forward.”",
    "d": "Anthony Blinken said the deal would help fight disinformation, “a poison”.",
}  # fmt: skip
OUTLETS = {"a": "Outlet A", "b": "Outlet B", "c": "Outlet C", "d": "Outlet D"}


def quote(qid: str, article: str, content: str, speaker: str | None, kind: str = "direct", nth: int = 0) -> Quote:
    text = TEXTS[article]
    start = -1
    for _ in range(nth + 1):
        start = text.index(content, start + 1)
    return Quote(id=qid, article=article, start=start, end=start + len(content), type=kind,
                 speaker=Speaker(speaker, 0, 1) if speaker else None)  # fmt: skip


REMARK_A = ("Every step along the way we have adapted and adapted as necessary, and that is exactly what we will do "
            "going forward,")  # fmt: skip
REMARK_B = ("Every step along the way we have adapted and adjusted as necessary, and that is exactly what we will do "
            "going forward,")  # fmt: skip


def build() -> list[Quote]:
    return [
        quote("q1", "a", REMARK_A, "Antony Blinken"),
        quote("q2", "b", REMARK_B, "Antony Blinken"),
        quote("q3", "c", "Every step along the way we have adapted,", "Blinken"),  # an excerpt
        quote("q4", "c", REMARK_B.rstrip(",") + ".", "Dmitry Peskov"),  # same words, another speaker
        quote("q5", "a", "poison", "Antony Blinken"),
        quote("q6", "d", "a poison", None),
    ]


def test_groups_same_remark_and_flags_altered_wording() -> None:
    qs = build()
    group_quotes(qs, TEXTS, OUTLETS)
    by = {q.id: q for q in qs}
    assert by["q1"].group == by["q2"].group == by["q3"].group
    assert by["q1"].group is not None and by["q1"].group.startswith("g")
    # Peskov never joins a Blinken group, however similar the words
    assert by["q4"].group != by["q1"].group
    # adapted ≠ adjusted between outlets A and B: both flagged; the shorter excerpt is not an alteration
    assert (by["q1"].altered, by["q2"].altered, by["q3"].altered) == (True, True, False)
    assert by["q4"].altered is False
    # a one-word fragment and a two-word one stay apart (too little to match)
    assert by["q5"].group != by["q6"].group


def test_group_ids_are_stable_and_order_free() -> None:
    first = build()
    group_quotes(first, TEXTS, OUTLETS)
    second = list(reversed(build()))
    group_quotes(second, TEXTS, OUTLETS)
    assert {q.id: q.group for q in first} == {q.id: q.group for q in second}
    assert {q.id: q.altered for q in first} == {q.id: q.altered for q in second}


def test_same_outlet_wording_change_is_not_altered() -> None:
    qs = build()[:2]
    group_quotes(qs, TEXTS, {"a": "Same", "b": "Same"})
    assert qs[0].group == qs[1].group
    assert (qs[0].altered, qs[1].altered) == (False, False)


def test_helpers() -> None:
    assert normalize_wording("“We’ve  Neutralised it,” he said") == "we ve neutralized it he said"
    assert surname("US Secretary of State Antony Blinken") == "blinken"
    assert surname("the outlet") is None
    assert surname(None) is None
    group_quotes([], {}, {})  # no quotes: nothing to do, no error


def test_neighbour_candidates_find_the_same_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsprism.corpus import quote_groups

    exact = build()
    group_quotes(exact, TEXTS, OUTLETS)
    # Force the large-corpus path (nearest neighbours instead of all pairs) on the same data.
    monkeypatch.setattr(quote_groups, "EXACT_LIMIT", 2)
    approx = build()
    group_quotes(approx, TEXTS, OUTLETS)
    assert [(q.group, q.altered) for q in approx] == [(q.group, q.altered) for q in exact]
    pairs = quote_groups.candidate_pairs(approx, np.eye(6), np.eye(6), ["x"] * 6, limit=2)
    assert all(i < j for i, j in pairs) and len(set(pairs)) == len(pairs)


def test_bulk_fuzzy_scoring_gives_the_per_pair_links() -> None:
    """``_edges`` scores the fuzzy ratios of many pairs at once: the links are the ones the
    plain per-pair rule gives."""
    from rapidfuzz import fuzz

    from newsprism.corpus import quote_groups as qg

    qs = build()
    n = len(qs)
    rng = np.random.default_rng(1)
    vecs = qg.unit_rows(rng.normal(size=(2 * n, 8)))
    vc, vx = vecs[:n], vecs[n:]
    norm = [normalize_wording(TEXTS[q.article][q.start : q.end]) for q in qs]
    words = [len(c.split()) for c in norm]
    names = [surname(q.speaker.name if q.speaker else None) for q in qs]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    got = sorted(qg._edges(qs, vc, vx, norm, words, names, TEXTS, pairs))
    want = []
    for i, j in pairs:
        if qs[i].article == qs[j].article or min(words[i], words[j]) < qg.MIN_WORDS:
            continue  # the rules for these do not involve the fuzzy ratios
        if not qg._compatible(names[i], names[j]):
            continue
        cos_c = float(vc[i] @ vc[j])
        if (fuzz.token_set_ratio(norm[i], norm[j]) >= qg.FUZZY_MIN
                or (min(words[i], words[j]) >= qg.EXCERPT_WORDS
                    and fuzz.partial_ratio(norm[i], norm[j]) >= qg.EXCERPT_MIN)
                or cos_c >= qg.COS_MIN
                or (names[i] is not None and names[j] is not None and float(vx[i] @ vx[j]) >= qg.CONTEXT_COS_MIN)):
            want.append((1.0 + cos_c, i, j))  # fmt: skip
    assert [e for e in got if e[0] < 2.0] == sorted(want)
    assert want  # the fixture has fuzzy links: the comparison is not vacuous


def test_injected_embedder_is_used() -> None:
    from newsprism.corpus.embeddings import embed_texts

    calls: list[int] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return embed_texts(texts)

    default, injected = build(), build()
    group_quotes(default, TEXTS, OUTLETS)
    group_quotes(injected, TEXTS, OUTLETS, embed=embed)
    assert calls == [2 * len(injected)]
    assert [(q.group, q.altered) for q in injected] == [(q.group, q.altered) for q in default]


def test_paraphrased_remark_by_one_named_speaker_is_one_group_and_only_twins_are_altered() -> None:
    # the samples' Blinken remark as three outlets carried it: reworded by a translation,
    # cut into pieces by another; only directly matching direct quotes count as altered
    texts = {
        "a": "“Every step along the way we have adapted and adapted as necessary, and that is exactly what we will "
             "do going forward,” Blinken said. “We are always listening, we are always learning.”",
        "b": "“We’ve adapted and adjusted, too, and we’ll continue to do that,” Antony Blinken added.",
        "c": "The government has “made necessary improvements,” Blinken said there. “We will continue to do so in "
             "the future.”",
    }  # fmt: skip

    def q(qid: str, art: str, content: str, kind: str = "direct") -> Quote:
        start = texts[art].index(content)
        return Quote(id=qid, article=art, start=start, end=start + len(content), type=kind,
                     speaker=Speaker("Antony Blinken", 0, 1))  # fmt: skip

    qs = [
        q("a1", "a", "Every step along the way we have adapted and adapted as necessary, and that is exactly what "
                     "we will do going forward,"),
        q("a2", "a", "We are always listening, we are always learning."),
        q("b1", "b", "We’ve adapted and adjusted, too, and we’ll continue to do that,"),
        q("c1", "c", "The government has “made necessary improvements,”", "mixed"),
        q("c2", "c", "We will continue to do so in the future."),
    ]  # fmt: skip
    group_quotes(qs, texts, {"a": "A", "b": "B", "c": "C"})
    by = {x.id: x for x in qs}
    assert by["a1"].group == by["b1"].group
    # the mixed quote and the direct quote continuing it are one remark
    assert by["c1"].group == by["c2"].group
    assert by["a1"].altered and by["b1"].altered
    # another sentence of the statement, matched through the group only, is not an alteration
    assert not by["a2"].altered


def test_context_is_the_given_sentence_holding_the_quote() -> None:
    # The pipeline passes its claim units: a quote's context is then the unit around it, the
    # very text the claims stage encodes, and a quote no unit holds keeps its own window.
    from newsprism.corpus.embeddings import embed_texts

    seen: list[str] = []

    def embed(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return embed_texts(texts)

    text = TEXTS["d"]
    clause = text.index("disinformation")
    qs = [quote("q6", "d", "a poison", "Blinken"), quote("q5", "a", "poison", "Antony Blinken")]
    group_quotes(qs, TEXTS, OUTLETS, embed=embed, sentences={"d": [(0, len(text)), (0, 8), (clause, len(text))]})
    contexts = seen[len(qs):]
    assert contexts[0] == "disinformation, “a poison”."  # the shortest given span that holds the whole quote
    assert contexts[1] == "He also called disinformation a “poison”."  # no span given for "a": the window
