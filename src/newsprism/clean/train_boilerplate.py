"""Fit the plain-text line classifier and write ``data/boilerplate_model.json``.

``python -m newsprism.clean.train_boilerplate [--train FILE] [--out FILE] [--C 0.1] [--cv | --looo]``

Training data: ``data/lines_train.txt`` (hand-written articles; ``data/lines_test.txt`` is held
out and never fitted on).  The labelled format, one article after another::

    === outlet/article-slug
    headline Some headline
    <an empty line is a blank line of the article>
    body The first paragraph ...
    credit Reuters/Jane Doe

Each non-empty line is ``<kind> <text>``: the first space-separated token is one of
``model.SEGMENT_KINDS``, the rest (after exactly one space) is the article line, verbatim.  The
article's text is its lines joined with ``"\\n"``; its outlet is the part of the header before
the ``/``.  Only the fitted numbers are written: feature names, class names, scaler mean/scale,
coefficients and intercepts of a multinomial logistic regression (lbfgs, deterministic).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsprism.model import SEGMENT_KINDS

DATA_DIR = Path(__file__).parent / "data"
TRAIN_PATH = DATA_DIR / "lines_train.txt"
TEST_PATH = DATA_DIR / "lines_test.txt"
MODEL_PATH = DATA_DIR / "boilerplate_model.json"
DEFAULT_C = 0.1


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    """One hand-labelled article: ``gold[i]`` is the kind of the i-th non-blank line of ``text``."""

    name: str
    outlet: str
    text: str
    gold: tuple[str, ...]


def load_labelled(path: Path | str) -> list[LabelledArticle]:
    """Parse a labelled file (format in the module docstring); raises ValueError on a bad line."""
    out: list[LabelledArticle] = []
    name: str | None = None
    lines: list[str] = []
    gold: list[str] = []

    def flush() -> None:
        if name is not None:
            while lines and not lines[-1]:
                lines.pop()
            out.append(LabelledArticle(name, name.split("/")[0], "\n".join(lines), tuple(gold)))

    for no, raw in enumerate(Path(path).read_text(encoding="utf-8").split("\n"), 1):
        if raw.startswith("=== "):
            flush()
            name, lines, gold = raw[4:].strip(), [], []
            continue
        if name is None:
            if raw.strip():
                raise ValueError(f"{path}:{no}: text before the first '=== name' header")
            continue
        if not raw.strip():
            lines.append("")
            continue
        kind, _, text = raw.partition(" ")
        if kind not in SEGMENT_KINDS or not text.strip():
            raise ValueError(f"{path}:{no}: expected '<kind> <text>' with kind in {SEGMENT_KINDS}, got {raw[:40]!r}")
        lines.append(text)
        gold.append(kind)
    flush()
    return out


def repeated_for(articles: list[LabelledArticle]) -> dict[str, frozenset[str]]:
    """The repetition signal as the pipeline computes it: per outlet, over this batch."""
    from newsprism.clean.boilerplate import repeated_lines_by_outlet

    by_outlet: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        by_outlet[a.outlet].append(a.text)
    return repeated_lines_by_outlet(by_outlet)


def build_xy(articles: list[LabelledArticle]) -> tuple[list[list[float]], list[str], list[int]]:
    """Feature rows, gold kinds and an article index per row (for grouped cross-validation)."""
    from newsprism.clean.line_features import featurize, split_lines

    rep = repeated_for(articles)
    x: list[list[float]] = []
    y: list[str] = []
    groups: list[int] = []
    for k, a in enumerate(articles):
        lines = split_lines(a.text)
        if len(lines) != len(a.gold):
            raise ValueError(f"{a.name}: {len(lines)} lines but {len(a.gold)} labels")
        x.extend(featurize(lines, rep.get(a.outlet, frozenset())))
        y.extend(a.gold)
        groups.extend([k] * len(lines))
    return x, y, groups


def fit(x: list[list[float]], y: list[str], c: float = DEFAULT_C) -> dict[str, object]:
    """Standardise, fit a multinomial logistic regression, return the JSON-able model."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from newsprism.clean.line_features import FEATURE_NAMES

    xa = np.asarray(x, dtype=float)
    scaler = StandardScaler().fit(xa)
    scale = np.where(scaler.scale_ > 1e-9, scaler.scale_, 1.0)
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    clf.fit((xa - scaler.mean_) / scale, y)
    return {
        "features": list(FEATURE_NAMES),
        "classes": [str(k) for k in clf.classes_],
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [[round(float(v), 5) for v in row] for row in clf.coef_],
        "intercept": [round(float(v), 5) for v in clf.intercept_],
        "fitted_on": f"{TRAIN_PATH.name}, sklearn LogisticRegression(C={c}, class_weight=balanced)",
    }


def cross_validate(articles: list[LabelledArticle], c: float, by_outlet: bool = False, folds: int = 5) -> float:
    """Line accuracy of the model alone (no rules) under grouped cross-validation, for choosing C.

    ``by_outlet``: leave one outlet out at a time (every article of the held-out outlet is unseen,
    and so is its house style), the harder and more honest estimate; else k folds over articles.
    """
    if by_outlet:
        outlets = sorted({a.outlet for a in articles})
        splits = [([a for a in articles if a.outlet != o], [a for a in articles if a.outlet == o]) for o in outlets]
    else:
        splits = [
            (
                [a for i, a in enumerate(articles) if i % folds != f],
                [a for i, a in enumerate(articles) if i % folds == f],
            )
            for f in range(folds)
        ]
    correct = total = 0
    for tr, te in splits:
        model = fit(*build_xy(tr)[:2], c=c)
        xt, yt, _ = build_xy(te)
        pred = predict_rows(model, xt)
        correct += sum(p == g for p, g in zip(pred, yt, strict=True))
        total += len(yt)
    return correct / max(1, total)


def leave_one_outlet_out(articles: list[LabelledArticle], c: float = DEFAULT_C) -> dict[str, Any]:
    """The full labeller (model, rules, repetition) scored with each outlet held out in turn:
    refit on the other outlets, label the held-out outlet's articles, pool every line."""
    from newsprism.clean.boilerplate import classify_lines
    from newsprism.eval.lines import score_pairs

    pairs: list[tuple[str, str]] = []
    for outlet in sorted({a.outlet for a in articles}):
        model = fit(*build_xy([a for a in articles if a.outlet != outlet])[:2], c=c)
        held = [a for a in articles if a.outlet == outlet]
        rep = repeated_for(held)
        for a in held:
            labels = classify_lines(a.text, repeated_lines=rep.get(outlet, frozenset()), model=model)
            pairs.extend(zip(a.gold, (lab.kind for lab in labels), strict=True))
    return score_pairs(pairs)


def predict_rows(model: dict[str, object], rows: list[list[float]]) -> list[str]:
    """The arg-max class of each row under ``model`` (no rules): used by CV and determinism tests."""
    from newsprism.clean.boilerplate import probability_rows

    classes = model["classes"]
    assert isinstance(classes, list)
    return [str(classes[max(range(len(p)), key=p.__getitem__)]) for p in probability_rows(model, rows)]


def train(train_path: Path = TRAIN_PATH, out: Path | None = MODEL_PATH, c: float = DEFAULT_C) -> dict[str, object]:
    """Fit on ``train_path`` and (unless ``out`` is None) write the model JSON; return the model."""
    x, y, _ = build_xy(load_labelled(train_path))
    model = fit(x, y, c=c)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
        from newsprism.clean.boilerplate import load_model

        load_model.cache_clear()
    return model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newsprism.clean.train_boilerplate")
    ap.add_argument("--train", type=Path, default=TRAIN_PATH)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--C", type=float, default=DEFAULT_C, dest="c")
    ap.add_argument("--cv", action="store_true", help="print grouped 5-fold CV accuracy for a few C values")
    ap.add_argument("--looo", action="store_true", help="score the full labeller leaving one outlet out at a time")
    args = ap.parse_args(argv)
    if args.looo:
        print(json.dumps(leave_one_outlet_out(load_labelled(args.train), args.c), indent=2))
        return 0
    if args.cv:
        arts = load_labelled(args.train)
        for c in (0.1, 0.3, 1.0, 3.0):
            print(
                f"C={c}: line accuracy, 5-fold by article {cross_validate(arts, c):.3f}, "
                f"leave-one-outlet-out {cross_validate(arts, c, by_outlet=True):.3f}"
            )
        return 0
    model = train(args.train, args.out, args.c)
    print(f"wrote {args.out} ({len(model['features'])} features x {len(model['classes'])} classes)")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
