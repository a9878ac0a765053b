"""Families: duplicates, rewrites and translations; independent source counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsprism.corpus.families import Family, align, find_families, independent_sources, shingles
from newsprism.model import Article

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "prague-2024"

WIRE = (
    "NATO foreign ministers met in Prague on Thursday to prepare a package of support for Ukraine. "
    "The meeting was overshadowed by a debate over whether Kyiv may use Western weapons against targets inside Russia. "
    "The United States and Germany have so far opposed such strikes, fearing escalation. "
    "Secretary General Jens Stoltenberg said allies should reconsider the restrictions. "
    "Russia warned of serious consequences if the West gave its approval. "
    "The ministers will meet again before the summit in Washington in July."
)
REWRITE = (
    "NATO foreign ministers gathered in Prague on Thursday to prepare a package of support for Ukraine. "
    "The meeting was overshadowed by a debate over whether Kyiv may use Western weapons against targets inside Russia. "
    "The United States and Germany have so far opposed such strikes, fearing escalation. "
    "Russia warned of serious consequences if the West gave its approval, a Kremlin spokesman told reporters."
)
OTHER = (
    "Gukesh Dommaraju won the world chess championship in Singapore on Thursday, beating Ding Liren. "
    "The 18-year-old became the youngest undisputed champion in the history of the game. "
    "Ding blundered a rook in a drawn endgame in the final classical game."
)


def _a(aid: str, text: str, language: str | None = None) -> Article:
    return Article(id=aid, source_path=f"{aid}.txt", text=text, language=language)


@pytest.fixture(scope="module")
def fams() -> list[Family]:
    return find_families([
        _a("wire", WIRE),
        _a("copy", WIRE + " Comments are closed."),
        _a("edit", REWRITE),
        _a("chess", OTHER),
    ])


def test_duplicate_and_rewrite(fams: list[Family]) -> None:
    by_rel = {f.relation: f for f in fams}
    assert by_rel["duplicate"].articles == ["copy", "wire"]
    assert by_rel["duplicate"].evidence["pairs"]["copy|wire"]["containment"] == 1.0
    assert by_rel["rewrite"].articles == ["copy", "edit", "wire"]
    for ev in by_rel["rewrite"].evidence["pairs"].values():
        assert 0.5 <= ev["containment"] < 1.0 and ev["jaccard"] < 0.9
    assert all("chess" not in f.articles for f in fams)


def test_independent_sources(fams: list[Family]) -> None:
    assert independent_sources(["wire", "copy", "edit", "chess"], fams) == 2
    assert independent_sources(["wire", "chess"], fams) == 2
    assert independent_sources(["chess", "chess"], []) == 1
    assert independent_sources([], fams) == 0


def test_shingles() -> None:
    assert shingles("A b c d") == {"a b c", "b c d"}
    assert shingles("one two") == {"one two"}
    assert shingles("") == set()


def test_align_order_and_coverage() -> None:
    eye = np.eye(4, dtype=np.float32)
    assert align(eye, eye, 0.9) == {"coverage": 1.0, "order": 1.0, "mean_cos": 1.0}
    rev = align(eye, eye[::-1].copy(), 0.9)
    assert rev["coverage"] == 1.0 and rev["order"] == 0.25
    assert align(eye[:2], np.eye(4, dtype=np.float32)[2:], 0.9)["coverage"] == 0.0


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="samples absent")
def test_samples_and_german_translation() -> None:
    arts = [_a(p.name[:3], p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.txt"))]
    # No two of the five samples copy each other (000 rewrites wire copy that is not here).
    assert find_families(arts) == []
    de = _a("de", (DATA / "translation_de.txt").read_text(encoding="utf-8"), language="de")
    fams = find_families([*arts, de])
    assert [(f.relation, f.articles) for f in fams] == [("translation", ["004", "de"])]
    ev = fams[0].evidence["pairs"]["004|de"]
    assert ev["languages"] == ["en", "de"] and ev["coverage"] >= 0.8 and ev["order"] == 1.0
    assert independent_sources([a.id for a in arts] + ["de"], fams) == 5


def test_shingle_hashes_give_the_shingle_sets_figures() -> None:
    from newsprism.corpus.families import shingle_hashes

    a, b = WIRE, REWRITE
    sa, sb = shingles(a), shingles(b)
    ha, hb = shingle_hashes(a), shingle_hashes(b)
    assert (len(ha), len(hb)) == (len(sa), len(sb))
    assert len(np.intersect1d(ha, hb, assume_unique=True)) == len(sa & sb)


def test_lsh_candidates_share_a_band() -> None:
    from newsprism.corpus.families import _BANDS, _ROWS, _lsh_candidates

    k = _BANDS * _ROWS
    base = np.arange(k, dtype=np.uint64)
    other = base + np.uint64(1000)
    one_band = other.copy()
    one_band[_ROWS * 3 : _ROWS * 4] = base[_ROWS * 3 : _ROWS * 4]  # equal on band 3 only
    half_band = base + np.uint64(5000)
    half_band[_ROWS * 5] = base[_ROWS * 5]  # one row of a band is not a band
    sigs = np.stack([base, other + np.uint64(7), one_band, half_band])
    assert _lsh_candidates(sigs).tolist() == [[0, 2]]


def _brute_duplicate_components(arts: list[Article]) -> set[frozenset[str]]:
    """Duplicate families from every pair's exact Jaccard (the quadratic reference)."""
    from newsprism.corpus.families import DUPLICATE_JACCARD, _components

    sets = [shingles(a.text) for a in arts]
    edges = [(i, j) for i in range(len(arts)) for j in range(i + 1, len(arts))
             if len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= DUPLICATE_JACCARD]  # fmt: skip
    root = _components(len(arts), edges)
    groups: dict[int, set[str]] = {}
    for i, j in edges:
        groups.setdefault(root[i], set()).update({arts[i].id, arts[j].id})
    return {frozenset(g) for g in groups.values()}


def test_families_match_all_pairs_and_list_a_spanning_tree() -> None:
    import random

    rng = random.Random(7)
    arts = []
    for base, text in (("w", WIRE), ("r", REWRITE), ("c", OTHER)):
        words = text.split()
        for k in range(12):
            w = list(words)
            for _ in range(rng.randrange(0, 4)):  # a few words changed: some copies stay duplicates
                w[rng.randrange(len(w))] = rng.choice(["new", "old", "said", "today"])
            arts.append(_a(f"{base}{k:02d}", " ".join(w)))
    fams = find_families(arts)
    dups = {frozenset(f.articles) for f in fams if f.relation == "duplicate"}
    assert dups == _brute_duplicate_components(arts)
    assert len(dups) >= 3
    for f in fams:
        # n articles joined by n - 1 pairs, each pair inside the family
        assert len(f.evidence["pairs"]) == len(f.articles) - 1
        assert {x for p in f.evidence["pairs"] for x in p.split("|")} == set(f.articles)


def test_a_bucket_bigger_than_the_limit_still_makes_one_family() -> None:
    from newsprism.corpus.families import BIG_BUCKET

    n = BIG_BUCKET + 44
    arts = [_a(f"copy{k:04d}", WIRE + f" Filed as copy number {k}.") for k in range(n)]
    fams = find_families(arts)
    assert [(f.relation, len(f.articles), len(f.evidence["pairs"])) for f in fams] == [("duplicate", n, n - 1)]
