"""Stories: group the articles that tell the same news story.

Method (one fixed configuration for every corpus; no per-dataset tuning):

1. **Pair similarity, normalised by each article's background.**  Raw TF-IDF cosine
   depends on the corpus: long articles about related events share many words, short
   leads share almost none, so one absolute threshold cannot fit both.  We divide each
   pair's cosine by the geometric mean of the two articles' *background* similarity (their
   mean cosine to the whole corpus, shrunk towards a prior for tiny corpora).  A pair then
   scores "how many times more alike than this article is to a random article", which is
   comparable across corpora.  The mean cosine to the corpus is ``x_i · Σx / n``: exact
   and linear, so it scales.
2. **Across languages** TF-IDF is blind, so pairs of articles in different languages are
   scored with the same background ratio over the multilingual sentence-encoder document
   vectors (centred on the corpus mean to remove the common "news" direction).
3. **Publication time**: when both dates are known, pairs further apart than a week
   decay exponentially; unknown dates are ignored.
4. **Average-linkage agglomeration** over the normalised similarity, stopped at one
   fixed level.  Average linkage resists the chaining that connected components suffer.
   Under ``EXACT_MAX`` articles every pair is scored; above, candidate pairs come from an
   HNSW index (faiss) over the document vectors plus shared rare terms, and the
   agglomeration runs on that sparse graph (absent pairs count as similarity 0).

The result is a deterministic function of the *set* of articles (inputs are sorted by id
first), so :class:`StoryIndex` — which adds articles one at a time — gives exactly the
stories of one batch run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from newsprism.corpus.embeddings import EmbeddingCache, embed_articles, headline_of
from newsprism.corpus.stories_graph import average_linkage_dense, average_linkage_sparse, candidate_pairs
from newsprism.ids import content_id

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from newsprism.model import Article

# The one default configuration (chosen once across BASIL, NewsWCL50 and the MBIB
# biased-sentences events; see eval/clustering.py).  A pair must be ~1.9x more similar than
# the two articles are, on average, to their corpus.
MERGE_LEVEL = 1.9
# Background prior: a tiny corpus (say five articles, all one story) has no background to
# measure, so the measured mean is shrunk towards PRIOR_BG as if PRIOR_WEIGHT more unrelated
# articles had been seen.
PRIOR_BG = 0.035
PRIOR_WEIGHT = 3.0
# ...and the background is never measured on fewer than this many articles: below it the
# prior fills in the rest (a corpus of five articles that are all one story has no
# "unrelated" articles to measure against).
MIN_BACKGROUND_N = 20
# Cross-language pairs: centred document-vector cosine at EMB_LEVEL counts as MERGE_LEVEL.
# The corpus mean vector (the common "news" direction) is removed, shrunk towards zero with
# the same pseudo-count as the background, so a tiny corpus that is all one story keeps the
# direction its articles share.
EMB_LEVEL = 0.30
# Time: full strength within three days, then e-fold decay per week.
WINDOW_DAYS = 3
DECAY_DAYS = 7.0
# Above this many articles, score only candidate pairs (ANN neighbours), never all pairs.
EXACT_MAX = 2000
NEIGHBOURS = 30
_CHUNK = 20_000


@dataclass
class Story:
    """A news story: its member article ids (sorted) and the headline of its most central article."""

    id: str
    title: str
    articles: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "articles": list(self.articles)}


def story_id(article_ids: Iterable[str]) -> str:
    """Stable id: the same membership always gives the same id."""
    return content_id(*sorted(article_ids), prefix="s")


_TOKEN = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
def _doc_text(a: Article) -> str:
    from newsprism.corpus.embeddings import content_blocks

    body = "\n".join(a.text[s:e] for s, e in content_blocks(a))
    head = headline_of(a)
    return body if body.startswith(head) else head + "\n" + body


def _language(a: Article) -> str:
    if a.language:
        return a.language.split("-")[0].lower()
    import py3langid

    return str(py3langid.classify(_doc_text(a)[:2000])[0])


def _date(a: Article) -> date | None:
    if not a.published:
        return None
    try:
        return date.fromisoformat(a.published[:10])
    except ValueError:
        return None


def _vectorizer() -> Any:
    """The TF-IDF configuration of stories (batch and streaming): scikit-learn's
    ``TfidfVectorizer(sublinear_tf=True, stop_words="english", tokenizer=_TOKEN.findall,
    dtype=np.float32)``, computed by our own ``Tfidf`` to the same bits without importing it."""
    from newsprism.corpus.tfidf import Tfidf, english_stop_words

    return Tfidf(_TOKEN.findall, english_stop_words(), dtype=np.float32)


def _tfidf(docs: Iterable[str]) -> tuple[csr_matrix, Any]:
    """The TF-IDF rows of ``docs`` and the fitted vectorizer (streaming reuses it)."""
    vec = _vectorizer()
    return vec.fit_transform(docs).tocsr(), vec


def _prior_weight(n: int) -> float:
    """Pseudo-articles of prior background added to ``n - 1`` measured ones."""
    return max(PRIOR_WEIGHT, float(MIN_BACKGROUND_N - (n - 1)))


def _background(dots_sum: np.ndarray, n: int, prior: float) -> np.ndarray:
    """Mean cosine to the other articles (``dots_sum`` excludes self), shrunk towards ``prior``."""
    w = _prior_weight(n)
    bg = (dots_sum + w * prior) / (max(n - 1, 0) + w)
    return np.maximum(bg, 1e-3)


@dataclass
class _Features:
    ids: list[str]
    tfidf: csr_matrix
    emb: np.ndarray  # centred, normalised document vectors
    bg_t: np.ndarray
    lang: list[str]
    dates: list[date | None]
    heads: list[str]
    vectorizer: Any = None  # fitted on these articles (None for an empty set)
    centre: np.ndarray | None = None  # the shrunk mean document vector removed from ``emb``


def _features(articles: list[Article], cache: EmbeddingCache | None,
              entities: dict[str, set[str]] | None) -> _Features:  # fmt: skip
    def docs() -> Iterator[str]:
        # A generator: the vectorizer reads each text once, so 100,000 articles' texts
        # (350 MB) are never all held at once.
        for a in articles:
            d = _doc_text(a)
            if entities and a.id in entities:
                # Named entities count twice: they are what makes a story this story.
                d += "\n" + " ".join(sorted(entities[a.id]))
            yield d

    X, vec = _tfidf(docs())
    n = len(articles)
    total = np.asarray(X.sum(axis=0)).ravel()
    self_dot = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    bg_t = _background(X @ total - self_dot, n, PRIOR_BG)
    E = embed_articles(articles, cache=cache)
    centre = (n / (n + _prior_weight(n))) * E.mean(axis=0)
    # In place: at 100,000 articles each copy of the vectors is 200 MB.
    C = np.asarray(E, dtype=np.float32)
    C -= centre
    norms = np.linalg.norm(C, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    C /= norms
    return _Features(ids=[a.id for a in articles], tfidf=X, emb=C, bg_t=bg_t,
                     lang=[_language(a) for a in articles], dates=[_date(a) for a in articles],
                     heads=[headline_of(a) for a in articles], vectorizer=vec, centre=centre)  # fmt: skip


def _pair_scores(f: _Features, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Normalised similarity of the pairs (rows[k], cols[k])."""
    if len(rows) == 0:
        return np.zeros(0)
    X = f.tfidf
    if X.shape[0] <= EXACT_MAX:
        t = (X @ X.T).toarray()[rows, cols]
    else:  # sparse path: row-wise products, in chunks so memory stays bounded
        t = np.concatenate([np.asarray(X[rows[k : k + _CHUNK]].multiply(X[cols[k : k + _CHUNK]]).sum(axis=1)).ravel()
                            for k in range(0, len(rows), _CHUNK)])  # fmt: skip
    t = t / np.sqrt(f.bg_t[rows] * f.bg_t[cols])
    # In chunks too: gathering both sides' vectors at once is 2 kB per pair per side
    # (1.6 GB for 10,000 articles' candidate pairs).
    e = np.concatenate([np.einsum("ij,ij->i", f.emb[rows[k : k + _CHUNK]], f.emb[cols[k : k + _CHUNK]])
                        for k in range(0, len(rows), _CHUNK)]) * (MERGE_LEVEL / EMB_LEVEL)  # fmt: skip
    codes = {x: k for k, x in enumerate(sorted(set(f.lang)))}
    lang = np.array([codes[x] for x in f.lang], dtype=np.int32)
    cross = lang[rows] != lang[cols]
    s = np.where(cross, e, t)
    # Unknown dates are NaN: the gap is NaN and the comparison below leaves the pair alone.
    day = np.array([d.toordinal() if d is not None else np.nan for d in f.dates], dtype=float)
    gap = np.abs(day[rows] - day[cols])
    with np.errstate(invalid="ignore"):
        late = gap > WINDOW_DAYS
    decay = np.ones(len(rows))
    decay[late] = np.exp(-(gap[late] - WINDOW_DAYS) / DECAY_DAYS)
    return s * decay


def _cluster(f: _Features) -> list[list[int]]:
    n = len(f.ids)
    if n == 0:
        return []
    if n <= EXACT_MAX:
        iu = np.triu_indices(n, 1)
        S = np.zeros((n, n))
        S[iu] = _pair_scores(f, iu[0], iu[1])
        S = S + S.T
        return average_linkage_dense(S, MERGE_LEVEL)
    rows, cols = candidate_pairs(f.emb, f.tfidf, NEIGHBOURS)
    return average_linkage_sparse(n, rows, cols, _pair_scores(f, rows, cols), MERGE_LEVEL)


def _stories(f: _Features, groups: list[list[int]]) -> list[Story]:
    out = []
    for g in groups:
        if len(g) == 1:
            central = g[0]
        else:
            idx = np.array(g)
            # Most central member: the highest summed similarity to the members, computed as
            # each row's dot product with the members' sum (linear; the members' n x n matrix
            # was 200 MB for one large story of 100,000 articles).
            t, e = f.tfidf[idx], f.emb[idx]
            summed = np.asarray(t @ np.asarray(t.sum(axis=0)).ravel()).ravel() + e @ e.sum(axis=0)
            # Rounded so float noise (vectors encoded in different batches) cannot flip a tie;
            # ties go to the smallest id.
            central = g[int(np.argmax(np.round(summed, 5)))]
        members = sorted(f.ids[i] for i in g)
        out.append(Story(id=story_id(members), title=f.heads[central], articles=members))
    # Biggest stories first, then by id, so the order is deterministic.
    out.sort(key=lambda s: (-len(s.articles), s.id))
    return out


def cluster_stories(articles: list[Article], *, cache: EmbeddingCache | None = None,
                    entities: dict[str, set[str]] | None = None) -> list[Story]:  # fmt: skip
    """Group ``articles`` into stories (every article is in exactly one story).

    The result depends only on the set of articles (not their order).  ``entities``
    (article id → entity names), when given, are added as extra terms, so shared names
    count twice.  (Measured: cheap capitalised-token "entities" did not help on the
    benchmark sets, so none are derived by default; the TF-IDF already sees the names.)
    """
    uniq = {a.id: a for a in articles}
    ordered = [uniq[k] for k in sorted(uniq)]
    if not ordered:
        return []
    f = _features(ordered, cache, entities)
    return _stories(f, _cluster(f))


class StoryIndex:
    """Streaming interface: ``add`` one article at a time, read ``stories()`` at any point.

    Equal to :func:`cluster_stories` over the articles added so far, by construction:
    each change re-derives the clustering from the current set, reusing cached document
    vectors (pass a persistent ``cache`` to keep them across runs), and the clustering is
    order-independent.  Cost per ``add`` is one corpus re-scoring (TF-IDF + linkage), which
    is cheap next to encoding; the encoder runs once per article.
    """

    def __init__(self, *, cache: EmbeddingCache | None = None) -> None:
        self._articles: dict[str, Article] = {}
        self._cache: EmbeddingCache = cache if cache is not None else _MemoryCache()
        self._stories: list[Story] | None = []

    def add(self, article: Article) -> str:
        """Add ``article`` (idempotent) and return the id of the story it now belongs to."""
        if article.id not in self._articles:
            self._articles[article.id] = article
            self._stories = None
        for s in self.stories():
            if article.id in s.articles:
                return s.id
        raise AssertionError("every article belongs to a story")  # pragma: no cover

    def add_many(self, articles: list[Article]) -> list[str]:
        """Add several articles with one re-clustering; their story ids, in input order."""
        for a in articles:
            if a.id not in self._articles:
                self._articles[a.id] = a
                self._stories = None
        where = {x: s.id for s in self.stories() for x in s.articles}
        return [where[a.id] for a in articles]

    def stories(self) -> list[Story]:
        """The current stories (same as a batch run over every article added)."""
        if self._stories is None:
            self._stories = cluster_stories(list(self._articles.values()), cache=self._cache)
        return list(self._stories)

    def __len__(self) -> int:
        return len(self._articles)


class _MemoryCache:
    """In-process embedding cache so StoryIndex never re-encodes an article."""

    def __init__(self) -> None:
        self._d: dict[str, np.ndarray] = {}

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        return {k: self._d[k] for k in keys if k in self._d}

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self._d.update(items)
