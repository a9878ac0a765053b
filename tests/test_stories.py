"""Story clustering: hand-built stories, incremental == batch, large-n path, multilingual, bench."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

import newsprism.corpus.stories as stories_mod
from newsprism.corpus.stories import StoryIndex, cluster_stories, story_id
from newsprism.corpus.stories_graph import average_linkage_dense, average_linkage_sparse
from newsprism.model import Article

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "prague-2024"
DATA = Path(__file__).parent / "data"

FLOOD = [
    "Floods in Valencia kill dozens as torrential rain hits eastern Spain. Rescue teams searched for missing residents in Paiporta on Wednesday.",
    "Spanish authorities said the Valencia floods killed dozens; Paiporta was among the worst-hit towns after torrential rain on Tuesday night.",
    "Torrential rain caused deadly flash floods around Valencia, Spain. In Paiporta, residents described water rising within minutes.",
]
CHESS = [
    "Gukesh Dommaraju won the world chess championship in Singapore, beating Ding Liren in the final classical game.",
    "Ding Liren blundered in the final game in Singapore, handing Gukesh Dommaraju the world chess championship title.",
    "At 18, Gukesh Dommaraju became the youngest world chess champion after defeating Ding Liren in Singapore.",
]
COMET = [
    "Astronomers tracked comet Tsuchinshan-ATLAS as it brightened near the horizon after sunset in October.",
    "Comet Tsuchinshan-ATLAS was visible to the naked eye in October, astronomers said, low on the western horizon.",
]


def _articles() -> list[Article]:
    out = []
    for name, texts in (("flood", FLOOD), ("chess", CHESS), ("comet", COMET)):
        for i, t in enumerate(texts):
            out.append(Article(id=f"{name}{i}", source_path=f"{name}{i}.txt", text=t, outlet=f"outlet{i}"))
    return out


def _membership(stories: list[stories_mod.Story]) -> set[frozenset[str]]:
    return {frozenset(s.articles) for s in stories}


@pytest.fixture(scope="module")
def small() -> list[stories_mod.Story]:
    return cluster_stories(_articles())


def test_three_hand_built_stories(small: list[stories_mod.Story]) -> None:
    assert _membership(small) == {
        frozenset({"flood0", "flood1", "flood2"}),
        frozenset({"chess0", "chess1", "chess2"}),
        frozenset({"comet0", "comet1"}),
    }
    for s in small:
        assert s.id == story_id(s.articles)
        assert s.articles == sorted(s.articles)
        # the title is one member's headline (first sentence here: no title, no segments)
        assert any(a.text.startswith(s.title) for a in _articles() if a.id in s.articles)


def test_story_id_is_order_independent() -> None:
    assert story_id(["b", "a"]) == story_id(["a", "b"]) != story_id(["a"])


def test_incremental_equals_batch(small: list[stories_mod.Story]) -> None:
    arts = _articles()
    random.Random(7).shuffle(arts)
    index = StoryIndex()
    returned = {}
    for a in arts:
        returned[a.id] = index.add(a)
    got = index.stories()
    assert [(s.id, s.title, s.articles) for s in got] == [(s.id, s.title, s.articles) for s in small]
    # add() returned, for the last article, the id of its final story
    last = arts[-1].id
    assert returned[last] == next(s.id for s in got if last in s.articles)
    assert index.add(arts[0]) == next(s.id for s in got if arts[0].id in s.articles)  # idempotent
    assert len(index) == len(arts)
    other = StoryIndex()
    assert other.add_many(arts) == [returned[a.id] if a.id == last else next(s.id for s in got if a.id in s.articles) for a in arts]


def test_large_n_code_path_matches_exact(monkeypatch: pytest.MonkeyPatch, small: list[stories_mod.Story]) -> None:
    monkeypatch.setattr(stories_mod, "EXACT_MAX", 2)  # force candidate pairs + sparse linkage
    assert _membership(cluster_stories(_articles())) == _membership(small)


def test_sparse_linkage_equals_dense_on_full_graph() -> None:
    rng = np.random.default_rng(0)
    pts = np.concatenate([rng.normal(c, 0.3, size=(6, 2)) for c in (0, 5, 10)])
    S = 4.0 - np.abs(pts[:, None, 0] - pts[None, :, 0]) - np.abs(pts[:, None, 1] - pts[None, :, 1])
    iu = np.triu_indices(len(S), 1)
    dense = average_linkage_dense(S, 2.0)
    sparse = average_linkage_sparse(len(S), iu[0], iu[1], S[iu], 2.0)
    assert dense == sparse
    assert sorted(len(g) for g in dense) == [6, 6, 6]


def test_sparse_linkage_by_component_equals_one_pass_over_the_graph() -> None:
    # average_linkage_sparse clusters each component of the pairs at or above the level on
    # its own; _linkage over the whole graph at once is the reference.  Random graphs with
    # weak pairs across components, duplicate pairs and ties.
    from newsprism.corpus.stories_graph import _linkage

    rng = np.random.default_rng(7)
    for trial in range(30):
        n = int(rng.integers(5, 60))
        m = int(rng.integers(n, 6 * n))
        i, j = rng.integers(0, n, m), rng.integers(0, n, m)
        sims = np.round(rng.gamma(2.0, 0.9, m), 1)  # rounded: ties happen
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        want = _linkage(n, lo, hi, sims, 1.9)
        got = average_linkage_sparse(n, lo, hi, sims, 1.9)
        assert got == sorted((sorted(g) for g in want), key=lambda g: g[0]), trial
        assert sorted(x for g in got for x in g) == list(range(n))
    assert any(len(g) > 2 for g in got)  # the graphs do merge: the comparison is not vacuous


def test_time_keeps_far_apart_articles_apart() -> None:
    arts = _articles()[:3]
    arts[2].published = "2024-10-30"
    arts[0].published = arts[1].published = "2021-03-01"
    got = _membership(cluster_stories(arts))
    assert frozenset({"flood2"}) in got


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="samples absent")
def test_samples_are_one_story_and_german_translation_joins() -> None:
    arts = [Article(id=p.name[:3], source_path=str(p), text=p.read_text(encoding="utf-8"))
            for p in sorted(SAMPLES.glob("*.txt"))]
    de = Article(id="de", source_path="translation_de.txt", language="de",
                 text=(DATA / "translation_de.txt").read_text(encoding="utf-8"))
    got = cluster_stories([*arts, de])
    assert len(got) == 1
    assert got[0].articles == ["000", "001", "002", "003", "004", "de"]


def _bench() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        cand = parent / "shared" / "bench" / "clustering"
        if cand.is_dir():
            return cand
    return None


@pytest.mark.bench_data
def test_bench_small_sets_meet_targets() -> None:
    bench = _bench()
    if bench is None:
        pytest.skip("../shared/bench absent")
    from newsprism.eval.clustering import score_set

    assert score_set(bench / "newswcl50_events.jsonl")["b3"]["f1"] >= 0.97
    assert score_set(bench / "biasedsents_events.jsonl")["b3"]["f1"] >= 0.93


class _CountingCache:
    def __init__(self) -> None:
        self.d: dict[str, np.ndarray] = {}
        self.puts = 0

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        return {k: self.d[k] for k in keys if k in self.d}

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self.puts += len(items)
        self.d.update(items)


def test_embed_texts_normalised_cached_and_multilingual() -> None:
    from newsprism.corpus.embeddings import embed_texts

    texts = ["NATO foreign ministers met in Prague on Thursday.",
             "Die NATO-Außenminister trafen sich am Donnerstag in Prag.",
             "The recipe needs two cups of flour and a pinch of salt.",
             "NATO foreign ministers met in Prague on Thursday.", ""]
    cache = _CountingCache()
    v = embed_texts(texts, cache=cache)
    assert v.shape == (5, 512) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[:4], axis=1), 1.0, atol=1e-5)
    assert not v[4].any()  # empty text → zero vector
    assert cache.puts == 3  # the repeated sentence and the empty one are not encoded again
    assert float(v[0] @ v[1]) > 0.6 > 0.3 > float(v[0] @ v[2])
    assert np.array_equal(embed_texts(texts[:1], cache=cache)[0], v[0]) and cache.puts == 3


def test_split_sentences_offsets_and_article_vector() -> None:
    from newsprism.corpus.embeddings import article_texts, embed_article, split_sentences
    from newsprism.model import Segment

    text = "Headline here about Prague\nFirst sentence is here. “Second one,” he said. Ok.\n"
    assert split_sentences(text) == [(0, 26), (27, 50), (51, 73)]  # "Ok." is too short to keep
    assert text[51:73] == "“Second one,” he said."
    art = Article(id="x", source_path="x", text=text,
                  segments=[Segment(0, 26, "headline"), Segment(27, 76, "body"), Segment(77, 80, "other")])
    assert article_texts(art) == ["Headline here about Prague", "First sentence is here.", "“Second one,” he said."]
    vec = embed_article(art)
    assert vec.shape == (512,) and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-5
