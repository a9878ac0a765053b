"""Fit the claim matcher's logistic regression on MSRP train and write ``data/claim_matcher.json``.

``python -m newsprism.corpus.train_matcher [--bench DIR]``

Only the fitted numbers are written (one weight per feature, a bias, a threshold chosen to
maximise F1 on the training pairs): no sentence, word list or other derivative of the
benchmark data enters the project.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def train(bench_dir: Path | str | None = None, out: Path | None = None) -> dict[str, object]:
    """Fit on every MSRP train pair, write the JSON to ``out`` (default: the shipped path), return it."""
    from newsprism.corpus.claim_match import FEATURES, WEIGHTS_PATH, load_model, pair_features
    from newsprism.eval.msrp import find_bench, fit, load_pairs

    bench = find_bench(bench_dir)
    if bench is None:
        raise FileNotFoundError("MSRP data not found: pass --bench DIR or set NEWSPRISM_BENCH")
    pairs, y = load_pairs(bench)
    w, b, t = fit(pair_features(pairs), y)
    model: dict[str, object] = {
        "features": list(FEATURES),
        "weights": [round(float(v), 5) for v in w],
        "bias": round(b, 5),
        "threshold": round(t, 4),
        "fitted_on": "MSRP train (msr_paraphrase_train.txt), all pairs, sklearn LogisticRegression C=1",
    }
    path = out or WEIGHTS_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    load_model.cache_clear()
    return model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newsprism.corpus.train_matcher")
    ap.add_argument("--bench", help="the shared/bench folder")
    ap.add_argument("--out", type=Path, help="where to write the JSON (default: the shipped path)")
    args = ap.parse_args(argv)
    try:
        model = train(args.bench, args.out)
    except FileNotFoundError as e:
        print(str(e), file=sys.stderr)
        return 2
    print(json.dumps(model, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
