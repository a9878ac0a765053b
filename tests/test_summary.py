"""Cited summaries: claim preference, faithfulness of every citation, fallback; NeuS scorer."""

from __future__ import annotations

from typing import Any

import pytest

from newsprism.corpus.summary import (
    FAITHFUL_THRESHOLD,
    check_faithfulness,
    quoted_fraction,
    split_sentences,
    summarize_story,
    summarize_texts,
)
from newsprism.eval import neus
from newsprism.model import Article, Segment

A = (
    "NATO foreign ministers met in Prague on Thursday to discuss military aid for Ukraine.\n"
    "Germany promised Ukraine a new arms package worth 500 million euros.\n"
    "“This is a senseless, brutal and disgraceful war,” one furious official said.\n"
    "The talks will continue on Friday."
)
B = (
    "Ministers of NATO gathered in Prague on Thursday for talks on military aid to Ukraine.\n"
    "Germany pledged a new arms package for Ukraine worth 500 million euros.\n"
    "Russia said the weapons would be destroyed."
)
C = (
    "Prague hosted NATO foreign ministers on Thursday, with aid to Ukraine on the agenda.\n"
    "Germany promised Ukraine a new arms package worth 300 million euros, officials said.\n"
    "The Czech capital was sunny."
)


def _articles() -> list[Article]:
    return [
        Article(id="a", source_path="a", text=A, outlet="Alpha", published="2024-05-31"),
        Article(id="b", source_path="b", text=B, outlet="Beta", published="2024-05-31"),
        Article(id="c", source_path="c", text=C, outlet="Gamma", published="2024-05-31"),
    ]


def _sentences(arts: list[Article]) -> dict[str, list[tuple[int, int]]]:
    return {a.id: split_sentences(a.text) for a in arts}


def _span(text: str, needle: str) -> tuple[int, int]:
    s = text.index(needle)
    return s, s + len(needle)


def _support(art: str, text: str, needle: str) -> dict[str, Any]:
    s, e = _span(text, needle)
    return {"article": art, "start": s, "end": e}


def _claims() -> list[dict[str, Any]]:
    return [
        {
            "id": "c1", "story": "s", "text": "NATO ministers met in Prague", "status": "corroborated",
            "independent_sources": 3,
            "support": [_support("a", A, "NATO foreign ministers met in Prague"),
                        _support("b", B, "Ministers of NATO gathered in Prague"),
                        _support("c", C, "Prague hosted NATO foreign ministers")],
            "conflicts": [],
        },
        {
            "id": "c2", "story": "s", "text": "Germany arms package", "status": "conflicting",
            "independent_sources": 3,
            "support": [_support("a", A, "Germany promised Ukraine"), _support("b", B, "Germany pledged")],
            "conflicts": [{**_support("c", C, "300 million euros"), "kind": "number"}],
        },
        {
            "id": "c3", "story": "s", "text": "Russia said the weapons would be destroyed", "status": "single_source",
            "independent_sources": 1, "support": [_support("b", B, "Russia said the weapons would be destroyed")],
            "conflicts": [],
        },
        {
            "id": "c4", "story": "s", "text": "official called the war senseless", "status": "single_source",
            "independent_sources": 1, "support": [_support("a", A, "This is a senseless, brutal and disgraceful war")],
            "conflicts": [],
        },
    ]  # fmt: skip


def _check_contract(result: dict[str, Any], arts: list[Article]) -> None:
    by_id = {a.id: a for a in arts}
    assert result["sentences"], "empty summary"
    for sent in result["sentences"]:
        assert sent["citations"], f"uncited: {sent['text']}"
        first = sent["citations"][0]
        assert by_id[first["article"]].text[first["start"] : first["end"]] == sent["text"]
        assert len(sent["support_scores"]) == len(sent["citations"])
        for cit in sent["citations"]:
            cited = by_id[cit["article"]].text[cit["start"] : cit["end"]]
            assert check_faithfulness(sent["text"], cited) >= FAITHFUL_THRESHOLD


def test_summary_from_claims() -> None:
    arts = _articles()
    result = summarize_story("s", arts, _claims(), _sentences(arts))
    assert result["story"] == "s"
    _check_contract(result, arts)
    texts = [s["text"] for s in result["sentences"]]
    # The corroborated claim leads and cites all three outlets' sentences.
    first = result["sentences"][0]
    assert "Prague" in first["text"] and "Thursday" in first["text"]
    assert {c["article"] for c in first["citations"]} == {"a", "b", "c"}
    # A conflicting claim is never stated as fact; a mostly-quoted sentence never used.
    assert not any("arms package" in t for t in texts)
    assert not any("senseless" in t for t in texts)
    assert "Russia said the weapons would be destroyed." in texts


def test_fallback_without_claims_cites_sentences_themselves() -> None:
    arts = _articles()
    arts[0].segments = [Segment(0, A.index("\n"), "headline"), Segment(A.index("\n") + 1, len(A), "body")]
    result = summarize_story("s", arts, [], _sentences(arts), max_sentences=3)
    _check_contract(result, arts)
    assert 1 <= len(result["sentences"]) <= 3
    texts = [s["text"] for s in result["sentences"]]
    assert not any(t.startswith("NATO foreign ministers met") for t in texts)  # a headline is never summary
    assert not any("sunny" in t for t in texts)  # said by one source only, not central


def test_faithfulness_scores() -> None:
    s = "Germany promised Ukraine a new arms package worth 500 million euros."
    assert check_faithfulness(s, s) >= 0.95
    assert check_faithfulness(s, "Germany pledged a new arms package for Ukraine worth 500 million euros.") >= 0.6
    # A different number, or an unrelated sentence, does not support it.
    assert check_faithfulness(s, "Germany promised Ukraine a new arms package worth 300 million euros.") < 0.5
    assert check_faithfulness(s, "The Czech capital was sunny on Thursday.") < 0.3
    assert check_faithfulness(s, "") == 0.0


def test_quoted_fraction() -> None:
    assert quoted_fraction("“This is a war,” he said.") > 0.5
    assert quoted_fraction("He didn’t say anything about the war’s end.") == 0.0


def test_summarize_texts_returns_source_sentences() -> None:
    out = summarize_texts([A, B, C], max_sentences=2)
    assert 1 <= len(out) <= 2
    assert all(any(s in d for d in (A, B, C)) for s in out)
    assert summarize_texts([], 3) == [] and summarize_texts(["", "  "], 3) == []


def test_rouge_by_hand() -> None:
    assert neus.rouge("the cat sat", "the cat sat") == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}
    r = neus.rouge("The cat sat on the mat", "the cat lay on a mat")
    # unigrams: overlap the, cat, on, mat = 4 of 6 / 6 -> F1 4/6
    assert r["rouge1"] == pytest.approx(4 / 6)
    # bigrams: overlap "the cat" = 1 of 5 / 5
    assert r["rouge2"] == pytest.approx(1 / 5)
    # LCS the cat on mat = 4
    assert r["rougeL"] == pytest.approx(4 / 6)
    assert neus.rouge("", "x")["rouge1"] == 0.0


def test_neus_beats_lead_on_fixed_slice() -> None:
    from conftest import bench_dir

    bench = bench_dir("mds", "neus_allsides", "val.source").parents[2]
    result = neus.run(bench, "val", limit=60)
    assert result["examples"] == 60
    assert result["summarizer"]["rouge1"] > result["lead_baseline"]["rouge1"]
    assert result["summarizer"]["rouge1"] > 0.36


def test_shared_cached_embedder_gives_the_same_summary() -> None:
    """The pipeline's shared embedder (a memo over the store) stands in for ``embed``."""
    from newsprism.corpus.embeddings import SharedCache, embedder

    arts = _articles()
    plain = summarize_story("s", arts, _claims(), _sentences(arts))
    cache = SharedCache()
    shared = summarize_story("s", arts, _claims(), _sentences(arts), embed=embedder(cache))
    assert [s["text"] for s in shared["sentences"]] == [s["text"] for s in plain["sentences"]]
    assert [s["citations"] for s in shared["sentences"]] == [s["citations"] for s in plain["sentences"]]
    for a, b in zip(shared["sentences"], plain["sentences"], strict=True):
        assert a["support_scores"] == pytest.approx(b["support_scores"], abs=2e-3)


def test_texts_to_embed_are_exactly_what_the_summary_embeds() -> None:
    # The pipeline embeds every story's texts in one call before summarising: that call
    # must cover every text a summary then asks for, or the prefill saves nothing.
    from newsprism.corpus.summary import embed as summary_embed
    from newsprism.corpus.summary import texts_to_embed

    arts = _articles()
    asked: list[str] = []

    def embed(texts: Any) -> Any:
        asked.extend(texts)
        return summary_embed(texts)

    summarize_story("s", arts, _claims(), _sentences(arts), embed=embed)
    assert asked and asked == texts_to_embed(arts, _sentences(arts))


class _Backing:
    """A persistent vector store stand-in that records every read (the EmbeddingCache protocol)."""

    def __init__(self) -> None:
        self.d: dict[str, Any] = {}
        self.reads: list[list[str]] = []

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        self.reads.append(list(keys))
        return {k: self.d[k] for k in keys if k in self.d}

    def put_many(self, items: dict[str, Any]) -> None:
        self.d.update(items)


def test_shared_cache_reads_the_backing_store_once() -> None:
    import numpy as np

    from newsprism.corpus.embeddings import SharedCache

    back = _Backing()
    back.d["k1"] = np.ones(3, dtype=np.float32)
    cache = SharedCache(back)
    assert list(cache.get_many(["k1", "k2"])) == ["k1"]
    cache.put_many({"k2": np.zeros(3, dtype=np.float32)})
    assert set(cache.get_many(["k1", "k2"])) == {"k1", "k2"}
    assert back.reads == [["k1", "k2"]]  # the second read came from the memo
    assert "k2" in back.d  # writes go through


def test_shared_cache_memo_is_bounded_and_falls_back_to_the_store() -> None:
    import numpy as np

    from newsprism.corpus.embeddings import SharedCache

    back = _Backing()
    cache = SharedCache(back, max_items=2)
    cache.put_many({f"k{i}": np.full(3, i, dtype=np.float32) for i in range(3)})
    assert cache.get_many(["k1", "k2"]).keys() == {"k1", "k2"} and back.reads == []  # the two newest
    got = cache.get_many(["k0"])  # evicted from the memo, read back from the store
    assert back.reads == [["k0"]] and float(got["k0"][0]) == 0.0
    assert cache.get_many(["k2"]) and back.reads == [["k0"]]  # k2 was used more recently than k1
    assert cache.get_many(["k1"]) and back.reads == [["k0"], ["k1"]]


def test_summary_in_another_process_is_the_same_summary() -> None:
    """A story summarised from its ``summary_job`` in a worker process (``PoolMap``, as the
    pipeline hands stories to the encoder processes) is the summary made here with the
    same embedder; and without a pool ``PoolMap`` does the same work in this process."""
    import multiprocessing

    from newsprism.corpus.embeddings import SharedCache, embedder
    from newsprism.corpus.summary import summarize_job, summary_job
    from newsprism.workers import PoolMap

    arts = _articles()
    embed = embedder(SharedCache())
    here = summarize_story("s", arts, _claims(), _sentences(arts), embed=embed)
    jobs = [summary_job("s", arts, _claims(), _sentences(arts), embed), summary_job("t", arts[:1], [], _sentences(arts), embed)]
    alone = summarize_story("t", arts[:1], [], _sentences(arts), embed=embed)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert PoolMap(summarize_job, jobs, pool).get() == [here, alone]
    assert PoolMap(summarize_job, jobs).get() == [here, alone]
    assert here["sentences"]
