"""Train the reporting-cue filter (``quote_model``) on PolNeAR *train*.

    python -m newsprism.stages.train_quotes [--bench DIR] [--C 0.3] [--folds 4] [--out PATH] [--cache FILE]

Every candidate from ``reporting.find_candidates`` is labelled positive when a gold
attribution's content overlaps the candidate's content *and* its cue overlaps the
candidate's cue.  The acceptance threshold is the one that maximises the whole stage's
content-overlap F1 (``eval.polnear`` rules) in K-fold cross-validation over the train
articles (``--folds``, default 4); then a logistic regression (scikit-learn) is fitted
on all train articles.  The weights are written as plain JSON (feature → weight), so
loading them needs neither scikit-learn nor pickle.  No dev or test data is read.
``--cache`` keeps the parsed train articles in a spaCy DocBin outside the project, to
make re-training fast.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin

from newsprism.eval.polnear import (
    Attribution,
    _Counts,
    _prf,
    find_bench,
    load_split,
    normalise,
    quotes_as_attributions,
    score_doc,
)
from newsprism.stages import quote_model
from newsprism.stages.nlp import load_nlp
from newsprism.stages.quote_marks import find_quote_spans
from newsprism.stages.quote_model import WEIGHTS_PATH, features, nesting_features
from newsprism.stages.quotes import extract_quotes
from newsprism.stages.reporting import find_candidates

# figures printed for each candidate threshold (the choice maximises content overlap)
_REPORTED = ("content_overlap", "source_exact", "cue_overlap", "attribution")
_THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
Row = tuple[str, str, list[Attribution], Doc, list[list[str]], list[int]]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


def _parse(texts: list[str], cache: str | None) -> list[Doc]:
    nlp = load_nlp()
    if cache and Path(cache).exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(texts) and all(d.text == t for d, t in zip(docs, texts, strict=True)):
            return docs
    docs = list(nlp.pipe(texts, batch_size=16))
    if cache:
        db = DocBin(store_user_data=False)
        for d in docs:
            db.add(d)
        db.to_disk(cache)
    return docs


def build(bench: Path, cache: str | None = None) -> list[Row]:
    """Per train article: (name, text, gold, doc, candidate features, labels)."""
    arts = load_split(bench, "train")
    docs = _parse([a[1] for a in arts], cache)
    out: list[Row] = []
    for (name, text, gold), doc in zip(arts, docs, strict=True):
        quoted = [(m.open_pos, m.close_end) for m in find_quote_spans(text)]
        golds = [(normalise(text, *g.content), g.cue) for g in gold if g.content is not None and g.cue is not None]
        feats, labels = [], []
        cands = find_candidates(doc)
        for c, nest in zip(cands, nesting_features(cands), strict=True):
            cc = normalise(text, *c.content)
            feats.append(features(doc, c, quoted, nesting=nest))
            labels.append(int(any(_overlaps(cc, gc) and _overlaps(c.cue, gcue) for gc, gcue in golds)))
        out.append((name, text, gold, doc, feats, labels))
    return out


# weights smaller than this are dropped from the shipped file: they move no decision
# (CV on train is the same) and would make the file several times larger
MIN_WEIGHT = 0.02


def _fit(rows: list[Row], c_reg: float, min_weight: float = MIN_WEIGHT) -> dict[str, float]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    x = [{f: 1 for f in fs} for r in rows for fs in r[4]]
    y = [lab for r in rows for lab in r[5]]
    vec = DictVectorizer()
    clf = LogisticRegression(C=c_reg, max_iter=3000, fit_intercept=False)
    clf.fit(vec.fit_transform(x), y)
    names = vec.get_feature_names_out()
    return {str(n): round(float(w), 3) for n, w in zip(names, clf.coef_[0], strict=True) if abs(w) >= min_weight}


def _stage_counts(rows: list[Row], weights: dict[str, float], threshold: float, counts: Any) -> None:
    """Add the whole quote stage's matches on ``rows`` with these weights to ``counts``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.json"
        path.write_text(json.dumps({"threshold": threshold, "weights": weights}), encoding="utf-8")
        saved = quote_model.WEIGHTS_PATH
        quote_model.WEIGHTS_PATH = path
        quote_model.load_weights.cache_clear()
        try:
            for name, text, gold, doc, _, _ in rows:
                score_doc(text, quotes_as_attributions(extract_quotes(doc, name)), gold, counts)
        finally:
            quote_model.WEIGHTS_PATH = saved
            quote_model.load_weights.cache_clear()


def _f1(counts: Any, key: str) -> float:
    return _prf(*counts.c[key])["f1"]


def choose_threshold(rows: list[Row], c_reg: float, folds: int) -> float:
    """The threshold maximising the whole stage's content-overlap F1 over ``folds``-fold
    cross-validation on ``rows`` (article ``i`` is in fold ``i % folds``); one held-out
    slice is too small to tell neighbouring thresholds apart."""
    totals = {t: _Counts() for t in _THRESHOLDS}
    for k in range(folds):
        fit_rows = [r for i, r in enumerate(rows) if i % folds != k]
        test_rows = [r for i, r in enumerate(rows) if i % folds == k]
        weights = _fit(fit_rows, c_reg)
        for t in _THRESHOLDS:
            _stage_counts(test_rows, weights, t, totals[t])
    for t in _THRESHOLDS:
        print(f"  threshold {t}: " + ", ".join(f"{k} {_f1(totals[t], k):.4f}" for k in _REPORTED))
    return max(_THRESHOLDS, key=lambda t: _f1(totals[t], "content_overlap"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newsprism.stages.train_quotes")
    ap.add_argument("--bench", default=None)
    ap.add_argument("--C", type=float, default=0.3, dest="c_reg")
    ap.add_argument("--folds", type=int, default=4, help="cross-validation folds for the threshold")
    ap.add_argument("--out", default=str(WEIGHTS_PATH))
    ap.add_argument("--cache", default=None, help="a DocBin file (outside the project) for the parsed articles")
    args = ap.parse_args(argv)
    bench = find_bench(args.bench)
    if bench is None:
        raise SystemExit("PolNeAR not found: pass --bench DIR or set NEWSPRISM_BENCH")
    rows = build(bench, args.cache)
    print(f"{args.folds}-fold cross-validation on train, whole quote stage:")
    best_t = choose_threshold(rows, args.c_reg, args.folds)
    weights = _fit(rows, args.c_reg)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps({"threshold": best_t, "C": args.c_reg, "weights": weights}, sort_keys=True), encoding="utf-8"
    )
    print(f"wrote {len(weights)} weights to {args.out} (threshold {best_t})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
