"""Streaming story assignment: put one new article into a story without re-clustering.

:class:`StoryStream` starts from a finished batch clustering (:func:`build` runs the
batch helpers of :mod:`newsprism.corpus.stories` itself, so its starting stories are
exactly :func:`~newsprism.corpus.stories.cluster_stories`'s), keeps the batch's
per-article features (TF-IDF rows, background similarity, centred document vectors,
language, date) and an HNSW index (faiss) over the document vectors, and then
:meth:`StoryStream.assign` places each new article with bounded work:

1. **Features of the new article** with the batch's own definitions: the same document
   text (``stories._doc_text`` + entities), the same tokeniser, stop words, sublinear TF
   and the batch's IDF; the same document vector (``embed_articles``, through the same
   cache), centred on the batch's corpus mean; the background (mean TF-IDF cosine to the
   stored corpus, shrunk towards the same prior by ``stories._background``).
2. **Candidate stories**: the stories of the ``NEIGHBOURS`` nearest stored articles by
   document vector (HNSW) and of stored articles sharing one of the new article's
   ``TOP_TERMS`` heaviest terms when that term is rare (≤ ``RARE_DF`` articles) — the two
   candidate sources :func:`~newsprism.corpus.stories_graph.candidate_pairs` uses.  While
   at most ``stories.EXACT_MAX`` articles are stored every story is a candidate, as the
   batch scores every pair below that size.
3. **Decision = one average-linkage step**: the new article is scored against *every*
   member of each candidate story with the batch's pair score (TF-IDF background ratio
   within a language, centred document-vector cosine × ``MERGE_LEVEL / EMB_LEVEL`` across
   languages, publication-time decay — ``stories._pair_scores``'s rules, same constants),
   and it joins the story with the highest *average* score if that is at least
   ``MERGE_LEVEL`` (the level at which the batch's average linkage stops); else it opens a
   new story.  Ties go to the story with the smallest first member.
4. **Incremental update**: the vector is added to the HNSW index (O(log n)), the TF-IDF
   row and metadata are appended, the corpus term totals and rare-term postings are
   updated in O(terms).  No stored article's features are recomputed.

Ids follow the batch's content-hash scheme: a story's id is always
``stories.story_id(its current members)`` — a new story is ``story_id([article.id])``,
exactly the id the batch gives a singleton, and a story that gains a member is re-keyed
to the id the batch would give that membership.  :meth:`StoryStream.resolve` maps any
id the stream ever returned to the story's current id.

How streaming can differ from batch (exactly):

* **Existing stories are never merged or split.**  In batch, a new article can bridge two
  stories into one, or its arrival can change the order of merges so members regroup; the
  stream only ever adds the new article to one existing story or opens a singleton.  A
  later article is never used to revisit an earlier decision.
* **Greedy vs hierarchical**: batch average linkage may merge the new article first with
  a *subset* of a story (whose average can pass ``MERGE_LEVEL`` while the whole story's
  does not) and the stream compares against whole stories only.  Conversely, in batch two
  new articles of a new event merge together and then as a pair with an old story; the
  stream decides each alone, at arrival.
* **Frozen corpus statistics**: stored articles keep the IDF, background and vector
  centring of the batch (batch recomputes them over the grown corpus, which shifts every
  score slightly).  A term first seen in the stream gets, and keeps, the IDF the batch's
  smoothed formula gives a term of one document in the corpus of that moment
  (``ln((1 + N) / 2) + 1``), whatever its later document frequency; new articles'
  backgrounds are measured against the corpus as stored at their arrival, and new
  articles are centred on the batch's mean vector.
* **Exact scores over candidates**: above ``EXACT_MAX`` the batch counts a pair absent
  from its candidate graph as 0; the stream scores all members of each candidate story
  exactly (a missing pair can only lower the batch's average), but a story none of whose
  members is a neighbour or a rare-term sharer is never considered (counted as 0 too).
* **Titles**: a story keeps its title (its central article's headline at batch time or,
  for a stream-born story, the headline of its first article); the batch re-picks the
  most central member.  Story order in :meth:`StoryStream.stories` follows the batch's
  rule (biggest first, then id).

Work per :meth:`~StoryStream.assign`: one HNSW search and insert (O(log n)), O(terms) for
the TF-IDF row, totals and postings, and O(members of the candidate stories) for scoring;
nothing proportional to the stored corpus except one dense dot product over the vocabulary
for the background (at most ``EXACT_MAX`` stored, every stored article is scored, as the
batch does).  Measured (``python -m bench.scale``, synthetic perturbed copies of
real articles, vectors from the cache): at 10,000 stored, B³ F1 of the stream's stories
against a batch re-cluster of stored + 300 assigned is 0.98 over all articles and 0.89 over
the assigned ones, while the batch itself regrouped 558 stored articles on adding them.

A periodic batch re-cluster (:func:`build` over everything, or ``cluster_stories``)
reconciles all of these; :class:`~newsprism.corpus.stories.StoryIndex` remains the
interface that always equals the batch.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from newsprism.corpus import stories as st
from newsprism.corpus.embeddings import DIM, EmbeddingCache, embed_articles, headline_of

if TYPE_CHECKING:
    from newsprism.model import Article


@lru_cache(maxsize=1)
def _thread_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def _one_thread() -> Iterator[None]:
    """BLAS and faiss on one thread for the duration.

    One article's work is a few small products and one HNSW query: a thread team costs
    more than it saves, and on a busy machine its spinning threads nearly doubled an
    assign's time (measured: median 15.9 → 8.3 ms with 10,000 stored, load average 3)."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        with _thread_controller().limit(limits=1, user_api="blas"):
            yield
    finally:
        faiss.omp_set_num_threads(before)

RARE_DF = 50  # candidate_pairs' defaults: a shared top term is rare at ≤ RARE_DF articles
TOP_TERMS = 8


class _Grow:
    """A 1-d or 2-d numpy array with amortised O(1) appends along axis 0."""

    def __init__(self, data: np.ndarray) -> None:
        # Headroom up front, so the first appends after a build do not copy the stored rows.
        n = len(data)
        self._a = np.zeros((n + max(4096, n // 4), *data.shape[1:]), dtype=data.dtype)
        self._a[:n] = data
        self.n = n

    def append(self, row: Any) -> int:
        if self.n == len(self._a):
            new = np.zeros((max(16, 2 * len(self._a)), *self._a.shape[1:]), dtype=self._a.dtype)
            new[: self.n] = self._a[: self.n]
            self._a = new
        self._a[self.n] = row
        self.n += 1
        return self.n - 1

    def extend(self, rows: np.ndarray) -> None:
        need = self.n + len(rows)
        if need > len(self._a):
            new = np.zeros((max(need, 2 * len(self._a)), *self._a.shape[1:]), dtype=self._a.dtype)
            new[: self.n] = self._a[: self.n]
            self._a = new
        self._a[self.n : need] = rows
        self.n = need

    @property
    def a(self) -> np.ndarray:
        return self._a[: self.n]


@dataclass
class _StoryState:
    id: str
    title: str
    members: list[int]  # article indices, in arrival order
    first: int  # smallest member index at creation (tie-break, like the batch's)


def _doc(a: Article, entities: dict[str, set[str]] | None) -> str:
    """The text the batch's TF-IDF reads (``stories._features``)."""
    d = st._doc_text(a)
    if entities and a.id in entities:
        d += "\n" + " ".join(sorted(entities[a.id]))
    return d


class StoryStream:
    """Stories of a batch clustering, extended one article at a time by :meth:`assign`.

    Build with :func:`build` (or :meth:`StoryStream.build`).  See the module docstring for
    the decision rule and exactly how the result can differ from a batch re-cluster.
    """

    def __init__(self, f: Any, groups: list[list[int]], centre: np.ndarray, vec: Any, *,
                 cache: EmbeddingCache | None, entities: dict[str, set[str]] | None,
                 neighbours: int = st.NEIGHBOURS) -> None:  # fmt: skip
        import faiss

        self._cache = cache
        self._entities = entities
        self._k = neighbours
        self._centre = centre.astype(np.float32)
        n = len(f.ids)
        self._ids: list[str] = list(f.ids)
        self._pos: dict[str, int] = {a: i for i, a in enumerate(self._ids)}
        # The batch's stories first: they read the batch's matrices, which are dropped from
        # ``f`` below as soon as their copies exist, so the build holds one copy at a time
        # (the constructor consumes ``f``; at 100,000 articles each copy is 200-250 MB).
        batch_stories = st._stories(f, groups)
        # TF-IDF rows as a growable CSR (indptr / indices / data).
        X = f.tfidf.tocsr()
        X.sort_indices()
        # Rare-term postings over each article's top terms (as candidate_pairs builds them).
        self._postings: dict[int, list[int]] = {}
        for i in range(n):
            lo, hi = X.indptr[i], X.indptr[i + 1]
            for t in self._top_terms(X.indices[lo:hi], X.data[lo:hi]):
                self._postings.setdefault(t, []).append(i)
        self._total = _Grow(np.asarray(X.sum(axis=0)).ravel())
        self._indptr = _Grow(X.indptr.astype(np.int64))
        # The batch's own int32 term ids and float32 weights: the same values in half the
        # memory of int64/float64 (480 MB at 100,000 articles); scores still sum in float64.
        self._indices = _Grow(X.indices.astype(np.int32, copy=False))
        self._data = _Grow(X.data.astype(np.float32, copy=False))
        del X
        f.tfidf = None
        self._vocab: dict[str, int] = dict(vec.vocabulary_)
        self._idf = _Grow(np.asarray(vec.idf_, dtype=np.float64))
        self._analyze = vec.build_analyzer()
        self._emb = _Grow(np.ascontiguousarray(f.emb, dtype=np.float32))
        f.emb = None
        self._bg = _Grow(np.asarray(f.bg_t, dtype=np.float64))
        self._lang_code: dict[str, int] = {}
        self._lang = _Grow(np.array([self._code(x) for x in f.lang], dtype=np.int64))
        self._day = _Grow(np.array([d.toordinal() if d is not None else np.nan for d in f.dates], dtype=float))
        self._index = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        self._index.hnsw.efConstruction = 80
        self._index.hnsw.efSearch = max(64, 2 * neighbours)
        if n:
            self._index.add(self._emb.a)
        # Stories: the batch's, with their batch ids and titles.
        self._story_of = _Grow(np.zeros(n, dtype=np.int64))
        self._stories: list[_StoryState] = []
        self._alias: dict[str, int] = {}
        for s in batch_stories:
            idx = sorted(self._pos[a] for a in s.articles)
            h = len(self._stories)
            self._stories.append(_StoryState(id=s.id, title=s.title, members=idx, first=idx[0]))
            self._alias[s.id] = h
            for i in idx:
                self._story_of.a[i] = h

    # ------------------------------------------------------------------ construction
    @classmethod
    def build(cls, articles: list[Article], *, cache: EmbeddingCache | None = None,
              entities: dict[str, set[str]] | None = None, neighbours: int = st.NEIGHBOURS) -> StoryStream:  # fmt: skip
        """Batch-cluster ``articles`` (exactly ``cluster_stories``) and keep what streaming needs."""
        uniq = {a.id: a for a in articles}
        ordered = [uniq[k] for k in sorted(uniq)]
        if cache is None:
            cache = st._MemoryCache()
        if ordered:
            # The batch's own fitted vectorizer and centre: no second pass over the texts.
            f = st._features(ordered, cache, entities)
            groups = st._cluster(f)
            vec = f.vectorizer
            centre = f.centre if f.centre is not None else np.zeros(DIM, dtype=np.float32)
        else:  # an empty start: nothing to fit; every term will be new
            f = st._Features(ids=[], tfidf=_empty_csr(), emb=np.zeros((0, DIM), np.float32), bg_t=np.zeros(0),
                             lang=[], dates=[], heads=[])  # fmt: skip
            groups = []
            vec = st._vectorizer()
            vec.vocabulary_, vec.idf_ = {}, np.zeros(0)
            centre = np.zeros(DIM, dtype=np.float32)
        return cls(f, groups, centre, vec, cache=cache, entities=entities, neighbours=neighbours)

    # ------------------------------------------------------------------ features of one article
    def _code(self, lang: str) -> int:
        return self._lang_code.setdefault(lang, len(self._lang_code))

    @staticmethod
    def _top_terms(indices: np.ndarray, weights: np.ndarray) -> list[int]:
        return [int(t) for t in indices[np.argsort(-weights, kind="stable")[:TOP_TERMS]]]

    def _tfidf_row(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """(term ids, weights) of ``doc`` with the stored IDF; unseen terms get an id and an IDF now."""
        counts = Counter(self._analyze(doc))
        n_docs = len(self._ids) + 1  # the corpus including this article
        ids, w = [], []
        for term, c in counts.items():
            t = self._vocab.get(term)
            if t is None:
                t = self._vocab[term] = self._idf.append(math.log((1 + n_docs) / 2) + 1)
                self._total.append(0.0)
            ids.append(t)
            w.append(1.0 + math.log(c))
        if not ids:
            return np.zeros(0, np.int64), np.zeros(0)
        ti = np.array(ids, dtype=np.int64)
        wv = np.array(w) * self._idf.a[ti]
        order = np.argsort(ti)
        ti, wv = ti[order], wv[order]
        norm = float(np.sqrt(wv @ wv))
        return ti, (wv / norm if norm > 0 else wv)

    # ------------------------------------------------------------------ the decision
    def _candidates(self, e: np.ndarray, terms: np.ndarray, weights: np.ndarray) -> set[int]:
        n = len(self._ids)
        _, nb = self._index.search(e[None, :], min(self._k, n))
        arts = {j for j in nb[0].tolist() if j >= 0}
        for t in self._top_terms(terms, weights):
            docs = self._postings.get(t)
            if docs and len(docs) + 1 <= RARE_DF:  # the df the batch would see, this article included
                arts.update(docs)
        so = self._story_of.a
        return {int(so[j]) for j in arts}

    def _scores(self, members: np.ndarray, xd: np.ndarray, bg: float, e: np.ndarray, lang: int,
                day: float) -> np.ndarray:  # fmt: skip
        """The batch's pair score (``stories._pair_scores``) of the new article with each member."""
        ptr, ind, dat = self._indptr.a, self._indices.a, self._data.a
        starts, ends = ptr[members], ptr[members + 1]
        lens = ends - starts
        t: np.ndarray = np.zeros(len(members))
        if lens.sum():
            offs = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum()))
            prod = xd[ind[offs]] * dat[offs]
            seg = np.repeat(np.arange(len(members)), lens)
            t = np.bincount(seg, weights=prod, minlength=len(members))
        t = t / np.sqrt(bg * self._bg.a[members])
        emb = self._emb.a[members] @ e * (st.MERGE_LEVEL / st.EMB_LEVEL)
        cross = self._lang.a[members] != lang
        s = np.where(cross, emb, t)
        gap = np.abs(self._day.a[members] - day)
        with np.errstate(invalid="ignore"):
            late = gap > st.WINDOW_DAYS
        decay = np.ones(len(members))
        decay[late] = np.exp(-(gap[late] - st.WINDOW_DAYS) / st.DECAY_DAYS)
        return np.asarray(s * decay)

    def _decide(self, xd: np.ndarray, bg: float, e: np.ndarray, lang: int, day: float, terms: np.ndarray,
                weights: np.ndarray) -> int:  # fmt: skip
        """The story (handle) with the highest average score ≥ MERGE_LEVEL, else -1."""
        n = len(self._ids)
        if n == 0:
            return -1
        if n <= st.EXACT_MAX:  # every story is a candidate: score every stored article once
            members = np.arange(n)
            owner_local = self._story_of.a
            cands = np.arange(len(self._stories))
        else:
            cands = np.array(sorted(self._candidates(e, terms, weights)), dtype=np.int64)
            if not len(cands):
                return -1
            lists = [self._stories[h].members for h in cands.tolist()]
            members = np.fromiter((m for ms in lists for m in ms), dtype=np.int64)
            owner_local = np.repeat(np.arange(len(cands)), [len(ms) for ms in lists])
        sc = self._scores(members, xd, bg, e, lang, day)
        sums = np.bincount(owner_local, weights=sc, minlength=len(cands))
        sizes = np.bincount(owner_local, minlength=len(cands))
        avg = sums / np.maximum(sizes, 1)
        ok = np.flatnonzero((avg >= st.MERGE_LEVEL) & (sizes > 0))
        if not len(ok):
            return -1
        first = np.array([self._stories[h].first for h in cands[ok].tolist()])
        pick = np.lexsort((first, -avg[ok]))[0]  # highest average; ties: smallest first member
        return int(cands[ok][pick])

    def assign(self, article: Article) -> str:
        """Put ``article`` into a story (idempotent) and return that story's current id."""
        with _one_thread():
            return self._assign(article)

    def _assign(self, article: Article) -> str:
        if article.id in self._pos:
            return self._stories[int(self._story_of.a[self._pos[article.id]])].id
        terms, weights = self._tfidf_row(_doc(article, self._entities))
        n = len(self._ids)
        xd = np.zeros(self._idf.n)
        xd[terms] = weights
        bg = float(st._background(np.array([float(self._total.a @ xd)]), n + 1, st.PRIOR_BG)[0])
        raw = embed_articles([article], cache=self._cache)[0] - self._centre
        nrm = float(np.linalg.norm(raw))
        e = (raw / (nrm if nrm > 0 else 1.0)).astype(np.float32)
        lang = self._code(st._language(article))
        d = st._date(article)
        day = float(d.toordinal()) if d is not None else math.nan
        best = self._decide(xd, bg, e, lang, day, terms, weights)
        # Store the article (append-only).
        i = n
        self._ids.append(article.id)
        self._pos[article.id] = i
        self._indices.extend(terms)
        self._data.extend(weights)
        self._indptr.append(self._indices.n)
        self._total.a[terms] += weights
        self._emb.append(e)
        self._bg.append(bg)
        self._lang.append(lang)
        self._day.append(day)
        self._index.add(e[None, :])
        for t in self._top_terms(terms, weights):
            self._postings.setdefault(t, []).append(i)
        if best < 0:
            best = len(self._stories)
            self._stories.append(_StoryState(id=st.story_id([article.id]), title=headline_of(article), members=[i],
                                             first=i))  # fmt: skip
        else:
            s = self._stories[best]
            s.members.append(i)
            s.id = st.story_id(self._ids[m] for m in s.members)
        self._story_of.append(best)
        self._alias[self._stories[best].id] = best
        return self._stories[best].id

    # ------------------------------------------------------------------ reading
    def resolve(self, story_id: str) -> str:
        """The current id of the story that had ``story_id`` at some point (KeyError if never)."""
        return self._stories[self._alias[story_id]].id

    def story_of(self, article_id: str) -> str:
        """The current story id of a stored article."""
        return self._stories[int(self._story_of.a[self._pos[article_id]])].id

    def stories(self) -> list[st.Story]:
        """The current stories, ordered like the batch's (biggest first, then id)."""
        out = [st.Story(id=s.id, title=s.title, articles=sorted(self._ids[m] for m in s.members))
               for s in self._stories]  # fmt: skip
        out.sort(key=lambda s: (-len(s.articles), s.id))
        return out

    def __len__(self) -> int:
        return len(self._ids)


def _empty_csr() -> Any:
    from scipy.sparse import csr_matrix

    return csr_matrix((0, 0))


def build(articles: list[Article], *, cache: EmbeddingCache | None = None,
          entities: dict[str, set[str]] | None = None) -> StoryStream:  # fmt: skip
    """A :class:`StoryStream` whose starting stories are ``cluster_stories(articles)``."""
    return StoryStream.build(articles, cache=cache, entities=entities)
