"""Do two sentences state the same fact?  ``same_claim(a, b) -> float`` in [0, 1].

One similarity function serves both claim alignment (``claim_align``) and the MSRP scorer
(``newsprism.eval.msrp``), so the benchmark figure measures what the pipeline uses.

The score is a tiny logistic regression over a handful of features:

* ``cos``       multilingual USE cosine (translations land close, so German/Romanian
  machine translations still align);
* ``jac``       Jaccard of content-word stems; ``contain`` the same over the smaller set
  (a short claim inside a longer sentence still scores);
* ``fuzz``      rapidfuzz ``token_set_ratio``; ``bigram`` Jaccard of word bigrams;
* ``names``     Jaccard of capitalised tokens (a cheap proxy for entity agreement);
* ``num_ok`` / ``num_bad``: both sentences carry numbers and they agree / disagree;
* ``len_diff``  relative difference in content-word counts; ``len_ratio`` shorter/longer;
* ``raw_jac``   Jaccard of all lower-cased words (function words included: word order and
  voice show there); ``char_ratio`` rapidfuzz ``ratio`` of the raw strings; ``partial``
  rapidfuzz ``partial_ratio``; ``overlap_pr`` product of the content-word overlap's precision
  and recall; ``num_count_diff``: the two sentences carry different counts of numbers.

The weights live in ``data/claim_matcher.json``, fitted by ``train_matcher.py`` on the MSRP
*train* split (the bench data itself is never shipped, only the 10 weights and the
threshold).  When the JSON is missing a hand-set fallback keeps the module usable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

FEATURES: tuple[str, ...] = (
    "cos", "jac", "contain", "fuzz", "bigram", "names", "num_ok", "num_bad", "len_diff",
    "raw_jac", "char_ratio", "overlap_pr", "len_ratio", "partial", "num_count_diff",
)  # fmt: skip
WEIGHTS_PATH = Path(__file__).with_name("data") / "claim_matcher.json"

Embed = Callable[[list[str]], np.ndarray]

# Function words carry no fact; a short closed list (no external word list, no bench data).
_STOP = frozenset(
    """
    a an the and or but if of to in on at by for with from as into onto about over after before
    than then that this these those there here it its it's he she they them his her their we our you your
    i me my is are was were be been being has have had do does did will would shall should can could may
    might must not no nor so such also too very just only own same other some any all each both few more
    most much many up down out off again further once which who whom whose what when where why how said
    says say told tell according while during since until because through against between within without
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_WORD = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*", re.UNICODE)
_RAW = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAP = re.compile(r"\b[A-Z][\w’'-]*")
_SENT_START_WORDS = frozenset(
    {"The", "A", "An", "In", "On", "At", "But", "And", "It", "He", "She", "They", "We", "This"}
)


@lru_cache(maxsize=131072)
def _stem(w: str) -> str:
    """A crude suffix stripper: enough to match ``attacks/attacked/attacking`` (cached: news
    text repeats its words, and this ran once per word per text)."""
    for suf in ("ing", "ed", "es", "s"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)]
    return w


# One spelling for the most frequent multi-spelling actor in English news.
_US = re.compile(r"\b(?:the\s+)?(?:United\s+States(?:\s+of\s+America)?|U\.\s?S\.(?:\s?A\.)?|USA)", re.IGNORECASE)


def content_words(text: str) -> list[str]:
    """Lower-cased stems of the non-function words of ``text``, in order (a new list)."""
    return list(_content_words(text))


@lru_cache(maxsize=65536)
def _content_words(text: str) -> tuple[str, ...]:
    # Cached: alignment asks for the same unit's words several times (its facts, its core's
    # length, its pair features), and the tokenising was a tenth of the claims stage.
    out = []
    for m in _WORD.finditer(_US.sub(" US ", text).lower()):
        w = m.group().replace("’", "'").replace(".", "")
        if w and w not in _STOP:
            out.append(_stem(w))
    return tuple(out)


def numbers(text: str) -> set[str]:
    """Numeric tokens with separators removed (``1,000`` and ``1000`` are the same)."""
    return {re.sub(r"[.,](?=\d{3}\b)", "", m.group()) for m in _NUMBER.finditer(text)}


def _names(text: str) -> set[str]:
    return {m.group().lower() for m in _CAP.finditer(text) if m.group() not in _SENT_START_WORDS}


def _jaccard(a: Set[Any], b: Set[Any]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


@dataclass(frozen=True, slots=True)
class TextStats:
    """The per-text parts of ``features``: computed once per text, not once per pair.

    Why: alignment scores tens of thousands of pairs over a few thousand texts; tokenising
    both sides again for every pair was most of the scorer's time.
    """

    text: str
    words: list[str]  # content_words(text)
    joined: str  # " ".join(words), what token_set_ratio compares
    word_set: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    nums: frozenset[str]
    raw: frozenset[str]
    names: frozenset[str]


def text_stats(text: str) -> TextStats:
    """``TextStats`` of ``text`` (pure; see ``features`` for what each part feeds)."""
    words = list(_content_words(text))
    return TextStats(
        text=text,
        words=words,
        joined=" ".join(words),
        word_set=frozenset(words),
        bigrams=frozenset(pairwise(words)),
        nums=frozenset(numbers(text)),
        raw=frozenset(_RAW.findall(text.lower())),
        names=frozenset(_names(text)),
    )


def features(a: str, b: str, cos: float) -> list[float]:
    """The feature vector (order of ``FEATURES``) for one pair; ``cos`` from the embedder."""
    return stats_features(text_stats(a), text_stats(b), cos)


def stats_features(pa: TextStats, pb: TextStats, cos: float) -> list[float]:
    """``features`` from precomputed ``TextStats`` (the same figures, bit for bit)."""
    from rapidfuzz import fuzz

    a, b = pa.text, pb.text
    sa, sb = pa.word_set, pb.word_set
    inter = len(sa & sb)
    contain = inter / min(len(sa), len(sb)) if sa and sb else 0.0
    na, nb = pa.nums, pb.nums
    both = bool(na and nb)
    return [
        float(cos),
        _jaccard(sa, sb),
        contain,
        fuzz.token_set_ratio(pa.joined, pb.joined) / 100.0,
        _jaccard(pa.bigrams, pb.bigrams),
        _jaccard(pa.names, pb.names),
        1.0 if both and na == nb else 0.0,
        1.0 if both and na != nb else 0.0,
        abs(len(sa) - len(sb)) / max(len(sa), len(sb), 1),
        _jaccard(pa.raw, pb.raw),
        fuzz.ratio(a, b) / 100.0,
        (inter / len(sa)) * (inter / len(sb)) if sa and sb else 0.0,
        min(len(sa), len(sb)) / max(len(sa), len(sb), 1),
        fuzz.partial_ratio(a, b) / 100.0,
        1.0 if len(na) != len(nb) else 0.0,
    ]


# Threads for rapidfuzz's pairwise scoring: each pair is scored on its own, so the figures
# do not depend on it; two halve the wall time of ``partial_ratio`` (the alignment's single
# largest cost) whenever the second core is free, and cost nothing measurable when it is not.
FUZZ_WORKERS = 2


def _overlap(sets: Sequence[Set[Any]], left: np.ndarray, right: np.ndarray,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(|left set|, |right set|, |intersection|) per pair, as int64 arrays (the sets are a
    few dozen items: C-level set intersection beats any matrix formulation here)."""
    size = np.asarray([len(x) for x in sets], dtype=np.int64)
    inter = np.fromiter((len(sets[a] & sets[b]) for a, b in zip(left.tolist(), right.tolist(), strict=True)),
                        dtype=np.int64, count=len(left))  # fmt: skip
    return size[left], size[right], inter


def _ratio(num: np.ndarray, den: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """``num / den`` where ``ok``, else 0.0 (float64 true division, as Python's ``/``)."""
    out = np.zeros(len(num), dtype=np.float64)
    np.divide(num, den, out=out, where=ok)
    return out


def feature_rows(stats: Sequence[TextStats], left: Sequence[int], right: Sequence[int],
                 cos: Sequence[float]) -> np.ndarray:  # fmt: skip
    """``features`` of many pairs at once: row k is ``stats_features(stats[left[k]],
    stats[right[k]], cos[k])``, the same numbers bit for bit (integer counts, then the same
    float64 divisions; rapidfuzz's pairwise ``cpdist`` runs the same scorers).

    Why: alignment scores tens of thousands of pairs per corpus; the per-pair Python of
    ``stats_features`` cost more than the string matching itself.
    """
    from rapidfuzz import fuzz, process

    n = len(left)
    if n == 0:
        return np.zeros((0, len(FEATURES)), dtype=np.float64)
    li, ri = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    la, lb, inter = _overlap([x.word_set for x in stats], li, ri)
    ba, bb, binter = _overlap([x.bigrams for x in stats], li, ri)
    na_, nb_, ninter = _overlap([x.names for x in stats], li, ri)
    ra, rb, rinter = _overlap([x.raw for x in stats], li, ri)
    ua, ub, uinter = _overlap([x.nums for x in stats], li, ri)
    both_words = (la > 0) & (lb > 0)
    both_nums = (ua > 0) & (ub > 0)
    same_nums = (uinter == ua) & (uinter == ub)
    big = np.maximum(np.maximum(la, lb), 1)

    def pairwise_scores(scorer: Any, a: list[str], b: list[str]) -> np.ndarray:
        scores = process.cpdist(a, b, scorer=scorer, dtype=np.float64, workers=FUZZ_WORKERS)
        return np.asarray(scores, dtype=np.float64) / 100.0

    texts_a = [stats[k].text for k in left]
    texts_b = [stats[k].text for k in right]
    cols = [
        np.asarray(cos, dtype=np.float64),
        _ratio(inter, la + lb - inter, (la + lb) > 0),
        _ratio(inter, np.minimum(la, lb), both_words),
        pairwise_scores(fuzz.token_set_ratio, [stats[k].joined for k in left], [stats[k].joined for k in right]),
        _ratio(binter, ba + bb - binter, (ba + bb) > 0),
        _ratio(ninter, na_ + nb_ - ninter, (na_ + nb_) > 0),
        np.where(both_nums & same_nums, 1.0, 0.0),
        np.where(both_nums & ~same_nums, 1.0, 0.0),
        np.abs(la - lb) / big,
        _ratio(rinter, ra + rb - rinter, (ra + rb) > 0),
        pairwise_scores(fuzz.ratio, texts_a, texts_b),
        _ratio(inter, la, both_words) * _ratio(inter, lb, both_words),
        np.minimum(la, lb) / big,
        pairwise_scores(fuzz.partial_ratio, texts_a, texts_b),
        np.where(ua != ub, 1.0, 0.0),
    ]
    return np.column_stack(cols).astype(np.float64, copy=False)


# Used only when data/claim_matcher.json is absent (a broken install): roughly the fitted values.
_FALLBACK = {
    "weights": [4.0, 3.0, 0.5, 0.0, -2.0, -0.5, 0.0, -0.5, -1.0, 1.0, 3.0, 0.0, 0.0, 0.0, 0.0],
    "bias": -5.5,
    "threshold": 0.45,
}


@lru_cache(maxsize=1)
def load_model() -> dict[str, object]:
    """``{"features", "weights", "bias", "threshold"}`` from the shipped JSON (fallback if absent)."""
    try:
        data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"features": list(FEATURES), **_FALLBACK}
    if list(data.get("features", [])) != list(FEATURES):
        raise ValueError(f"{WEIGHTS_PATH} was fitted for other features; re-run newsprism.corpus.train_matcher")
    return data


def threshold() -> float:
    """The decision threshold on ``same_claim`` scores (fitted with the weights)."""
    return float(load_model()["threshold"])  # type: ignore[arg-type]


def score_features(x: np.ndarray) -> np.ndarray:
    """Logistic scores in [0, 1] for a ``(n, len(FEATURES))`` feature matrix."""
    model = load_model()
    w = np.asarray(model["weights"], dtype=np.float64)
    z = np.asarray(x, dtype=np.float64) @ w + float(model["bias"])  # type: ignore[arg-type]
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def default_embed(texts: list[str]) -> np.ndarray:
    """USE multilingual vectors, L2-normalised (``newsprism.corpus.embeddings``)."""
    from newsprism.corpus.embeddings import embed_texts

    return embed_texts(texts)


def unit_rows(m: Any) -> np.ndarray:
    """``m`` as a float32 matrix with L2-normalised rows (zero rows stay zero)."""
    arr = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return np.asarray(arr / np.where(norms == 0, 1.0, norms), dtype=np.float32)


def pair_cosines(vecs: np.ndarray, left: Sequence[int], right: Sequence[int], chunk: int = 4096) -> list[float]:
    """``[float(vecs[i] @ vecs[j]) for i, j in zip(left, right)]``, the same values (a
    stack of one-row products runs the same dot kernel per pair), without a Python-level
    product per pair; a chunk of pairs at a time, so memory stays flat on a million pairs."""
    out: list[float] = []
    for lo in range(0, len(left), chunk):
        a = vecs[np.asarray(left[lo : lo + chunk], dtype=np.int64)][:, None, :]
        b = vecs[np.asarray(right[lo : lo + chunk], dtype=np.int64)][:, :, None]
        out.extend(np.matmul(a, b)[:, 0, 0].tolist())
    return out


def pair_features(pairs: Sequence[tuple[str, str]], embed: Embed | None = None) -> np.ndarray:
    """Feature matrix for many pairs with one embedder pass over the distinct texts."""
    embed = embed or default_embed
    texts = sorted({t for p in pairs for t in p})
    if not pairs:
        return np.zeros((0, len(FEATURES)))
    vecs = unit_rows(embed(texts))
    index = {t: i for i, t in enumerate(texts)}
    stats = [text_stats(t) for t in texts]
    left = [index[a] for a, _ in pairs]
    right = [index[b] for _, b in pairs]
    cos = pair_cosines(vecs, left, right)
    return feature_rows(stats, left, right, cos)


def same_claim(a: str, b: str, embed: Embed | None = None) -> float:
    """Probability-like score in [0, 1] that ``a`` and ``b`` state the same fact.

    Compare with ``threshold()``.  Symmetric up to floating-point noise.
    """
    return float(score_features(pair_features([(a, b)], embed))[0])
