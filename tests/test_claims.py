"""Claims: splitting (exact offsets), conflict rules, the matcher, alignment and status."""

from __future__ import annotations

import numpy as np
import pytest
from spacy.language import Language

from conftest import bench_dir
from newsprism.corpus import claim_conflict
from newsprism.corpus.claim_match import FEATURES, content_words, load_model, same_claim, threshold
from newsprism.corpus.claims import Claim, ClaimUnit, Evidence, align_claims, split_claims
from newsprism.model import Article, Segment


@pytest.fixture(scope="module")
def nlp() -> Language:
    from newsprism.stages.nlp import load_nlp

    return load_nlp()


def units_of(nlp: Language, article: Article) -> list[ClaimUnit]:
    return split_claims(nlp(article.masked_text()), article)


TEXT = (
    "NATO ministers meet in Prague\n"
    "Russia launched a new offensive near Kharkiv on Friday, and Ukraine reported heavy fighting in the region. "
    "Will Ukraine be allowed to strike?\n"
    "“We are always listening and we are always learning,” he said.\n"
    "Photo: Reuters\n"
    "Pistorius promised Ukraine a new arms package worth 500 million euros.\n"
    "Advertise with us and reach millions of readers today."
)


def test_split_exact_offsets_and_skips(nlp: Language) -> None:
    a = Article(id="a1", source_path="x", text=TEXT)
    got = [(u.start, u.end, u.text) for u in units_of(nlp, a)]
    assert got == [
        (0, 29, "NATO ministers meet in Prague"),
        # two independent clauses → two units; the question, the pure quote and the caption are skipped
        (30, 84, "Russia launched a new offensive near Kharkiv on Friday"),
        (86, 136, "and Ukraine reported heavy fighting in the region."),
        (250, 320, "Pistorius promised Ukraine a new arms package worth 500 million euros."),
        (321, 375, "Advertise with us and reach millions of readers today."),
    ]
    for u in units_of(nlp, a):
        assert TEXT[u.start : u.end] == u.text and u.article == "a1"


def test_split_reads_only_content_segments(nlp: Language) -> None:
    ad = TEXT.index("Advertise")
    cap = TEXT.index("Photo")
    segs = [Segment(0, 29, "headline"), Segment(30, cap - 1, "body"), Segment(cap, cap + 14, "caption"),
            Segment(cap + 15, ad - 1, "body"), Segment(ad, len(TEXT), "ad")]  # fmt: skip
    a = Article(id="a1", source_path="x", text=TEXT, segments=segs)
    got = [(u.start, u.end) for u in units_of(nlp, a)]
    assert got == [(0, 29), (30, 84), (86, 136), (250, 320)]


def test_split_refuses_a_doc_of_another_text(nlp: Language) -> None:
    a = Article(id="a1", source_path="x", text=TEXT)
    with pytest.raises(ValueError, match="masked_text"):
        split_claims(nlp("something else entirely."), a)


def test_conflict_rules() -> None:
    ex = claim_conflict.extract
    assert claim_conflict.compare(ex("He promised a package worth 500 million euros."),
                                  ex("He promised a package worth 300 million euros.")) == [
        ("number", "euro: [500000000.0] vs [300000000.0]")
    ]  # fmt: skip
    kinds = [k for k, _ in claim_conflict.compare(ex("Macron spoke on Tuesday in Berlin."),
                                                  ex("Macron spoke on Wednesday in Berlin."))]  # fmt: skip
    assert kinds == ["date"]
    # A multi-day event: different weekdays are its phases, not a clash.
    assert claim_conflict.compare(ex("A two-day meeting of ministers ends on Friday in Prague."),
                                  ex("The ministers gathered on Thursday in Prague.")) == []  # fmt: skip
    kinds = [k for k, _ in claim_conflict.compare(ex("The U.S. government has changed its stance on the strikes."),
                                                  ex("The U.S. government has not changed its stance on the strikes."))]  # fmt: skip
    assert kinds == ["negation"]
    kinds = [k for k, _ in claim_conflict.compare(ex("Peskov said the talks would fail."),
                                                  ex("Lavrov said the talks would fail."))]  # fmt: skip
    assert kinds == ["speaker"]
    assert (
        claim_conflict.compare(ex("The talks will fail, Peskov said."), ex("The talks will fail, Peskov said.")) == []
    )
    assert ex("The U.S. and Germany said so.").speakers == [{"us", "germany"}]
    assert ex("the verb may 5 times").dates == set()


def test_parse_units_core_and_subject() -> None:
    p = claim_conflict.parse_units(
        ["NATO foreign ministers are meeting in Prague amid growing calls for allies to lift restrictions on weapons.",
         "Both the U.S. and Germany have refused to allow it, the outlet said."]
    )  # fmt: skip
    assert p[0].core == "NATO foreign ministers are meeting in Prague"
    assert p[0].subject == {"nato"}
    assert p[1].subject == {"us", "germany"}


def test_units_carry_the_core_of_their_own_parse() -> None:
    from newsprism.corpus.claims import split_claims
    from newsprism.stages.document import DocResult
    from newsprism.stages.nlp import load_nlp

    text = (
        "NATO foreign ministers are meeting in Prague amid growing calls for allies to lift restrictions on weapons. "
        "Both the U.S. and Germany have refused to allow it, the outlet said."
    )
    art = _article("a", text)
    units = split_claims(load_nlp()(art.masked_text()), art)
    # the same core and subject as parsing each unit's text alone, without a second parse
    alone = claim_conflict.parse_units([u.text for u in units])
    assert [(u.core, set(u.subject or ())) for u in units] == [(p.core, p.subject) for p in alone]
    assert units[0].core == "NATO foreign ministers are meeting in Prague"
    # and they survive the document-result cache
    back = DocResult.from_json("a", DocResult([], [], units, []).to_json()).claim_units
    assert [(u.core, u.subject) for u in back] == [(u.core, u.subject) for u in units]


def test_content_words_fold_us_spellings() -> None:
    assert content_words("Germany and the United States rejected it") == ["germany", "us", "reject"]
    assert content_words("the U.S. and Germany") == ["us", "germany"]


def test_same_claim_separates_paraphrase_from_unrelated() -> None:
    model = load_model()
    assert model["features"] == list(FEATURES)
    t = threshold()
    assert 0.0 < t < 1.0
    para = same_claim("NATO foreign ministers met in Prague on Thursday.",
                      "On Thursday NATO's foreign ministers held a meeting in Prague.")  # fmt: skip
    other = same_claim("NATO foreign ministers met in Prague on Thursday.",
                       "Heavy rain flooded several villages in northern Italy.")  # fmt: skip
    assert para >= t > other
    assert 0.0 <= other <= para <= 1.0


def _article(aid: str, text: str) -> Article:
    return Article(id=aid, source_path=f"{aid}.txt", text=text, outlet=aid)


A = "NATO foreign ministers met in Prague on Thursday. Pistorius promised Ukraine arms worth 500 million euros."
B = "On Thursday NATO foreign ministers held a meeting in Prague. Pistorius promised Ukraine arms worth 300 million euros."
C = "NATO foreign ministers met in Prague on Thursday. Heavy rain flooded several villages in northern Italy."


def test_align_corroborates_and_flags_number_conflict(nlp: Language) -> None:
    arts = [_article("a", A), _article("b", B)]
    units = [u for a in arts for u in units_of(nlp, a)]
    claims = align_claims("s1", units, arts)
    assert len(claims) == 2
    meet, arms = claims
    assert meet.status == "corroborated" and meet.independent_sources == 2
    assert [(e.article, e.start, e.end) for e in meet.support] == [("a", 0, 49), ("b", 0, 60)]
    assert meet.conflicts == []
    assert arms.status == "conflicting"
    assert [(e.article, e.start, e.end, e.kind) for e in arms.conflicts] == [
        ("a", 50, 106, "number"), ("b", 61, 117, "number")
    ]  # fmt: skip
    assert arms.details == ["number: a vs b: euro: [500000000.0] vs [300000000.0]"]
    for c in claims:
        for e in c.support:
            text = A if e.article == "a" else B
            assert text[e.start : e.end] in (u.text for u in units)


def test_align_families_count_once(nlp: Language) -> None:
    arts = [_article("a", A), _article("c", C)]
    units = [u for a in arts for u in units_of(nlp, a)]
    free = align_claims("s1", units, arts)
    assert free[0].status == "corroborated" and free[0].independent_sources == 2
    copied = align_claims("s1", units, arts, families=[["a", "c"]])
    assert copied[0].status == "single_source" and copied[0].independent_sources == 1
    # the unrelated sentences stay apart, each single-source
    assert [c.status for c in copied[1:]] == ["single_source", "single_source"]
    assert {c.id for c in free} == {c.id for c in copied}  # ids depend on the spans, not on the status


def test_align_ignores_units_of_other_articles_and_empty() -> None:
    assert align_claims("s", [], []) == []
    stray = ClaimUnit("zz", 0, 5, "Hello")
    assert align_claims("s", [stray], [_article("a", A)]) == []


def test_claim_json_contract() -> None:
    c = Claim("c1", "s1", "t", "conflicting", 2, [Evidence("a", 0, 3)], [Evidence("b", 1, 4, "date")], ["why"])
    assert c.to_json() == {
        "id": "c1", "story": "s1", "text": "t", "status": "conflicting", "independent_sources": 2,
        "support": [{"article": "a", "start": 0, "end": 3}],
        "conflicts": [{"article": "b", "start": 1, "end": 4, "kind": "date"}], "details": ["why"],
        "first_reported_by": None,
    }  # fmt: skip


def test_msrp_loader_and_threshold_fit() -> None:
    bench = bench_dir("similarity", "msrp", "msr_paraphrase_train.txt").parents[2]
    from newsprism.eval.msrp import best_threshold, fit, load_pairs

    pairs, y = load_pairs(bench)
    assert len(pairs) == len(y) > 3600
    assert set(np.unique(y).tolist()) == {0, 1}
    assert all(isinstance(a, str) and isinstance(b, str) and a and b for a, b in pairs[:50])
    scores = np.array([0.1, 0.4, 0.6, 0.9])
    assert best_threshold(scores, np.array([0, 0, 1, 1])) == 0.6
    x = np.array([[0.0], [0.1], [0.9], [1.0]] * 5)
    w, _b, t = fit(x, np.array([0, 0, 1, 1] * 5))
    assert w[0] > 0 and 0 < t < 1


def test_align_flags_the_day_a_speaker_spoke(nlp: Language) -> None:
    a = "On Wednesday in Moldova, Blinken said U.S. policy on the use of American weapons is constantly evolving."
    b = "Blinken said on Thursday that Washington may soon let Ukraine use American weapons against targets in Russia."
    arts = [_article("a", a), _article("b", b)]
    units = [u for art in arts for u in units_of(nlp, art)]
    (claim,) = align_claims("s1", units, arts)
    assert claim.status == "conflicting" and claim.independent_sources == 2
    assert [(e.article, e.start, e.end, e.kind) for e in claim.conflicts] == [
        ("a", 0, 104, "date"),
        ("b", 0, 109, "date"),
    ]
    assert claim.details == ["date: a vs b: wednesday vs thursday"]


def test_align_neighbour_path_matches_exact_path(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsprism.corpus import claim_align

    arts = [_article("a", A), _article("b", B), _article("c", C)]
    units = [u for art in arts for u in units_of(nlp, art)]
    exact = align_claims("s1", units, arts)
    monkeypatch.setattr(claim_align, "EXACT_LIMIT", 3)  # force nearest-neighbour candidates
    approx = align_claims("s1", units, arts)
    assert [(c.id, c.status) for c in approx] == [(c.id, c.status) for c in exact]


def test_conflict_from_another_claim_lists_only_the_contradicting_span(nlp: Language) -> None:
    # The samples' shape: two outlets report Blinken's signal (one claim); a third dates his
    # remark to Wednesday, the second to Thursday.  Each claim lists the other side's span as
    # the contradiction, never its own support.
    a = ("During a visit to Moldova, U.S. Secretary of State Blinken signaled that the U.S. may back away from its "
         "opposition to Ukrainian attacks against targets on Russian soil.")
    b = ("U.S. Secretary of State Antony Blinken said on Thursday that Ukraine intends to propose lifting the ban on "
         "U.S. weapons attacks on Russian territory.")
    c = ("On Wednesday in Moldova, Blinken said U.S. policy on the use of American weapons is constantly evolving, "
         "suggesting Washington could revoke an unwritten ban on attacks on Russia.")
    arts = [_article("a", a), _article("b", b), _article("c", c)]
    units = [u for art in arts for u in units_of(nlp, art)]
    claims = align_claims("s1", units, arts)
    assert [c.status for c in claims] == ["conflicting", "conflicting"]
    signal, wednesday = claims
    assert [e.article for e in signal.support] == ["a", "b"]
    assert [(e.article, e.kind) for e in signal.conflicts] == [("c", "date")]
    assert [(e.article, e.kind) for e in wednesday.conflicts] == [("b", "date")]


def test_speaker_pattern_scan_stops_at_the_last_reporting_verb() -> None:
    ex = claim_conflict.extract
    # No reporting verb: no speaker, however long the text.
    assert ex("Ministers " * 40 + "met in Prague.").speakers == []
    assert ex("x" * 200 + " Smith said").speakers == [{"smith"}]
    assert ex("Mr. Smith said he would go, and U.S. officials also said so.").speakers == [{"smith"}, {"us"}]
    # A verb glued to more letters ("saidx") is no verb; the one after it still counts.
    assert ex("He saidx that Bob said it.").speakers == [{"bob"}]


class _DictCache:
    """The ``get_doc_results``/``put_doc_results`` half of the store, in memory."""

    def __init__(self) -> None:
        self.d: dict[tuple[str, str, str], object] = {}

    def get_doc_results(self, stage: str, version: str, article_ids: list[str]) -> dict[str, object]:
        return {k: self.d[(stage, version, k)] for k in article_ids if (stage, version, k) in self.d}

    def put_doc_results(self, stage: str, version: str, results: dict[str, object]) -> None:
        self.d.update({(stage, version, k): v for k, v in results.items()})


def test_parse_units_cache_gives_the_same_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["NATO foreign ministers are meeting in Prague amid growing calls for allies to lift restrictions.",
             "Both the U.S. and Germany have refused to allow it, the outlet said.",
             "NATO foreign ministers are meeting in Prague amid growing calls for allies to lift restrictions."]  # fmt: skip
    plain = claim_conflict.parse_units(texts)
    cache = _DictCache()
    first = claim_conflict.parse_units(texts, cache=cache)
    assert len(cache.d) == 2  # one entry per distinct text

    def no_parse(_texts: list[str]) -> list[claim_conflict.Parsed]:
        raise AssertionError("parsed again despite the cache")

    monkeypatch.setattr(claim_conflict, "_parse_docs", no_parse)
    again = claim_conflict.parse_units(texts, cache=cache)
    for got in (first, again):
        assert [(p.core, p.subject) for p in got] == [(p.core, p.subject) for p in plain]
    again[0].subject.add("x")  # every position is its own object
    assert "x" not in again[2].subject


def test_a_story_of_one_article_embeds_nothing(nlp: Language) -> None:
    from newsprism.corpus.embeddings import embed_texts

    embedded: list[str] = []

    def embed(texts: list[str]) -> np.ndarray:  # the real encoder, its inputs recorded
        embedded.extend(texts)
        return embed_texts(texts)

    art = _article("a", A + " " + C)
    units = units_of(nlp, art)
    claims = align_claims("s1", units, [art], embed=embed)
    # Units are compared across articles only: with one article each is a claim of its own.
    assert embedded == []
    assert [c.status for c in claims] == ["single_source"] * len(units) and len(units) >= 3
    assert [(e.start, e.end) for c in claims for e in c.support] == [(u.start, u.end) for u in units]
    two = align_claims("s1", units + units_of(nlp, _article("b", B)), [art, _article("b", B)], embed=embed)
    assert embedded and any(c.status == "corroborated" for c in two)


def test_pair_cosines_are_the_per_pair_products_bit_for_bit() -> None:
    """Scores compare cosines with thresholds: the batched products must be the very floats
    that one product per pair gives, across chunk boundaries and for repeated pairs."""
    from newsprism.corpus.claim_match import pair_cosines, unit_rows

    rng = np.random.default_rng(2)
    vecs = unit_rows(rng.normal(size=(300, 512)))
    left = rng.integers(0, 300, 1000).tolist()
    right = rng.integers(0, 300, 1000).tolist()
    want = [float(vecs[i] @ vecs[j]) for i, j in zip(left, right, strict=True)]
    assert pair_cosines(vecs, left, right, chunk=128) == want
    assert pair_cosines(vecs, [], []) == []
