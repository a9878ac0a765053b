"""Run every document stage over articles: parse once, extract entities, quotes and claim units.

Contract: ``run_documents(articles, store, n_process)`` returns one ``DocResult`` per
article id.  Results are cached in the store by (article id, ``STAGE_VERSION``): an
article is parsed only the first time it is seen, so a re-run touches only new articles.
Bump ``STAGE_VERSION`` whenever a document stage changes what it outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsprism import __version__
from newsprism.model import Article, Mention, Quote, Span, Speaker

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from newsprism.corpus.claims import ClaimUnit
    from newsprism.corpus.framing_lexicon import EvalToken
    from newsprism.stages.entities import ArticleEntity
    from newsprism.stages.timexes import TimeExpr
    from newsprism.store.db import Store

STAGE_VERSION = f"{__version__}+doc8"
STAGE = "document"


@dataclass
class DocResult:
    """What the document stages found in one article (all offsets into its text)."""

    entities: list[ArticleEntity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claim_units: list[ClaimUnit] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    timexes: list[TimeExpr] = field(default_factory=list)
    # Adjectives and adverbs (offset, text, POS, lowercase, lemma): what framing's valence
    # evidence reads, kept so the corpus stages never parse an article a second time.
    eval_tokens: list[EvalToken] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "entities": [
                {"key": e.key, "type": e.type, "roles": list(e.roles),
                 "mentions": [[m.start, m.end, m.text, m.label] for m in e.mentions]}
                for e in self.entities
            ],
            "quotes": [q.to_json() for q in self.quotes],
            "claim_units": [
                [u.start, u.end, u.text, u.core, sorted(u.subject) if u.subject is not None else None]
                for u in self.claim_units
            ],
            "sentences": [list(s) for s in self.sentences],
            "timexes": [t.to_json() for t in self.timexes],
            "eval_tokens": [list(t) for t in self.eval_tokens],
        }

    @classmethod
    def from_json(cls, article_id: str, d: dict[str, Any]) -> DocResult:
        from newsprism.corpus.claims import ClaimUnit
        from newsprism.corpus.framing_lexicon import EvalToken
        from newsprism.stages.entities import ArticleEntity
        from newsprism.stages.timexes import TimeExpr

        entities = [
            ArticleEntity(key=e["key"], type=e["type"], roles=list(e["roles"]),
                          mentions=[Mention(article_id, m[0], m[1], m[2], m[3]) for m in e["mentions"]])
            for e in d["entities"]
        ]  # fmt: skip
        quotes = []
        for q in d["quotes"]:
            sp = q.get("speaker")
            cue = q.get("cue")
            quotes.append(
                Quote(
                    id=q["id"], article=q["article"], start=q["start"], end=q["end"], type=q["type"],
                    speaker=Speaker(sp["name"], sp["start"], sp["end"], sp.get("entity")) if sp else None,
                    cue=Span(cue["start"], cue["end"]) if cue else None, confidence=q.get("confidence", 0.5),
                )
            )
        units = []
        for u in d["claim_units"]:
            core = u[3] if len(u) > 3 else None
            subject = frozenset(u[4]) if len(u) > 4 and u[4] is not None else None
            units.append(ClaimUnit(article_id, u[0], u[1], u[2], core, subject))
        return cls(
            entities, quotes, units, [(s[0], s[1]) for s in d.get("sentences", [])],
            timexes=[TimeExpr(**t) for t in d.get("timexes", [])],
            eval_tokens=[EvalToken(*t) for t in d.get("eval_tokens", [])],
        )  # fmt: skip


def analyse_doc(article: Article, doc: Doc) -> DocResult:
    """All document stages over one parsed article."""
    import numpy as np
    from spacy.attrs import POS
    from spacy.symbols import ADJ, ADV

    from newsprism.corpus.claims import split_claims
    from newsprism.corpus.framing_lexicon import EvalToken
    from newsprism.stages.entities import extract_entities
    from newsprism.stages.nlp import doc_text
    from newsprism.stages.quotes import extract_quotes
    from newsprism.stages.timexes import find_timexes

    text = doc_text(doc)
    # Token objects only for the adjectives and adverbs: one array read finds them.
    pos = doc.to_array([POS])
    evaluative = np.flatnonzero((pos == ADJ) | (pos == ADV)).tolist()
    return DocResult(
        entities=extract_entities(doc, article.id),
        quotes=extract_quotes(doc, article.id),
        claim_units=split_claims(doc, article),
        sentences=[(s.start_char, s.end_char) for s in doc.sents if text[s.start_char : s.end_char].strip()],
        timexes=find_timexes(doc, article.published),
        eval_tokens=[EvalToken(t.idx, t.text, t.pos_, t.lower_, t.lemma_) for t in (doc[i] for i in evaluative)],
    )


# Below this many uncached articles the pool's start-up (a model load per worker, ~1.5 s)
# costs more than the second core saves.
MIN_PARALLEL = 12
# Articles per task sent to a worker: small enough to keep both cores busy to the end and
# memory flat, large enough that spaCy batches well.
CHUNK = 8


def analyse_texts(articles: list[Article]) -> list[tuple[str, dict[str, Any]]]:
    """Parse ``articles`` and run every document stage: ``(article id, DocResult JSON)`` each.

    This is the unit of work a worker process runs; it returns JSON, not spaCy Docs, so
    nothing large crosses the process boundary.
    """
    from newsprism.stages.nlp import parse_many

    return [(a.id, analyse_doc(a, doc).to_json()) for a, doc in zip(articles, parse_many(articles), strict=True)]


def _worker_init(nice: int = 0) -> None:
    from newsprism.stages.nlp import load_nlp

    if nice:
        import os

        os.nice(nice)
    load_nlp()


# Niceness of workers started ahead of need: the ingest they overlap runs first.
WARM_NICE = 10


class DocumentWorkers:
    """The document stages' worker processes, started before the work arrives.

    Most of their start-up is the model load (about 2.5 s, once, in the fork server of
    ``newsprism.workers``).  ``analyze`` starts the workers while ingest is still reading
    and labelling on one core, once ``MIN_PARALLEL`` articles without a cached result have
    been read (``watch``), so ``run_documents`` finds the models loaded.  ``start`` returns
    at once: the pool is made on a thread of its own, because making it waits for the fork
    server's model load, and ingest must not.  The workers run at a lower priority
    (``WARM_NICE``).  ``close()`` ends them, whether or not they were used; a
    ``DocumentWorkers`` for one process never starts any.
    """

    def __init__(self, n_process: int) -> None:
        self.n_process = n_process
        self._pool: Any = None
        self._starting: Any = None  # the thread making the pool, until ``pool`` is read

    @property
    def started(self) -> bool:
        """Whether ``start`` ran (the pool may still be coming up)."""
        return self._starting is not None or self._pool is not None

    @property
    def pool(self) -> Any:
        """The ``multiprocessing`` pool (waiting for it if it is still being made), or None."""
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        return self._pool

    def ready_pool(self) -> Any:
        """The pool if it is up, else None: never waits (``pool`` does)."""
        return self._pool

    def share(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """``[fn(x) for x in items]``, worked out here and, once they are up, in the workers
        too (``workers.shared_map``): ingest's labelling, while the parse has not begun."""
        from newsprism.workers import shared_map

        return shared_map(fn, items, self.ready_pool)

    def start(self, nice: int = WARM_NICE) -> None:
        """Start the workers (once), at niceness ``nice``, and return without waiting for them."""
        if self.started or self.n_process <= 1:
            return
        import threading

        from newsprism.workers import worker_context

        def make() -> None:
            self._pool = worker_context().Pool(self.n_process, initializer=_worker_init, initargs=(nice,))

        self._starting = threading.Thread(target=make, name="newsprism-document-workers", daemon=True)
        self._starting.start()

    def watch(self, store: Store | None, threshold: int = MIN_PARALLEL) -> Callable[[str], None]:
        """A callback for each article id read: starts the workers at the ``threshold``-th
        article whose document result ``store`` does not hold."""
        seen = 0

        def saw(article_id: str) -> None:
            nonlocal seen
            if self.started or self.n_process <= 1:
                return
            if store is None or not store.has_doc_result(STAGE, STAGE_VERSION, article_id):
                seen += 1
                if seen >= threshold:
                    self.start()

        return saw

    def close(self) -> None:
        pool, self._pool = self.pool, None
        if pool is not None:
            pool.terminate()
            pool.join()

    def __enter__(self) -> DocumentWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def tapered_chunks(items: list[Article], chunk: int, n_process: int) -> list[list[Article]]:
    """``items`` in order, cut into tasks of ``chunk``, smaller towards the end.

    Why: the last task of a pool keeps one worker busy while the others have nothing left;
    with tasks of 8 articles that was a second and a half of one idle core per run
    (measured).  The last ``2 × n_process`` tasks' worth of articles go in tasks of half
    the size, then half again, down to one article."""
    out: list[list[Article]] = []
    i, n = 0, len(items)
    size = chunk
    while i < n:
        while size > 1 and n - i < 2 * n_process * size:
            size //= 2
        out.append(items[i : i + size])
        i += size
    return out


def _results_in_order(todo: list[Article], n_process: int, min_parallel: int = MIN_PARALLEL,
                      chunk: int = CHUNK, workers: DocumentWorkers | None = None,
                      ) -> Iterator[tuple[str, dict[str, Any]]]:  # fmt: skip
    """``(id, DocResult JSON)`` for ``todo`` in order: in this process, or, when there is
    enough work, parse *and* analysis in ``n_process`` worker processes (``workers``' when
    they were started ahead, whatever the amount of work: their start-up is paid).

    The workers come from ``newsprism.workers``' fork server, never forked from the caller
    (which may be a threaded server, whose locks a fork would copy mid-use); they start
    with the model loaded there.
    """
    chunks = tapered_chunks(todo, chunk, max(1, n_process))
    if workers is not None and workers.pool is not None and len(chunks) > 1:
        for part in workers.pool.imap(analyse_texts, chunks):
            yield from part
        return
    if n_process <= 1 or len(todo) < min_parallel or len(chunks) < 2:  # one task: no pool to share it
        for part in map(analyse_texts, chunks):
            yield from part
        return
    with DocumentWorkers(min(n_process, len(chunks))) as own:
        own.start(nice=0)
        for part in own.pool.imap(analyse_texts, chunks):
            yield from part


def run_documents(
    articles: list[Article],
    store: Store | None,
    n_process: int = 1,
    progress: Callable[[str, int, int | None], None] | None = None,
    batch_size: int = 64,
    *,
    min_parallel: int = MIN_PARALLEL,
    chunk: int = CHUNK,
    workers: DocumentWorkers | None = None,
) -> dict[str, DocResult]:
    """DocResults for every article, in the articles' order, from the cache where possible
    (see module docstring).

    ``n_process`` processes share the uncached articles (when there are at least
    ``min_parallel``, in tasks of ``chunk``); each parses and analyses its own, so both the
    parse and our stages use every core.  ``workers`` started ahead of time are used
    (and left for their owner to close).  The results do not depend on ``n_process``.
    """
    results: dict[str, DocResult] = {}
    if store is not None:
        cached = store.get_doc_results(STAGE, STAGE_VERSION, [a.id for a in articles])
        for aid, d in cached.items():
            results[aid] = DocResult.from_json(aid, d)
    todo = [a for a in articles if a.id not in results]
    total = len(articles)
    done = len(results)
    if progress:
        progress("parse", done, total)
    pending: dict[str, Any] = {}
    # Order is kept, so memory stays flat and progress honest; batches are written to the
    # cache as they finish, so a killed run keeps what it had done.
    for aid, data in _results_in_order(todo, n_process, min_parallel, chunk, workers):
        results[aid] = DocResult.from_json(aid, data)
        pending[aid] = data
        done += 1
        if len(pending) >= batch_size and store is not None:
            store.put_doc_results(STAGE, STAGE_VERSION, pending)
            pending = {}
        if progress:
            progress("parse", done, total)
    if pending and store is not None:
        store.put_doc_results(STAGE, STAGE_VERSION, pending)
    # In the articles' order, whichever came from the cache: the corpus stages iterate
    # this dict, and their output must not depend on what an earlier run left cached.
    return {a.id: results[a.id] for a in articles}
