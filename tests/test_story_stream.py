"""Streaming story assignment (StoryStream): joins, new stories, stream vs batch, multilingual, large-n path."""

from __future__ import annotations

from pathlib import Path

import pytest

import newsprism.corpus.stories as stories_mod
from newsprism.corpus.stories import cluster_stories, story_id
from newsprism.corpus.story_stream import StoryStream, build
from newsprism.model import Article

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "prague-2024"
DATA = Path(__file__).parent / "data"

STORIES = {
    "flood": [
        "Floods in Valencia kill dozens as torrential rain hits eastern Spain. Rescue teams searched for missing residents in Paiporta on Wednesday.",
        "Spanish authorities said the Valencia floods killed dozens; Paiporta was among the worst-hit towns after torrential rain on Tuesday night.",
        "Torrential rain caused deadly flash floods around Valencia, Spain. In Paiporta, residents described water rising within minutes.",
        "Rescuers in Paiporta kept searching for the missing after the Valencia floods, as Spain mourned dozens killed by torrential rain.",
    ],
    "chess": [
        "Gukesh Dommaraju won the world chess championship in Singapore, beating Ding Liren in the final classical game.",
        "Ding Liren blundered in the final game in Singapore, handing Gukesh Dommaraju the world chess championship title.",
        "At 18, Gukesh Dommaraju became the youngest world chess champion after defeating Ding Liren in Singapore.",
        "Gukesh Dommaraju's victory over Ding Liren in Singapore made him world chess champion at 18.",
    ],
    "comet": [
        "Astronomers tracked comet Tsuchinshan-ATLAS as it brightened near the horizon after sunset in October.",
        "Comet Tsuchinshan-ATLAS was visible to the naked eye in October, astronomers said, low on the western horizon.",
        "Skywatchers photographed comet Tsuchinshan-ATLAS low on the horizon after sunset, astronomers said in October.",
    ],
    "volcano": [
        "The Sundhnúkur volcano on Iceland's Reykjanes peninsula erupted again, and Grindavík was evacuated overnight.",
        "Lava from the Sundhnúkur eruption flowed towards Grindavík as Iceland evacuated the Blue Lagoon on the Reykjanes peninsula.",
        "Iceland's Reykjanes peninsula saw another Sundhnúkur eruption; authorities evacuated Grindavík and the Blue Lagoon.",
    ],
}
UNRELATED = "The recipe needs two cups of flour, a pinch of salt and butter; bake the sourdough loaf for forty minutes."


def _articles() -> list[Article]:
    return [Article(id=f"{name}{i}", source_path=f"{name}{i}.txt", text=t, outlet=f"outlet{i}")
            for name, texts in STORIES.items() for i, t in enumerate(texts)]  # fmt: skip


def _partition(stories: list[stories_mod.Story]) -> set[frozenset[str]]:
    return {frozenset(s.articles) for s in stories}


def _truth() -> set[frozenset[str]]:
    return {frozenset(f"{name}{i}" for i in range(len(texts))) for name, texts in STORIES.items()}


@pytest.fixture(scope="module")
def batch_all() -> list[stories_mod.Story]:
    got = cluster_stories(_articles())
    assert _partition(got) == _truth()  # the hand-built set is what the batch says it is
    return got


def test_build_starts_from_exactly_the_batch(batch_all: list[stories_mod.Story]) -> None:
    stream = build(_articles())
    assert [(s.id, s.title, s.articles) for s in stream.stories()] == [(s.id, s.title, s.articles) for s in batch_all]
    assert len(stream) == len(_articles())


def test_new_article_about_existing_story_joins_it() -> None:
    arts = _articles()
    new = next(a for a in arts if a.id == "flood3")
    stream = build([a for a in arts if a.id != "flood3"])
    before = stream.story_of("flood0")
    sid = stream.assign(new)
    assert sid == story_id(["flood0", "flood1", "flood2", "flood3"])  # the batch's id for that membership
    assert stream.story_of("flood0") == sid and stream.resolve(before) == sid
    assert stream.assign(new) == sid  # idempotent
    assert len(stream) == len(arts)


def test_unrelated_article_opens_a_new_story() -> None:
    stream = build(_articles())
    n_before = len(stream.stories())
    sid = stream.assign(Article(id="bread", source_path="bread.txt", text=UNRELATED))
    assert sid == story_id(["bread"])  # the batch's id for a singleton
    got = stream.stories()
    assert len(got) == n_before + 1
    assert next(s for s in got if s.id == sid).articles == ["bread"]


def test_far_apart_in_time_opens_a_new_story() -> None:
    arts = _articles()
    for a in arts:
        a.published = "2024-10-30"
    late = next(a for a in arts if a.id == "flood3")
    late.published = "2021-03-01"
    stream = build([a for a in arts if a is not late])
    assert stream.assign(late) == story_id(["flood3"])


def _stream_half(batch_ids: set[str]) -> tuple[StoryStream, dict[str, str]]:
    arts = _articles()
    stream = build([a for a in arts if a.id in batch_ids])
    returned = {a.id: stream.assign(a) for a in arts if a.id not in batch_ids}
    return stream, returned


def test_half_batch_then_stream_equals_batch_over_all(batch_all: list[stories_mod.Story]) -> None:
    # First half (every other article, so each story is part-stored and part-streamed).
    ids = [a.id for a in _articles()]
    stream, returned = _stream_half(set(ids[::2]))
    got = stream.stories()
    assert _partition(got) == _partition(batch_all)
    assert {s.id for s in got} == {s.id for s in batch_all}  # ids: same content-hash scheme
    for aid, sid in returned.items():  # every returned id still resolves to the article's story
        assert stream.resolve(sid) == stream.story_of(aid)


def test_stream_born_story_collects_its_later_articles(batch_all: list[stories_mod.Story]) -> None:
    # The volcano story is entirely streamed: its first article opens a story, the next join it.
    ids = [a.id for a in _articles() if not a.id.startswith("volcano")]
    stream, returned = _stream_half(set(ids))
    assert returned["volcano0"] == story_id(["volcano0"])
    assert returned["volcano2"] == story_id(["volcano0", "volcano1", "volcano2"])
    assert _partition(stream.stories()) == _partition(batch_all)


def test_large_n_candidate_path(monkeypatch: pytest.MonkeyPatch, batch_all: list[stories_mod.Story]) -> None:
    # Force the ANN (HNSW) + rare-term candidate path the stream uses above EXACT_MAX.
    monkeypatch.setattr(stories_mod, "EXACT_MAX", 2)
    ids = [a.id for a in _articles()]
    stream, _ = _stream_half(set(ids[::2]))
    assert _partition(stream.stories()) == _partition(batch_all)


def test_empty_start_streams_every_article() -> None:
    # From nothing, every statistic is the stream's own: each article still lands in one story
    # whose id is the content hash of its members.
    stream = build([])
    for a in _articles():
        stream.assign(a)
    got = stream.stories()
    assert sorted(x for s in got for x in s.articles) == sorted(a.id for a in _articles())
    assert all(s.id == story_id(s.articles) for s in got)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="samples absent")
def test_german_translation_joins_the_english_story() -> None:
    arts = [Article(id=p.name[:3], source_path=str(p), text=p.read_text(encoding="utf-8"))
            for p in sorted(SAMPLES.glob("*.txt"))]  # fmt: skip
    de = Article(id="de", source_path="translation_de.txt", language="de",
                 text=(DATA / "translation_de.txt").read_text(encoding="utf-8"))  # fmt: skip
    stream = build(arts)
    assert len(stream.stories()) == 1
    assert stream.assign(de) == story_id(["000", "001", "002", "003", "004", "de"])
    assert [s.articles for s in stream.stories()] == [["000", "001", "002", "003", "004", "de"]]
