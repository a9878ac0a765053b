"""MSRP scorer for the claim matcher (``newsprism.corpus.claim_match.same_claim``).

Reads ``shared/bench/similarity/msrp/msr_paraphrase_train.txt`` at run time (never copied
into the project).  The file is TSV ``Quality, #1 ID, #2 ID, #1 String, #2 String`` with
stray quote characters inside strings, so it is parsed with ``csv.QUOTE_NONE``; one line
holds two records (a lost line break), which the loader splits back: 3,676 pairs.

Protocol, stated so the figure can be reproduced: stratified 10-fold cross-validation
(``random_state=0``).  On each 9-fold training part we fit the same tiny logistic
regression that ``train_matcher`` ships (features of ``claim_match.FEATURES``) and choose
the decision threshold that maximises F1 on that training part; we then score the held-out
fold.  Reported: accuracy and F1 of the positive (paraphrase) class, pooled over the 10
test folds, plus the majority-class F1 for reference.  ``shipped`` scores the weights in
``corpus/data/claim_matcher.json`` on the whole file: that is *in-sample* (they were fitted
on it) and is only a check that the JSON and this code agree.

``python -m newsprism.eval.msrp [--bench DIR] [--json]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

REL = Path("similarity") / "msrp" / "msr_paraphrase_train.txt"


def find_bench(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The ``shared/bench`` folder holding MSRP, or ``None`` (see ``benchdir.root``)."""
    from newsprism.eval.benchdir import root

    found = root(explicit)
    return found if found is not None and (found / REL).is_file() else None


def load_pairs(bench_dir: Path) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The sentence pairs and their 0/1 labels, in file order."""
    path = Path(bench_dir) / REL
    pairs: list[tuple[str, str]] = []
    labels: list[int] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)  # header
        for row in reader:
            # Quirk: a record whose line break is missing glues onto the previous one
            # ("...Wednesday.0<TAB>849568<TAB>..."): split it back into its records.
            while len(row) > 5 and (len(row) - 5) % 4 == 0 and row[4][-1:] in ("0", "1"):
                head, row = [*row[:4], row[4][:-1]], [row[4][-1], *row[5:]]
                if head[0] in ("0", "1"):
                    labels.append(int(head[0]))
                    pairs.append((head[3], head[4]))
            if len(row) != 5 or row[0] not in ("0", "1"):
                continue
            labels.append(int(row[0]))
            pairs.append((row[3], row[4]))
    return pairs, np.asarray(labels, dtype=np.int64)


def best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The score threshold that maximises positive-class F1 on (scores, y)."""
    best_t, best_f = 0.5, -1.0
    for t in np.unique(np.round(scores, 3)):
        pred = scores >= t
        tp = int((pred & (y == 1)).sum())
        f = 2 * tp / max(int(pred.sum()) + int((y == 1).sum()), 1)
        if f > best_f:
            best_t, best_f = float(t), f
    return best_t


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(weights, bias, threshold) of the logistic regression on one training set."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    scores = lr.predict_proba(x)[:, 1]
    return lr.coef_[0], float(lr.intercept_[0]), best_threshold(scores, y)


def _metrics(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    tp = int((pred & (y == 1)).sum())
    p = tp / max(int(pred.sum()), 1)
    r = tp / max(int((y == 1).sum()), 1)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"accuracy": round(float((pred == (y == 1)).mean()), 4), "precision": round(p, 4),
            "recall": round(r, 4), "f1": round(f1, 4)}  # fmt: skip


def run(bench_dir: Path | str | None = None, folds: int = 10) -> dict[str, Any]:
    """Cross-validated accuracy / F1 of the claim matcher on MSRP train (see module docstring)."""
    from sklearn.model_selection import StratifiedKFold

    from newsprism.corpus.claim_match import FEATURES, pair_features, score_features, threshold

    bench = find_bench(bench_dir)
    if bench is None:
        raise FileNotFoundError("MSRP data not found: pass --bench DIR or set NEWSPRISM_BENCH")
    pairs, y = load_pairs(bench)
    x = pair_features(pairs)
    pred = np.zeros(len(y), dtype=bool)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
        w, b, t = fit(x[train], y[train])
        pred[test] = 1.0 / (1.0 + np.exp(-(x[test] @ w + b))) >= t
    majority = np.ones(len(y), dtype=bool)
    return {
        "benchmark": "msrp-train",
        "pairs": len(y),
        "positive_share": round(float(y.mean()), 4),
        "features": list(FEATURES),
        "cv": {"folds": folds, **_metrics(pred, y)},
        "all_positive_baseline": _metrics(majority, y),
        "shipped_in_sample": _metrics(score_features(x) >= threshold(), y),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newsprism.eval.msrp", description=__doc__.split("\n")[0])
    ap.add_argument("--bench", help="the shared/bench folder")
    ap.add_argument("--json", action="store_true", help="print JSON only")
    args = ap.parse_args(argv)
    try:
        res = run(args.bench)
    except FileNotFoundError as e:
        print(str(e), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        cv = res["cv"]
        print(f"MSRP train, {res['pairs']} pairs, {cv['folds']}-fold CV: accuracy {cv['accuracy']:.4f}  "
              f"F1 {cv['f1']:.4f}  (P {cv['precision']:.4f} R {cv['recall']:.4f})")  # fmt: skip
        print(f"all-positive baseline F1 {res['all_positive_baseline']['f1']:.4f}; "
              f"shipped weights in-sample F1 {res['shipped_in_sample']['f1']:.4f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
