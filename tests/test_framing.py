"""Framing per outlet: own wording without quotes, log-odds terms, naming, lexicon spans, voices."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsprism.corpus.framing import affiliation, frame_story, outlet_key
from newsprism.corpus.framing_lexicon import Lexicon, NameUse, NamingTable, find_constructions
from newsprism.corpus.framing_terms import count_terms, log_odds, own_spans
from newsprism.model import Article, Quote, Segment, Speaker

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples" / "prague-2024"


def quote_of(article: Article, inner: str, speaker: str | None = None, qid: str = "q") -> Quote:
    """A direct quote over the first occurrence of ``inner`` (content only, marks outside)."""
    start = article.text.index(inner)
    spk = None
    if speaker:
        s = article.text.index(speaker)
        spk = Speaker(name=speaker, start=s, end=s + len(speaker))
    return Quote(id=qid, article=article.id, start=start, end=start + len(inner), type="direct", speaker=spk)


# --- own wording ---------------------------------------------------------------------------


def test_own_spans_leave_out_quote_content_and_marks() -> None:
    text = "Officials said “the regime is brutal” on Monday.\nThe regime allegedly fled."
    art = Article(id="a1", source_path="a1.txt", text=text)
    q = quote_of(art, "the regime is brutal")
    assert (q.start, q.end) == (16, 36)
    assert text[15] == "“" and text[36] == "”"
    assert own_spans(art, [q]) == [(0, 15), (37, 75)]
    # A quote of another article changes nothing here.
    other = Quote(id="x", article="zz", start=0, end=10, type="direct")
    assert own_spans(art, [other]) == own_spans(art, [])


def test_paraphrase_is_own_wording_but_quoted_fragments_are_not() -> None:
    text = ("Stoltenberg said such limits hamper Ukraine's ability to purportedly defend itself. "
            "The Kremlin accused NATO of “provoking” Kiev.")
    art = Article(id="a3", source_path="a3.txt", text=text)
    ind_s = text.index("such limits")
    indirect = Quote(id="i", article="a3", start=ind_s, end=text.index(" itself") + 7, type="indirect")
    mix_s = text.index("NATO of")
    mixed = Quote(id="m", article="a3", start=mix_s, end=len(text) - 1, type="mixed")
    own = own_spans(art, [indirect, mixed])
    words = " ".join(text[s:e] for s, e in own)
    assert "purportedly" in words  # the outlet's own word inside reported speech
    assert "provoking" not in words and "“" not in words  # the speaker's quoted word is not
    assert "Kiev" in words
    hits = {h.term.lower() for h in Lexicon.default().find(text, own)}
    assert "purportedly" in hits


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet='ab “”"\n.', max_size=60),
    cuts=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=4),
)
def test_own_spans_are_disjoint_in_bounds_and_never_touch_a_quote(text: str, cuts: list[tuple[int, int]]) -> None:
    art = Article(id="h", source_path="h.txt", text=text)
    quotes = [
        Quote(id=str(i), article="h", start=min(a, b, len(text)), end=min(max(a, b), len(text)), type="direct")
        for i, (a, b) in enumerate(cuts)
    ]
    spans = own_spans(art, quotes)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1))
    for q in quotes:  # no character of a (non-empty) quote is own wording
        assert not any(s < q.end and q.start < e for s, e in spans if q.start < q.end)


def test_own_spans_read_content_segments_only() -> None:
    text = "Headline here\nPhoto: brutal scenes\nBody text here."
    segs = [Segment(0, 13, "headline"), Segment(14, 34, "caption"), Segment(35, len(text), "body")]
    art = Article(id="a2", source_path="a2.txt", text=text, segments=segs)
    assert own_spans(art, []) == [(0, 13), (35, len(text))]
    hits = Lexicon.default().find(text, own_spans(art, []))
    assert hits == []  # "brutal" stands in the caption only


def test_terms_are_lowercase_unigrams_and_bigrams_without_stop_words() -> None:
    text = "The US-led NATO alliance met. Kiev's allies, in the 25th hour, met again"
    counts = count_terms(text, [(0, len(text))])
    assert counts["us-led nato"] == 1 and counts["nato alliance"] == 1
    assert counts["kiev"] == 1  # possessive stripped
    assert counts["met"] == 2
    assert "alliance met" in counts and "met kiev" not in counts  # no bigram across a full stop
    assert "th" not in counts and "the" not in counts


def test_log_odds_needs_two_groups_and_ranks_the_overused_word_first() -> None:
    assert log_odds({"only": Counter({"war": 3})}) == {"only": []}
    groups = {
        "a": Counter({"onslaught": 6, "troops": 5, "city": 4}),
        "b": Counter({"offensive": 6, "troops": 5, "city": 4}),
        "c": Counter({"offensive": 5, "troops": 6, "city": 4}),
    }
    scores = log_odds(groups)
    top = scores["a"][0]
    assert top.term == "onslaught" and top.count == 6 and top.z > 1.96
    assert all(t.term != "onslaught" for t in scores["b"])


# --- the stage on hand-built stories -------------------------------------------------------


def _story() -> tuple[list[Article], list[Quote]]:
    a = Article(
        id="A",
        source_path="/in/a.txt",
        outlet="Outlet A",
        text=(
            "The regime in Kiev reportedly faces an onslaught. The onslaught grew. Another onslaught came.\n"
            "Kremlin spokesman Dmitry Peskov said “zebra zebra zebra zebra zebra zebra”.\n"
            "Members of the US-led NATO alliance watched the onslaught, and the onslaught went on."
        ),
    )
    b = Article(
        id="B",
        source_path="/in/b.txt",
        outlet="Outlet B",
        text=(
            "The government in Kyiv faces an offensive. The offensive grew. Another offensive came.\n"
            "Members of the NATO alliance watched the offensive, and the offensive went on."
        ),
    )
    c = Article(
        id="C",
        source_path="/in/c.txt",
        outlet=None,
        text=(
            "The government in Kyiv faces an offensive. The offensive grew, analysts say.\n"
            "Members of the NATO alliance watched the offensive closely."
        ),
    )
    quotes = [quote_of(a, "zebra zebra zebra zebra zebra zebra", speaker="Dmitry Peskov")]
    return [a, b, c], quotes


@pytest.fixture(scope="module")
def framed() -> dict[str, object]:
    arts, quotes = _story()
    return {f.outlet: f for f in frame_story("s1", arts, quotes)}


def test_outlets_are_named_or_grouped_by_file(framed: dict[str, object]) -> None:
    assert sorted(framed) == ["? c.txt", "Outlet A", "Outlet B"]
    assert outlet_key(Article(id="x", source_path="/x/y/z.txt", text="")) == "? z.txt"


def test_distinctive_term_emerges_and_quotes_never_count(framed) -> None:
    a = framed["Outlet A"]
    terms = [t["term"] for t in a.distinctive_terms]
    assert terms[0] == "onslaught"
    # 5 uses against none in a 70-word story: the strongest term, though short of z 1.96.
    assert a.distinctive_terms[0]["count"] == 5 and a.distinctive_terms[0]["z"] > 1.5
    assert not any("zebra" in t for o in framed.values() for t in o.to_json()["distinctive_terms"])
    assert "onslaught" not in [t["term"] for t in framed["Outlet B"].distinctive_terms]


def test_naming_differences_across_outlets(framed) -> None:
    a = {(n["concept"], n["form"]): n for n in framed["Outlet A"].naming}
    b = {(n["concept"], n["form"]): n["count"] for n in framed["Outlet B"].naming}
    assert a[("Kyiv", "Kiev")]["count"] == 1 and b[("Kyiv", "Kyiv")] == 1
    assert a[("government", "regime")]["count"] == 1 and b[("government", "government")] == 1
    assert a[("NATO", "US-led NATO")]["spans"] == [{"article": "A", "start": 185, "end": 196}]
    assert _story()[0][0].text[185:196] == "US-led NATO"
    assert b[("NATO", "NATO")] == 1
    assert ("NATO", "NATO") not in a  # the only NATO in A is the qualified one


def test_loaded_and_hedging_spans_are_exact(framed) -> None:
    arts, _ = _story()
    text = arts[0].text
    loaded = framed["Outlet A"].loaded
    by_term = {(h["term"].lower(), h["category"]): h for h in loaded}
    hedge = by_term[("reportedly", "hedging")]
    assert (hedge["article"], hedge["start"], hedge["end"]) == ("A", 19, 29)
    assert text[19:29] == "reportedly"
    assert ("regime", "loaded") in by_term and ("onslaught", "loaded") in by_term
    assert all(text[h["start"] : h["end"]] == h["term"] for h in loaded)
    # Nothing inside the quote (offsets of the quoted zebras).
    q0 = text.index("zebra")
    assert all(not (q0 - 1 <= h["start"] < q0 + 37) for h in loaded)
    assert all(h["term"].lower() != "regime" for h in framed["Outlet B"].loaded)


def test_voices_with_affiliation_and_json_shape(framed) -> None:
    a = framed["Outlet A"]
    assert a.voices == [{"speaker": "Dmitry Peskov", "affiliation": "Kremlin spokesman", "quotes": 1}]
    j = a.to_json()
    assert j["outlet"] == "Outlet A" and j["distinctive_terms"][0] == "onslaught"
    assert {"article", "start", "end"} == set(j["loaded"][0])
    assert j["voices"][0]["speaker"] == "Dmitry Peskov" and j["voices"][0]["quotes"] == 1
    assert {"naming", "distinctive_scores", "loaded_terms"} <= set(j)
    assert framed["Outlet B"].voices == []


def test_affiliation_rules() -> None:
    t = "Russian Foreign Minister Sergei Lavrov spoke. Then Peskov, the Kremlin's top spokesman, said no. Bob said hi."
    s = t.index("Sergei Lavrov")
    assert affiliation(t, s, s + 13) == "Russian Foreign Minister"
    s = t.index("Peskov")
    assert affiliation(t, s, s + 6) == "Kremlin's top spokesman"
    s = t.index("Bob")
    assert affiliation(t, s, s + 3) is None
    t = "According to US Secretary of State Antony Blinken, it is. Former President Bob Smith agreed."
    assert affiliation(t, t.index("Antony"), t.index("Antony") + 14) == "US Secretary of State"
    assert affiliation(t, t.index("Bob"), t.index("Bob") + 9) == "Former President"
    t = "One of those senior officials was Antony Blinken."
    assert affiliation(t, t.index("Antony"), t.index("Antony") + 14) is None
    t = "Talks ended in Ukraine. Foreign Minister Dmytro Kuleba left. Asked, Sen. Bob Smith agreed."
    s = t.index("Dmytro")
    assert affiliation(t, s, s + 13) == "Foreign Minister"
    s = t.index("Bob Smith")
    assert affiliation(t, s, s + 9) == "Sen."


def test_generic_constructions() -> None:
    t = "Iran-backed Houthis and the so-called “peace plan” met US-led NATO Secretary General Jens Stoltenberg."
    uses = {(u.concept, u.form) for u in find_constructions(t, [(0, len(t))])}
    assert ("Houthis", "Iran-backed Houthis") in uses
    assert ("NATO", "US-led NATO") in uses
    assert ("peace plan", "so-called peace plan") in uses


def test_single_outlet_story_still_reports_loaded_words() -> None:
    art = Article(id="S", source_path="s.txt", outlet="Solo", text="The brutal regime allegedly fell in Kiev.")
    (only,) = frame_story("s", [art], [])
    assert only.distinctive_terms == [] and only.naming == []
    assert [(h["start"], h["end"], h["category"]) for h in only.loaded] == [
        (4, 10, "loaded"),
        (11, 17, "loaded"),
        (18, 27, "hedging"),
    ]


# --- the reference samples -----------------------------------------------------------------

_QUOTE_RE = re.compile(r"“([^”\n]{2,})”|\"([^\"\n]{2,})\"|‘([^’\n]{3,}?)’(?!\w)")


def test_samples_framing() -> None:
    files = sorted(SAMPLES.glob("*.txt")) if SAMPLES.is_dir() else []
    if len(files) < 5:
        pytest.skip(f"samples not present: {SAMPLES}")
    arts, quotes = [], []
    for f in files:
        a = Article(id=f.name[:3], source_path=str(f), text=f.read_text("utf-8").replace("\r\n", "\n"))
        arts.append(a)
        for m in _QUOTE_RE.finditer(a.text):
            g = next(i for i in (1, 2, 3) if m.group(i) is not None)
            quotes.append(Quote(id=f"{a.id}{m.start()}", article=a.id, start=m.start(g), end=m.end(g), type="direct"))
    res = {fr.outlet[2:5]: fr for fr in frame_story("prague", arts, quotes)}
    f4, f0 = res["004"], res["000"]
    loaded4 = {(h["term"].lower(), h["category"]) for h in f4.loaded}
    assert ("begging", "loaded") in loaded4 and ("purportedly", "hedging") in loaded4
    assert any(n["form"] == "US-led NATO" and n["concept"] == "NATO" for n in f4.naming)
    assert ("brutal", "loaded") in {(h["term"].lower(), h["category"]) for h in f0.loaded}
    assert "invasion" in [t["term"] for t in f0.distinctive_terms]
    # No quoted word sequence is ever an outlet's term or loaded span.
    for fr in res.values():
        for h in fr.loaded:
            assert not any(q.article == h["article"] and q.start <= h["start"] < q.end for q in quotes)
        for art in arts:
            if art.id != fr.outlet[2:5]:
                continue
            spans = own_spans(art, quotes)
            own_text = " ".join(art.text[s:e] for s, e in spans).lower()
            for t in fr.to_json()["distinctive_terms"]:
                assert all(w in own_text for w in t.split())


# --- BASIL ---------------------------------------------------------------------------------


def test_basil_lexicon_floor() -> None:
    from newsprism.eval import basil

    bench = basil.find_bench()
    if bench is None:
        pytest.skip("BASIL benchmark data not present (../shared/bench/framing/basil)")
    r = basil.run(bench, use_vader=False)  # the curated lexicon alone: seconds, no parser
    assert r["articles"] == 300 and r["gold_lex_spans"] >= 470
    # Measured 2026-11-22 (see docs/framing.md); floors a little under the figures.
    assert r["all"]["overlap"]["f1"] >= FLOOR_OVERLAP_F1
    assert r["all"]["token"]["f1"] >= FLOOR_TOKEN_F1


FLOOR_OVERLAP_F1 = 0.14
FLOOR_TOKEN_F1 = 0.11


def test_voices_are_the_same_in_every_process() -> None:
    # Affiliation ties were broken by set order, which changes with PYTHONHASHSEED.
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json; from newsprism.model import Article, Quote, Speaker; from newsprism.corpus.framing import outlet_voices\n"
        "t = 'NATO chief Jens Stoltenberg spoke. NATO Secretary General Jens Stoltenberg said more. Jens Stoltenberg left.'\n"
        "a = Article(id='a', source_path='a.txt', text=t)\n"
        "q = Quote(id='q', article='a', start=0, end=4, type='indirect', speaker=Speaker('Jens Stoltenberg', 11, 27))\n"
        "print(json.dumps(outlet_voices([a], [q])))"
    )
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in range(6)
    }  # fmt: skip
    assert len(outs) == 1, outs
    (voice,) = json.loads(outs.pop())
    assert voice["affiliation"] == "NATO chief"  # written first; ties go to the first


def test_story_framings_in_worker_processes_equal_framing_here() -> None:
    import multiprocessing

    from newsprism.corpus.framing import StoryFramings
    from newsprism.model import as_plain

    arts, quotes = _story()
    jobs = [("s1", arts, quotes, {}), ("s2", arts[1:], [], {}), ("s3", arts[:1], quotes, {})]
    here = StoryFramings(jobs).get()
    assert [f.outlet for f in here[:3]] == ["? c.txt", "Outlet A", "Outlet B"]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert StoryFramings(jobs, pool)._pending is None  # too little work to hand out
        handed = StoryFramings(jobs, pool, min_articles=1)
        assert handed._pending is not None
        there = handed.get()
    assert [as_plain(f) for f in there] == [as_plain(f) for f in here]
    assert [as_plain(f) for f in here[:3]] == [as_plain(f) for f in frame_story("s1", arts, quotes)]
    assert StoryFramings([], pool=None).get() == []


def _naming_by_scanning(table: NamingTable, text: str, spans: list[tuple[int, int]]) -> list[NameUse]:
    """What ``NamingTable.find`` must return: every concept's pattern run over every span."""
    return [NameUse(c.name, c.form_of(m.group()), m.start(), m.end())
            for c in table.concepts for s, e in spans for m in c.pattern.finditer(text, s, e)]  # fmt: skip


@pytest.mark.parametrize("text", [
    "Troops left Kiev on Monday; the KYIV regime and kyiv's mayor spoke.",
    "The Kremlin-backed so-called referendum in Crimea, Donbas and the Donbass.",
    "Nothing to see here at all.",
    # Letters the regex folds to i and s, which lower() keeps apart: scanned in full.
    "The reg\u0131me in K\u0130EV; the REG\u0130ME's \u017fanctions.",
])  # fmt: skip
def test_naming_table_finds_what_scanning_every_span_finds(text: str) -> None:
    table = NamingTable.default()
    assert sum(c.needles is not None for c in table.concepts) > len(table.concepts) // 2
    spans = [(0, len(text) // 2), (len(text) // 2, len(text))]
    assert table.find(text, spans) == _naming_by_scanning(table, text, spans)
    if "Kiev" in text or "\u0131" in text:
        assert table.find(text, spans)


@pytest.mark.parametrize("text", [
    "The radical-left regime's so-called crackdown; RADICAL\n  left anti-war radicals.",
    "Terrorists and terror-linked militants: ‘brutal’ — brutally, unprovoked aggression.",
    "Nothing loaded here.",
    "The reg\u0131me's brutal \u017fham; \u0130LLEGAL annexation.",
])  # fmt: skip
def test_lexicon_finds_what_its_pattern_finds_in_every_span(text: str) -> None:
    lexicon = Lexicon.default()
    assert lexicon._first_words  # the word-led scan is in use
    for cut in range(0, len(text) + 1, 3):
        spans = [(0, cut), (cut, len(text))]
        want = [(m.start(), m.end()) for s, e in spans for m in lexicon._pattern.finditer(text, s, e)]
        assert [(m.start(), m.end()) for m in lexicon._matches(text, spans)] == want
    assert lexicon.find(text, [(0, len(text))]) or text.startswith("Nothing")


def test_lexicon_scan_resumes_after_a_multiword_entry_as_its_pattern_does() -> None:
    # "hunt" and "out" are entries of their own and also inner words of longer ones: the
    # pattern never matches them inside a longer entry it has already matched.
    lexicon = Lexicon({"loaded": ["witch hunt", "hunt", "lashed out", "out"], "hedging": ["reportedly"]})
    text = "A witch hunt, he lashed  out; out, reportedly a hunt."
    spans = [(0, len(text))]
    want = [(m.start(), m.end()) for m in lexicon._pattern.finditer(text)]
    assert [(m.start(), m.end()) for m in lexicon._matches(text, spans)] == want
    assert [text[s:e] for s, e in want] == ["witch hunt", "lashed  out", "out", "reportedly", "hunt"]
