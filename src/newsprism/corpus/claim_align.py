"""Align claim units across a story's articles into claims, and give each a status.

Contract of ``align_claims`` (re-exported by ``newsprism.corpus.claims``):

* every input unit of an article in ``articles`` ends up in exactly one claim, as a
  ``support`` span; a claim holds **at most one unit per article** (the best-matching one),
  so ``support`` reads as "which articles say this";
* ``independent_sources`` = number of distinct families among the supporting articles
  (``families``: lists of article ids that copy/translate one another count once);
* ``status``: ``conflicting`` when two aligned units disagree (``claim_conflict`` rules:
  number, date, negation, speaker, actor), or when a unit of another claim that is close
  enough to be the same statement (MSRP cut; for a date/number clash between units sharing
  an actor or speaker, ``CONFLICT_REACH`` below it) contradicts it; then ``conflicts``
  lists the contradicting spans with their kind: both sides when two of the claim's own
  articles disagree, only the other claim's span otherwise.  Else ``corroborated`` with ≥ 2
  independent sources, else ``single_source``;
* ``text`` is the most representative unit (highest total similarity to the others;
  earliest article on ties); claims come out in order of their first unit in the story.

Matching uses ``claim_match`` (the same scorer measured on MSRP) over the units' *cores*
(``claim_conflict.parse_units``: the main clause without background clauses), adjusted by
± ``SUBJECT_BONUS`` when the proper-noun subjects agree / are disjoint, on candidate pairs: all
cross-article pairs whose embedding cosine passes a cheap prefilter when the story has at
most ``EXACT_LIMIT`` units, else each unit's ``NEIGHBOURS`` nearest neighbours (exact,
``knn.cosine_neighbours``), so large stories stay sub-quadratic.  Clustering is greedy average
linkage over the scored pairs, strongest first, never merging two groups that share an
article.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from newsprism.corpus import claim_conflict
from newsprism.corpus.claim_match import (
    content_words,
    default_embed,
    feature_rows,
    pair_cosines,
    score_features,
    text_stats,
    threshold,
    unit_rows,
)
from newsprism.corpus.claims import Claim, ClaimUnit, Evidence
from newsprism.ids import content_id

if TYPE_CHECKING:
    from newsprism.model import Article

EXACT_LIMIT = 2000
NEIGHBOURS = 15
COS_PREFILTER = 0.3  # below this USE cosine (of whole units) no pair is worth scoring
# Added to MSRP's F1-optimal threshold for alignment.  0: cores are short and precise, and
# the subject malus already keeps topically related sentences about other actors apart.
ALIGN_MARGIN = 0.0
# Entity agreement: the same proper-noun subject makes a match likelier, disjoint ones less.
SUBJECT_BONUS = 0.15
MIN_CORE_WORDS = 4  # a shorter core has lost the fact: fall back to the whole unit
# How far below the MSRP cut a date/number clash is still checked, when both units share an
# actor or a named speaker (the clash itself lowers the similarity).
CONFLICT_REACH = 0.12


def align_threshold() -> float:
    """The score two units need to be the same claim."""
    return min(0.95, threshold() + ALIGN_MARGIN)


def _subject_adjust(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    # Same actors (Jaccard ≥ 0.5) → bonus; no actor in common → malus; partly shared → neutral.
    inter = len(a & b)
    if inter == 0:
        return -SUBJECT_BONUS
    return SUBJECT_BONUS if inter / len(a | b) >= 0.5 else 0.0


def _candidate_pairs(vecs: np.ndarray, arts: list[int]) -> list[tuple[int, int, float]]:
    """(i, j, cos) with i < j, units from different articles (see module docstring)."""
    n = len(vecs)
    pairs: list[tuple[int, int, float]] = []
    if n <= EXACT_LIMIT:
        sims = vecs @ vecs.T
        ii, jj = np.nonzero(np.triu(sims >= COS_PREFILTER, k=1))
        # Cross-article pairs only, selected as arrays (row-major order, as before).
        art = np.asarray(arts)
        keep = art[ii] != art[jj]
        ii, jj = ii[keep], jj[keep]
        return list(zip(ii.tolist(), jj.tolist(), sims[ii, jj].tolist(), strict=True))
    from newsprism.corpus.knn import cosine_neighbours

    sims, idx = cosine_neighbours(vecs, NEIGHBOURS + 1)
    seen: set[tuple[int, int]] = set()
    for i in range(n):
        for s, j in zip(sims[i].tolist(), idx[i].tolist(), strict=True):
            a, b = (i, j) if i < j else (j, i)
            if a != b and arts[a] != arts[b] and (a, b) not in seen and s >= COS_PREFILTER:
                seen.add((a, b))
                pairs.append((a, b, s))
    return pairs


def _cluster(n: int, arts: list[int], scores: dict[tuple[int, int], float], cut: float) -> list[list[int]]:
    """Greedy average linkage with an at-most-one-unit-per-article constraint."""
    group = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for (i, j), s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        if s < cut:
            break
        gi, gj = group[i], group[j]
        if gi == gj:
            continue
        mi, mj = members[gi], members[gj]
        if {arts[x] for x in mi} & {arts[y] for y in mj}:
            continue
        # Average over every cross pair; an unscored pair (below the prefilter or not a
        # neighbour) counts as 0, so chains of weak links cannot merge unrelated claims.
        link = sum(scores.get((min(x, y), max(x, y)), 0.0) for x in mi for y in mj) / (len(mi) * len(mj))
        if link < cut:
            continue
        members[gi] = mi + mj
        for y in mj:
            group[y] = gi
        del members[gj]
    return sorted((sorted(m) for m in members.values()), key=lambda m: m[0])


def _family_of(families: list[list[str]] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, fam in enumerate(families or []):
        for aid in fam:
            out.setdefault(aid, k)
    return out


def _rep(unit: ClaimUnit, core: str) -> str:
    """What a unit is scored by: its core, or its whole text when the core is too short to
    carry a fact."""
    return core if len(content_words(core)) >= MIN_CORE_WORDS else unit.text


def texts_to_embed(units: list[ClaimUnit]) -> list[str]:
    """Every text ``score_pairs`` may embed for ``units`` (their texts, and the cores they
    carry), so a caller can embed many stories' units in one call, on every core."""
    return [u.text for u in units] + [_rep(u, u.core) for u in units if u.core is not None]


def score_pairs(units: list[ClaimUnit], embed: Callable[[list[str]], np.ndarray] | None = None,
                cache: claim_conflict.ResultCache | None = None,
                ) -> tuple[dict[tuple[int, int], float], dict[int, set[str]]]:  # fmt: skip
    """Alignment scores of candidate unit pairs ``{(i, j): score}`` (i < j, different
    articles) and the proper-noun subject of every unit involved.

    score = ``same_claim`` features over the units' cores (see ``claim_conflict.parse_units``)
    ± ``SUBJECT_BONUS`` for agreeing / disjoint subjects.  ``cache`` keeps the units' parses
    across runs (``parse_units``).
    """
    ids = {a: k for k, a in enumerate(dict.fromkeys(u.article for u in units))}
    arts = [ids[u.article] for u in units]
    vecs = unit_rows((embed or default_embed)([u.text for u in units]))
    cand = _candidate_pairs(vecs, arts)
    scores: dict[tuple[int, int], float] = {}
    involved = sorted({k for i, j, _ in cand for k in (i, j)})
    # units cut from the pipeline's parse carry their core; others are parsed here (cached)
    parsed = {k: claim_conflict.Parsed(u.core, set(u.subject))
              for k in involved if (u := units[k]).core is not None and u.subject is not None}  # fmt: skip
    todo = [k for k in involved if k not in parsed]
    parsed.update(zip(todo, claim_conflict.parse_units([units[k].text for k in todo], cache=cache), strict=True))
    subjects = {k: p.subject for k, p in parsed.items()}
    if cand:
        # Score the cores; a unit whose core is too short to carry a fact is represented
        # by its whole text.
        rep = {k: _rep(units[k], p.core) for k, p in parsed.items()}
        rep_texts = sorted(set(rep.values()))
        rvecs = unit_rows((embed or default_embed)(rep_texts))
        pos = {t: n for n, t in enumerate(rep_texts)}
        # Tokenise each text once, and compute the features of all pairs together.
        stats = [text_stats(t) for t in rep_texts]
        left = [pos[rep[i]] for i, _, _ in cand]
        right = [pos[rep[j]] for _, j, _ in cand]
        cos = pair_cosines(rvecs, left, right)
        x = feature_rows(stats, left, right, cos)
        for (i, j, _), s in zip(cand, score_features(x).tolist(), strict=True):
            scores[(i, j)] = s + _subject_adjust(subjects[i], subjects[j])
    return scores, subjects


def align_claims(
    story_id: str,
    units: list[ClaimUnit],
    articles: list[Article],
    families: list[list[str]] | None = None,
    embed: Callable[[list[str]], np.ndarray] | None = None,
    cache: claim_conflict.ResultCache | None = None,
) -> list[Claim]:
    """Claims of one story (see the module docstring for the contract).

    ``embed``: texts → unit vectors (default: the USE encoder, uncached); ``cache``: a
    persistent store for the units' parses.  Neither changes what is computed.
    """
    order = {a.id: k for k, a in enumerate(articles)}
    units = sorted((u for u in units if u.article in order), key=lambda u: (order[u.article], u.start, u.end))
    if not units:
        return []
    arts = [order[u.article] for u in units]
    # Pairs are across articles only: a story of one article has none, and its units need
    # no vectors (a feed has many such stories).
    scores, subjects = score_pairs(units, embed, cache) if len(set(arts)) > 1 else ({}, {})
    clusters = _cluster(len(units), arts, scores, align_threshold())

    fam = _family_of(families)
    # A unit's facts are read only where it is compared with another (most units are
    # claims of their own and never are): extracted on first use.
    facts: dict[int, claim_conflict.Facts] = {}

    def fact(i: int) -> claim_conflict.Facts:
        if i not in facts:
            facts[i] = claim_conflict.extract(units[i].text)
        return facts[i]

    cluster_of = {i: n for n, c in enumerate(clusters) for i in c}
    # Conflict checks: every pair inside a claim, plus pairs across claims that the MSRP
    # cut (looser than the alignment cut) calls the same statement.  A report that gets
    # the day or the figure wrong is often *less* similar for it, so it may not have
    # joined the claim; it still contradicts it.  Actor checks only inside claims: across
    # claims a different subject is usually just a different fact.
    # With the same actor or speaker, a date or figure clash is checked a little further
    # out (``CONFLICT_REACH`` below the cut).
    loose = threshold()
    checks: dict[int, list[tuple[int, int, bool]]] = {n: [] for n in range(len(clusters))}
    for n, c in enumerate(clusters):
        checks[n] = [(i, j, False) for x_i, i in enumerate(c) for j in c[x_i + 1 :]]
    for (i, j), sc in scores.items():
        if cluster_of[i] == cluster_of[j] or sc < loose - CONFLICT_REACH:
            continue
        if sc < loose:  # a little further out: with the same actor or speaker only
            same_actor = _subject_adjust(subjects.get(i, set()), subjects.get(j, set())) > 0 or bool(
                set().union(*fact(i).speakers) & set().union(*fact(j).speakers)
            )
            if not same_actor:
                continue
        only_facts = sc < loose
        checks[cluster_of[i]].append((i, j, only_facts))
        checks[cluster_of[j]].append((j, i, only_facts))

    claims: list[Claim] = []
    for n, c in enumerate(clusters):

        def total(i: int, c: list[int] = c) -> float:
            return sum(scores.get((min(i, j), max(i, j)), 0.0) for j in c if j != i)

        rep = max(c, key=lambda i: (total(i), -i))
        support = [Evidence(units[i].article, units[i].start, units[i].end) for i in c]
        conflicts: list[Evidence] = []
        details: list[str] = []
        seen: set[tuple[str, int, int, str]] = set()
        for i, j, only_facts in checks[n]:
            inside = cluster_of[j] == n
            found = claim_conflict.compare(fact(i), fact(j), subjects.get(i) if inside else None,
                                           subjects.get(j) if inside else None)  # fmt: skip
            for kind, why in found:
                if only_facts and kind not in ("date", "number"):
                    continue
                details.append(f"{kind}: {units[i].article} vs {units[j].article}: {why}")
                # Two articles of this claim disagreeing: both sides.  A unit of another
                # claim contradicting this one: only that unit, so a claim's own support
                # never reads as contradicting it.
                for k in (i, j) if inside else (j,):
                    key = (units[k].article, units[k].start, units[k].end, kind)
                    if key not in seen:
                        seen.add(key)
                        conflicts.append(Evidence(units[k].article, units[k].start, units[k].end, kind))
        independent = len({fam.get(units[i].article, -1 - arts[i]) for i in c})
        if conflicts:
            status = "conflicting"
        elif independent >= 2:
            status = "corroborated"
        else:
            status = "single_source"
        cid = content_id(story_id, *(f"{units[i].article}:{units[i].start}:{units[i].end}" for i in c), prefix="c")
        claims.append(Claim(cid, story_id, units[rep].text, status, independent, support, conflicts, details))
    return claims
