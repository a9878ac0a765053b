"""The visible loop: ingest → store → document stages → corpus stages → analysis.

``analyze(names, config)`` is what ``newsprism analyze`` runs; the CLI and the HTTP API
are thin shells over the functions here.  Each step is a plain function over the typed
model; the result is an ``Analysis`` whose ``to_json()`` is the ``analysis.json`` export
contract (DESIGN.md, schema_version 1).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsprism import __version__
from newsprism.config import Config
from newsprism.ingest import ingest_iter
from newsprism.model import Article, Rejected, as_plain
from newsprism.store.db import Store

if TYPE_CHECKING:
    from newsprism.ingest.finalize import LabelMap
    from newsprism.stages.document import DocumentWorkers

SCHEMA_VERSION = 1

Progress = Callable[[str, int, int | None], None]  # (step, done, total)


def _no_progress(step: str, done: int, total: int | None) -> None:
    return None


@dataclass
class IngestReport:
    """What one ingest did: every input accounted for (in = stored + rejected)."""

    articles: list[Article] = field(default_factory=list)  # this run's articles, new or already stored
    rejected: list[Rejected] = field(default_factory=list)
    new_articles: int = 0
    new_rejected: int = 0
    duplicates: int = 0  # the same article again within this run (a copied file): stored once
    read: int = 0  # everything read: articles + duplicates + rejected
    run_id: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "articles": len(self.articles),
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "new_articles": self.new_articles,
            "new_rejected": self.new_rejected,
        }


@dataclass
class Analysis:
    """Everything ``analyze`` found, ready to export, render or serve."""

    articles: list[Article]
    rejected: list[Rejected]
    sections: dict[str, list[Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "generator": f"newsprism {__version__}",
            "articles": [a.to_json() for a in self.articles],
            "rejected": [r.to_json() for r in self.rejected],
        }
        for name in ("entities", "quotes", "families", "stories", "claims", "timeline", "framing", "summaries"):
            out[name] = [as_plain(x) for x in self.sections.get(name, [])]
        return out


def ingest(names: list[str], store: Store, config: Config, *, command: str = "ingest",
           progress: Progress = _no_progress, status: str = "ok",
           on_read: Callable[[str], None] | None = None, label_map: LabelMap | None = None,
           ) -> IngestReport:  # fmt: skip
    """Read every input, store new articles and rejections in batches, record the run.

    The run is left with ``status`` ("analysing" when an analysis follows, so a run
    killed then is told from a finished one).  ``on_read`` is told each article's id as
    soon as it is read (``ingest_iter``); ``label_map``: how the labelling runs (``finalize``)."""
    report = IngestReport()
    report.run_id = store.start_run(command, __version__, config.to_json())
    pending_a: list[Article] = []
    pending_r: list[Rejected] = []
    seen: set[str] = set()

    def flush() -> None:
        report.new_articles += store.add_articles(pending_a, report.run_id)
        report.new_rejected += store.add_rejected(pending_r, report.run_id)
        pending_a.clear()
        pending_r.clear()

    def held(ids: list[str]) -> dict[str, Article]:
        return {a.id: a for a in store.get_articles(ids)}

    # Articles the store holds are not labelled again: a re-run reads, and stores, only new ones.
    for done, item in enumerate(ingest_iter(names, config, on_read=on_read, held=held, label_map=label_map), start=1):
        report.read = done
        if isinstance(item, Rejected):
            report.rejected.append(item)
            pending_r.append(item)
        elif item.id in seen:
            # The same article twice in one input set (a copied file): one article, stored once.
            report.duplicates += 1
        else:
            seen.add(item.id)
            report.articles.append(item)
            pending_a.append(item)
        if len(pending_a) + len(pending_r) >= 200:
            flush()
        progress("ingest", done, None)
    flush()
    store.finish_run(report.run_id, report.counts, status=status)
    return report


def analyze_articles(articles: list[Article], rejected: list[Rejected], store: Store | None, config: Config,
                     progress: Progress = _no_progress, workers: DocumentWorkers | None = None,
                     ready: Callable[[Analysis], None] | None = None) -> Analysis:  # fmt: skip
    """Run every document stage, then every corpus stage, over ``articles``.

    The order is the data flow: parse once per article (cached by content hash), then
    entities across articles, families (copies), stories, quotes grouped across outlets,
    claims per story, then per story each outlet's framing, the timeline and the cited
    summary.  No corpus stage parses again: they read what the document stages kept.
    ``workers``: document-stage processes started ahead (closed here once parsing is done).
    ``ready(analysis)`` is called as soon as every section is there, before anything is
    saved (the CLI starts rendering the report then).
    """
    from newsprism.stages.document import run_documents

    analysis = Analysis(articles=articles, rejected=rejected)
    if not articles:
        return analysis
    timings = analysis.timings

    key = None
    if store is not None:
        from newsprism.stages.document import STAGE_VERSION
        from newsprism.store import corpus_cache

        # The same articles as a run before: its results are this run's, exactly.
        key = corpus_cache.corpus_key(articles, STAGE_VERSION, config.alias_file)
        reused = corpus_cache.load(store, key) if config.reuse_analysis else None
        if reused is not None:
            if workers is not None:
                workers.close()
            analysis.sections = reused
            timings["reused_analysis"] = 1.0
            if ready is not None:
                ready(analysis)
            return analysis

    from newsprism.corpus.embeddings import SharedCache, article_texts, set_encoder_processes, start_encoders

    # Sentences not yet in the vector cache (a first run) are encoded on every core too.
    set_encoder_processes(config.n_process)
    # One vector memo for every corpus stage: a sentence several stages embed (a claim
    # unit, a quote's context, a summary sentence) is read or encoded once per run.
    cache = SharedCache(store)
    if workers is not None and workers.started:
        # The parse is under way in the document workers: the encoder processes start now,
        # below their priority, and encode what families and stories will embed (each
        # article's headline and first sentences), in whatever time the parse leaves idle.
        start_encoders(nice=EARLY_ENCODER_NICE)
        cache.prefetch([t for a in articles for t in article_texts(a)])
    t = time.perf_counter()
    docs = run_documents(articles, store, n_process=config.n_process, progress=progress, workers=workers)
    timings["document_stages"] = time.perf_counter() - t
    if workers is not None:
        workers.close()  # their memory, before the corpus stages' encoding begins in earnest

    from threadpoolctl import threadpool_limits

    # One BLAS thread here: the encoder processes have the other cores, and a second BLAS
    # thread only spins against them (measured: more CPU, no less wall time).
    with threadpool_limits(limits=1, user_api="blas"):
        _corpus_stages(analysis, docs, store, config, key, cache, ready)
    return analysis


# Niceness of encoder processes started during the parse: below the document workers'
# (``stages.document.WARM_NICE``), so they take only what the parse leaves.
EARLY_ENCODER_NICE = 19


def _corpus_stages(analysis: Analysis, docs: dict[str, Any], store: Store | None, config: Config,
                   key: str | None, cache: Any, ready: Callable[[Analysis], None] | None) -> None:  # fmt: skip
    """Every corpus stage over the document results ``docs``, into ``analysis.sections``
    (and, with ``key``, the store's corpus cache); ``cache``: the run's ``SharedCache``."""
    articles = analysis.articles
    timings = analysis.timings
    by_id = {a.id: a for a in articles}
    with _timed(timings, "entities"):
        entities = corpus_entities(docs, config)
    quotes = [q for a in articles for q in docs[a.id].quotes]
    link_speakers(quotes, entities)

    from newsprism.corpus.embeddings import embedder

    embed = embedder(cache)
    with _timed(timings, "families"):
        from newsprism.corpus.families import find_families

        families = find_families(articles, cache=cache)
    # The stages from here on know which texts they will embed.  Each is handed to the
    # encoder pool one stage ahead (queued in the order the stages ask for them), so the
    # pool encodes while this process computes stories, quote links and claim alignments.
    from newsprism.corpus import claim_align, quote_groups, summary

    texts = {a.id: a.text for a in articles}
    # A quote's context is the claim unit around it where there is one: the claims stage
    # encodes every unit of a story of two articles or more, so most of the quote groups'
    # context vectors come for free.
    unit_spans = {a.id: [(u.start, u.end) for u in docs[a.id].claim_units] for a in articles}
    cache.prefetch(quote_groups.texts_to_embed(quotes, texts, unit_spans))
    with _timed(timings, "stories"):
        from newsprism.corpus.stories import cluster_stories

        stories = cluster_stories(articles, cache=cache)
    # Units are compared (and embedded) only within a story of two articles or more.
    compared_units = [u for s in stories if len(s.articles) > 1 for x in s.articles if x in by_id
                      for u in docs[x].claim_units]  # fmt: skip
    cache.prefetch(claim_align.texts_to_embed(compared_units))
    with _timed(timings, "quote_groups"):
        quote_groups.group_quotes(quotes, texts, {a.id: a.outlet or a.source_path for a in articles}, embed=embed,
                                  sentences=unit_spans)  # fmt: skip
    sentences = {aid: d.sentences for aid, d in docs.items()}
    story_articles = [by_id[x] for s in stories for x in s.articles if x in by_id]
    cache.prefetch(summary.texts_to_embed(story_articles, sentences))
    from newsprism.corpus.framing import StoryFramings
    from newsprism.workers import PoolMap, lent_pool

    with _timed(timings, "framing"):
        # Each story's framing is independent of the rest of the analysis from here on
        # (it reads no quote group and no claim): the encoder processes, idle once the
        # summary sentences are encoded, frame the stories while this process aligns
        # claims and builds timelines and summaries.
        framing_jobs = []
        for story in stories:
            members = [by_id[x] for x in story.articles if x in by_id]
            ids = {a.id for a in members}
            # Only the story's own quotes travel to the worker (frame_story ignores the rest).
            framing_jobs.append((story.id, members, [q for q in quotes if q.article in ids],
                                 {a.id: docs[a.id].eval_tokens for a in members}))  # fmt: skip
        framings = StoryFramings(framing_jobs, lent_pool())
    with _timed(timings, "claims"):
        from newsprism.corpus.claims import align_claims

        fam_lists = [list(f.articles) for f in families]
        # Every story embeds its units; one call for all of them fills the memo on every
        # core (a story's own call is usually too small for the encoder pool).
        embed(claim_align.texts_to_embed(compared_units))
        claims = []
        for story in stories:
            members = [by_id[x] for x in story.articles if x in by_id]
            units = [u for a in members for u in docs[a.id].claim_units]
            story_claims = align_claims(story.id, units, members, families=fam_lists, embed=embed, cache=store)
            from newsprism.corpus.timeline import first_reporters

            firsts = first_reporters([[(e.article, e.start, e.end) for e in c.support] for c in story_claims], members)
            for c, first in zip(story_claims, firsts, strict=True):
                c.first_reported_by = first
            claims.extend(story_claims)

    timeline: list[Any] = []
    claims_by_story: dict[str, list[dict[str, Any]]] = {}
    for c in claims:
        plain = as_plain(c)
        claims_by_story.setdefault(plain["story"], []).append(plain)
    with _timed(timings, "summary"):
        # Every story's summary embeds its articles' sentences: one call for all of them
        # (prefetched above) uses every core, where a hundred small per-story calls left
        # one idle.
        embed(summary.texts_to_embed(story_articles, sentences))
        # The stories' summaries are independent: the encoder processes, idle by now, write
        # them while this process builds the timelines (here, without the processes).
        summary_jobs = [summary.summary_job(story.id, [by_id[x] for x in story.articles if x in by_id],
                                            claims_by_story.get(story.id, []), sentences, embed)
                        for story in stories]  # fmt: skip
        pending_summaries = PoolMap(summary.summarize_job, summary_jobs, lent_pool())
    for story in stories:
        members = [by_id[x] for x in story.articles if x in by_id]
        with _timed(timings, "timeline"):
            from newsprism.corpus.timeline import build_timeline

            timexes = {a.id: docs[a.id].timexes for a in members}
            timeline.extend(build_timeline(story.id, members, timexes, sentences, embed=embed))
    with _timed(timings, "summary"):
        summaries = pending_summaries.get()

    with _timed(timings, "framing"):
        framing = framings.get()
    from newsprism.corpus.families import independent_sources

    sections: dict[str, list[Any]] = {
        "entities": entities,
        "quotes": quotes,
        "families": families,
        "stories": [_story_json(s, independent_sources(list(s.articles), families)) for s in stories],
        "claims": claims,
        "timeline": timeline,
        "framing": framing,
        "summaries": summaries,
    }
    # Plain JSON structures from here on, as a reused analysis has them: converted once,
    # not again for the corpus cache, the saved analysis and the export.
    analysis.sections = {k: [as_plain(x) for x in v] for k, v in sections.items()}
    if ready is not None:
        ready(analysis)
    if key is not None and store is not None:
        from newsprism.store import corpus_cache

        corpus_cache.save(store, key, analysis.sections)


def _story_json(story: Any, independent: int) -> dict[str, Any]:
    return {"id": story.id, "title": story.title, "articles": list(story.articles), "independent_sources": independent}


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    t = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t


def corpus_entities(docs: dict[str, Any], config: Config) -> list[Any]:
    """Entities merged across articles, honouring the user's alias file (and the shipped defaults)."""
    from newsprism.aliases import AliasFile
    from newsprism.corpus.entity_merge import merge_entities

    aliases = AliasFile.load(config.alias_file) if config.alias_file else None
    return merge_entities({aid: d.entities for aid, d in docs.items()}, aliases)


def link_speakers(quotes: list[Any], entities: list[Any]) -> None:
    """Point each quote's speaker at the entity it names, and give it that entity's canonical name.

    In order of trust: the entity whose mention is exactly the speaker span; the entity
    bearing the name the quote stage resolved the speaker to (a pronoun or a title such as
    "the head of Russian diplomacy" resolved to "Sergei Lavrov"); only then an entity mention
    overlapping the span, a person or organisation before a nationality or place, so the
    adjective in "Russian President Vladimir Putin" or the "France" of "France 24" never
    becomes the speaker.
    """
    rank = {"PERSON": 0, "ORG": 1, "GPE": 2, "NORP": 3}
    by_span: dict[tuple[str, int, int], Any] = {}
    by_article: dict[str, list[tuple[int, int, Any]]] = {}
    by_name: dict[str, Any] = {}
    for e in sorted((e for e in entities if e.type in rank), key=lambda e: rank[e.type]):
        for m in e.mentions:
            by_span.setdefault((m.article, m.start, m.end), e)
            by_article.setdefault(m.article, []).append((m.start, m.end, e))
        for name in (e.name, *e.aliases):
            by_name.setdefault(name.lower(), e)
    for q in quotes:
        sp = q.speaker
        if sp is None:
            continue
        ent = by_span.get((q.article, sp.start, sp.end)) or by_name.get(sp.name.lower())
        if ent is None:
            overlapping = [c for s, e, c in by_article.get(q.article, []) if s < sp.end and sp.start < e]
            # Sorted by type rank above: a person or organisation wins over an adjective or place.
            ent = min(overlapping, key=lambda c: rank[c.type]) if overlapping else None
            if ent is not None and ent.type in ("GPE", "NORP") and sp.name.lower() != ent.name.lower():
                ent = None  # "the Russian foreign minister" is not Russia
        if ent is not None:
            sp.entity = ent.id
            sp.name = ent.name


def analyze(
    names: list[str], store: Store, config: Config, progress: Progress = _no_progress,
    ready: Callable[[Analysis], None] | None = None,
) -> tuple[Analysis, IngestReport]:
    """Ingest ``names`` and analyse the articles they hold (new or already stored).

    The document stages' worker processes load their model while ingest still reads, once
    enough articles needing a parse have come in (``DocumentWorkers``).  ``ready``: see
    ``analyze_articles``."""
    from newsprism.stages.document import DocumentWorkers

    with DocumentWorkers(config.n_process) as workers:
        # The workers, once up, label articles beside this process until the parse needs them.
        report = ingest(names, store, config, command="analyze", progress=progress, status="analysing",
                        on_read=workers.watch(store), label_map=workers.share)  # fmt: skip
        # Use the stored copy when an article was already there: re-analysis is then of
        # exactly what the database holds.
        stored = {a.id: a for a in store.get_articles([a.id for a in report.articles])}
        articles = [stored.get(a.id, a) for a in report.articles]
        t = time.perf_counter()
        analysis = analyze_articles(articles, report.rejected, store, config, progress, workers=workers, ready=ready)
        analysis.timings["analysis_total"] = time.perf_counter() - t
    with _timed(analysis.timings, "save"):
        save_analysis(store, analysis)
    timings = {k: round(v, 4) for k, v in analysis.timings.items()}
    store.finish_run(report.run_id, {**report.counts, "timings": timings})
    return analysis, report


def save_analysis(store: Store, analysis: Analysis) -> None:
    """Persist the corpus-stage results so the API and exports can query them."""
    from newsprism.store.results import AnalysisStore

    AnalysisStore(store).save(analysis.to_json())


def stderr_progress(quiet: bool) -> Progress:
    """A tqdm progress callback on stderr (silent when quiet or stderr is not a terminal)."""
    if quiet or not sys.stderr.isatty():
        return _no_progress
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def cb(step: str, done: int, total: int | None) -> None:
        bar = bars.get(step)
        if bar is None:
            bar = bars[step] = tqdm(total=total, desc=step, unit="item", leave=False, file=sys.stderr)
        bar.n = done
        bar.refresh()
        if total is not None and done >= total:
            bar.close()

    return cb
