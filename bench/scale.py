"""Corpus stages at scale, without NLP: ``python -m bench.scale N``.

Builds ``N`` synthetic articles (:func:`bench.corpora.synthetic_records`: real texts,
perturbed copies) and measures, in this order:

1. ``embed``: the document and sentence vectors every corpus stage reads, computed once
   into an in-memory cache (the SQLite store plays this part in ``newsprism analyze``).
   The copies share most sentences, so only the distinct sentences are encoded; the count
   is reported.  The stages below then read vectors from the cache (as a re-run does).
2. ``families`` (:func:`newsprism.corpus.families.find_families`) and batch ``stories``
   (:func:`newsprism.corpus.stories.cluster_stories`) over a ladder of sizes up to ``N``;
   a size is skipped when the previous one predicts (linearly, times a safety factor) more
   than ``--budget`` seconds, and the JSON says the largest size actually measured.
3. Streaming story assignment: a :class:`newsprism.corpus.story_stream.StoryStream` is
   built from the batch clustering of the largest measured stories size (its build time
   and index are reported), then ``--stream`` new articles are assigned one at a time and
   each ``assign`` is timed (median / p95 / max ms; stops early after ``--stream-budget``
   seconds).  Their document vectors come from the cache (the encoder's cost per article is
   reported separately, uncached, over 10 articles).  When the budget allows, one batch
   re-cluster over stored + assigned measures how often the stream put an article in the
   same story as the batch (``stream_same_story_as_batch``).

Prints progress on stderr and one JSON line (the last line of stdout) for ``bench.run``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from typing import Any

import numpy as np

from bench.corpora import synthetic_records
from newsprism.ids import article_id
from newsprism.model import Article

LADDER = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
SAFETY = 1.5  # a doubling of n is predicted to cost at least SAFETY x the linear share


class DictCache:
    """In-memory embedding cache (the EmbeddingCache protocol), counting what is written."""

    def __init__(self) -> None:
        self.d: dict[str, np.ndarray] = {}

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        d = self.d
        return {k: d[k] for k in keys if k in d}

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self.d.update(items)


def log(msg: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (0 where the OS cannot tell)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux
        return 0.0
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def build(n: int, extra: int) -> tuple[list[Article], list[Article]]:
    """``n`` stored articles and ``extra`` further ones (for streaming), all distinct ids."""
    import py3langid

    langs: dict[str, str] = {}
    out: list[Article] = []
    seen: set[str] = set()
    for i, rec in enumerate(synthetic_records(n + extra)):
        text = rec["text"]
        src = rec["url"]
        aid = article_id(text, src)
        if aid in seen:  # pragma: no cover - urls are unique
            continue
        seen.add(aid)
        # Language is detected once per base text (perturbing keeps the language), as the
        # ingest stage would have set it.
        key = rec["title"] or text[:200]
        if key not in langs:
            langs[key] = str(py3langid.classify(text[:2000])[0])
        out.append(Article(id=aid, source_path=f"synthetic/{i}", text=text, outlet=rec["outlet"], url=src,
                           title=rec["title"] or None, published=rec["published"], language=langs[key],
                           input_format="jsonl"))  # fmt: skip
    return out[:n], out[n:]


def sizes(n: int) -> list[int]:
    return sorted({s for s in LADDER if s < n} | {n})


def ladder(name: str, fn: Any, arts: list[Article], budget: float, res: dict[str, Any]) -> int:
    """Run ``fn(arts[:s])`` for growing sizes s; record times; return the largest size measured."""
    done = 0
    prev: tuple[int, float] | None = None
    for s in sizes(len(arts)):
        if prev is not None:
            predicted = prev[1] * (s / prev[0]) * SAFETY
            if predicted > budget:
                log(f"{name}: skipping {s:,} (predicted {predicted:.0f}s > budget {budget:.0f}s)")
                res[f"{name}_skipped_at"] = s
                res[f"{name}_skipped_predicted_s"] = round(predicted, 1)
                break
        t = time.perf_counter()
        out = fn(arts[:s])
        dt = time.perf_counter() - t
        log(f"{name}: {s:,} articles in {dt:.1f}s ({len(out):,} groups)")
        res[f"{name}_s_at_{s}"] = round(dt, 2)
        res[f"{name}_groups_at_{s}"] = len(out)
        done, prev = s, (s, dt)
    res[f"{name}_batch_articles"] = done
    if done:
        res[f"{name}_batch_s"] = res[f"{name}_s_at_{done}"]
        res[f"{name}_batch_articles_per_s"] = round(done / max(res[f"{name}_batch_s"], 1e-9), 1)
    return done


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="articles")
    ap.add_argument("--budget", type=float, default=600.0, help="seconds allowed for one batch run of a stage")
    ap.add_argument("--stream", type=int, default=200, help="new articles assigned one at a time")
    ap.add_argument("--stream-budget", type=float, default=120.0, help="seconds allowed for the streaming assigns")
    ap.add_argument("--skip-families", action="store_true")
    ap.add_argument("--encoders", type=int, default=2, help="encoder processes (1: encode in this process)")
    args = ap.parse_args()
    res: dict[str, Any] = {"articles": args.n}
    t0 = time.perf_counter()

    from bench.proctree import TreeSampler

    # The encoder processes' memory, sampled from /proc (they are not this process's children).
    tree = TreeSampler(os.getpid(), interval=1.0).__enter__()
    t = time.perf_counter()
    arts, extra = build(args.n, args.stream)
    res["build_s"] = round(time.perf_counter() - t, 2)
    res["words"] = sum(len(a.text.split()) for a in arts)
    res["peak_mb_after_build"] = peak_mb()
    log(f"built {len(arts):,} + {len(extra):,} articles ({res['words']:,} words) in {res['build_s']}s")

    from newsprism.corpus import embeddings as emb

    # As in ``newsprism analyze``: sentences are encoded in encoder processes, so this
    # process, which runs the corpus stages, never holds the encoder (weights and per-piece
    # table); their own peak is reported as ``child_process_peak_rss_mb`` / ``_pss_mb``.
    emb.set_encoder_processes(args.encoders)
    cache = DictCache()
    t = time.perf_counter()
    # Document vectors (stories, families) and the sentence vectors the families' alignment reads.
    # Document vectors of every article (stories and families read them).  The families'
    # sentence vectors are left to find_families, which encodes only its translation
    # candidates' sentences (counted below as families_encoded_texts).
    emb.embed_articles(arts + extra, cache=cache)
    res["embed_doc_vectors_s"] = round(time.perf_counter() - t, 2)
    res["embed_distinct_texts"] = len(cache.d)
    res["embed_texts_per_s"] = round(len(cache.d) / max(res["embed_doc_vectors_s"], 1e-9), 1)
    res["peak_mb_after_embed"] = peak_mb()
    log(f"embedded {len(cache.d):,} distinct texts in {res['embed_doc_vectors_s']}s (cached for the stages below)")

    from newsprism.corpus import stories
    from newsprism.corpus.families import find_families
    from newsprism.corpus.stories import cluster_stories

    if not args.skip_families:
        encoded_before = len(cache.d)
        ladder("families", lambda xs: find_families(xs, cache=cache), arts, args.budget, res)
        res["families_encoded_texts"] = len(cache.d) - encoded_before
        res["peak_mb_after_families"] = peak_mb()
    stored = ladder("stories", lambda xs: cluster_stories(xs, cache=cache), arts, args.budget, res)
    res["peak_mb_after_stories"] = peak_mb()

    # Streaming: a StoryStream built from the batch clustering of the largest measured size,
    # then one assign() per new article (no re-clustering of the stored articles).
    from newsprism.corpus.story_stream import StoryStream

    res["streaming_api"] = ("StoryStream.assign (newsprism.corpus.story_stream: HNSW + rare-term candidates, "
                            "one average-linkage decision; stored articles untouched)")  # fmt: skip
    t = time.perf_counter()
    stream = StoryStream.build(arts[:stored], cache=cache)
    res["stream_index_build_s"] = round(time.perf_counter() - t, 2)
    res["peak_mb_after_stream_build"] = peak_mb()
    res["stream_stored"] = stored
    res["stream_index"] = (f"batch cluster_stories of the {stored:,} stored articles + faiss IndexHNSWFlat(M=32, "
                           f"efConstruction=80) over their {stored:,} centred document vectors"
                           + (" (candidate path)" if stored > stories.EXACT_MAX else
                              " (<= EXACT_MAX stored: every story is a candidate)"))  # fmt: skip
    res["stream_vectors"] = "new articles' document vectors read from the embedding cache (encoder excluded)"
    before = stream.stories()  # == cluster_stories(arts[:stored])
    n_stories0 = len(before)
    times: list[float] = []
    returned: dict[str, str] = {}
    # Garbage-collector pauses inside the loop, to tell them from assign's own work in the max.
    gc_ms: list[float] = []
    gc_t = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_t[0] = time.perf_counter()
        else:
            gc_ms.append((time.perf_counter() - gc_t[0]) * 1000)

    gc.callbacks.append(on_gc)
    t_all = time.perf_counter()
    for a in extra:
        if times and time.perf_counter() - t_all > args.stream_budget:
            break
        t = time.perf_counter()
        returned[a.id] = stream.assign(a)
        times.append((time.perf_counter() - t) * 1000)
    gc.callbacks.remove(on_gc)
    res["stream_assigned"] = len(times)
    res["stream_new_stories"] = len(stream.stories()) - n_stories0
    if times:
        res["stream_ms_median"] = round(statistics.median(times), 2)
        res["stream_ms_p95"] = round(float(np.percentile(times, 95)), 2)
        res["stream_ms_max"] = round(max(times), 2)
        res["stream_ms_max_at"] = int(np.argmax(times))  # 0 = the first assign
        res["stream_gc_pause_ms_max"] = round(max(gc_ms, default=0.0), 2)
        res["stream_gc_pauses"] = len(gc_ms)
        res["stream_target_ms"] = 5.0
    log(f"streaming: {len(times)} assigns with {stored:,} stored (index built in {res['stream_index_build_s']}s), "
        f"median {res.get('stream_ms_median')} ms, p95 {res.get('stream_ms_p95')} ms")  # fmt: skip

    # Agreement with a batch re-cluster over stored + assigned: for each assigned article, is the
    # set of articles it is grouped with the same?  (One more batch run; skipped over budget.)
    done = extra[: len(times)]
    if done and res.get(f"stories_s_at_{stored}", 1e9) * SAFETY <= args.budget:
        t = time.perf_counter()
        batch = cluster_stories(arts[:stored] + done, cache=cache)
        where = {x: frozenset(s.articles) for s in batch for x in s.articles}
        mine = {x: frozenset(s.articles) for s in stream.stories() for x in s.articles}
        res["stream_same_story_as_batch"] = round(sum(where[a.id] == mine[a.id] for a in done) / len(done), 3)
        # B³ of the stream's stories against the batch's, over the assigned articles and over all.
        for name, keys in (("assigned", [a.id for a in done]), ("all", list(where))):
            p = statistics.fmean(len(mine[x] & where[x]) / len(mine[x]) for x in keys)
            r = statistics.fmean(len(mine[x] & where[x]) / len(where[x]) for x in keys)
            f1 = 2 * p * r / (p + r)
            res[f"stream_vs_batch_b3_{name}"] = {"p": round(p, 3), "r": round(r, 3), "f1": round(f1, 3)}
        # The batch's own instability: stored articles whose batch story changed (new members
        # aside) just because the assigned articles were added — the stream never does this.
        new_ids = {a.id for a in done}
        old = {x: frozenset(s.articles) for s in before for x in s.articles}
        res["batch_stored_articles_regrouped"] = sum((where[x] - new_ids) != old[x] for x in old)
        res["stream_check_batch_s"] = round(time.perf_counter() - t, 2)
        log(f"streaming vs batch: {res['stream_same_story_as_batch']:.1%} of assigned articles in the same story")

    # What the cache hides: encoding one new article's texts (headline + up to 10 sentences).
    enc: list[float] = []
    for a in extra[:10]:
        t = time.perf_counter()
        emb.embed_articles([a])
        enc.append((time.perf_counter() - t) * 1000)
    if enc:
        res["stream_encode_ms_median_uncached"] = round(statistics.median(enc), 1)

    res["self_peak_mb"] = peak_mb()
    emb.set_encoder_processes(1)  # ends the encoder processes
    tree.__exit__()
    # The encoder processes are forked from the fork server (which holds the models): their
    # resident set counts the pages they share with it in full, their PSS shares them out.
    others = [p for p in tree.rss_mb if p != os.getpid()]
    res["child_process_peak_rss_mb"] = round(max((tree.rss_mb[p] for p in others), default=0.0), 1)
    res["child_process_peak_pss_mb"] = round(max((tree.pss_mb[p] for p in others), default=0.0), 1)
    res["total_s"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
