"""Score the plain-text line labeller on a hand-labelled file.

``python -m newsprism.eval.lines [FILE] [--json-only] [--errors]``; FILE defaults to the held-out
``clean/data/lines_test.txt`` (format: ``newsprism.clean.train_boilerplate``).  The labeller sees
each article's text with the repetition signal computed over the file's articles per outlet (as
the pipeline computes it over a batch), exactly like ``label_text`` in production.

Reported: line accuracy, per-kind precision/recall/F1/support, and the binary "boilerplate vs
content" figures where content = headline, subheading, body and boilerplate = everything else
(the positive class is *boilerplate*: precision = of the lines we hid, how many were boilerplate;
content_recall = of the real content lines, how many we kept).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from newsprism.model import CONTENT_KINDS, SEGMENT_KINDS


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def predict_file(path: Path | str) -> list[tuple[str, str, str, str]]:
    """(article name, line text, gold kind, predicted kind) for every labelled line of ``path``."""
    from newsprism.clean.boilerplate import classify_lines
    from newsprism.clean.train_boilerplate import load_labelled, repeated_for

    arts = load_labelled(path)
    rep = repeated_for(arts)
    out: list[tuple[str, str, str, str]] = []
    for a in arts:
        labels = classify_lines(a.text, repeated_lines=rep.get(a.outlet, frozenset()))
        if len(labels) != len(a.gold):
            raise ValueError(f"{a.name}: {len(labels)} lines labelled but {len(a.gold)} gold labels")
        out.extend((a.name, lab.line.text, g, lab.kind) for lab, g in zip(labels, a.gold, strict=True))
    return out


def score_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Figures for (gold, predicted) kind pairs (see module docstring)."""
    per_kind: dict[str, Any] = {}
    for k in SEGMENT_KINDS:
        tp = sum(1 for g, p in pairs if g == k and p == k)
        fp = sum(1 for g, p in pairs if g != k and p == k)
        fn = sum(1 for g, p in pairs if g == k and p != k)
        if tp + fn or fp:
            per_kind[k] = {**_prf(tp, fp, fn), "support": tp + fn}
    gb = [g not in CONTENT_KINDS for g, _ in pairs]
    pb = [p not in CONTENT_KINDS for _, p in pairs]
    tp = sum(1 for g, p in zip(gb, pb, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gb, pb, strict=True) if not g and p)
    fn = sum(1 for g, p in zip(gb, pb, strict=True) if g and not p)
    content = sum(1 for g in gb if not g)
    binary = {
        **_prf(tp, fp, fn),
        "boilerplate_lines": tp + fn,
        "content_lines": content,
        "content_recall": round((content - fp) / content, 4) if content else 0.0,
    }
    acc = sum(1 for g, p in pairs if g == p) / len(pairs) if pairs else 0.0
    return {"lines": len(pairs), "accuracy": round(acc, 4), "boilerplate_vs_content": binary, "per_kind": per_kind}


def score_lines(path_to_labelled_file: Path | str) -> dict[str, Any]:
    """Score the labeller on one labelled file: accuracy, per-kind P/R/F1, boilerplate-vs-content P/R/F1."""
    rows = predict_file(path_to_labelled_file)
    result = score_pairs([(g, p) for _, _, g, p in rows])
    result["file"] = str(path_to_labelled_file)
    result["articles"] = len({name for name, *_ in rows})
    return result


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table of ``score_lines`` output."""
    b = result["boilerplate_vs_content"]
    lines = [
        f"{result['file']}: {result['articles']} articles, {result['lines']} lines, accuracy {result['accuracy']:.3f}",
        f"boilerplate vs content: P {b['precision']:.3f}  R {b['recall']:.3f}  F1 {b['f1']:.3f}  "
        f"(content kept {b['content_recall']:.3f} of {b['content_lines']})",
        f"{'kind':<11} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}",
    ]
    for k, v in result["per_kind"].items():
        lines.append(f"{k:<11} {v['precision']:>6.3f} {v['recall']:>6.3f} {v['f1']:>6.3f} {v['support']:>5}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from newsprism.clean.train_boilerplate import TEST_PATH

    ap = argparse.ArgumentParser(prog="python -m newsprism.eval.lines")
    ap.add_argument("file", nargs="?", type=Path, default=TEST_PATH, help="labelled file (default: held-out test)")
    ap.add_argument("--json-only", action="store_true")
    ap.add_argument("--errors", action="store_true", help="also list every mislabelled line")
    args = ap.parse_args(argv)
    if not args.file.exists():
        print(f"no such file: {args.file}", file=sys.stderr)
        return 2
    result = score_lines(args.file)
    if not args.json_only:
        print(format_table(result))
        if args.errors:
            for name, text, g, p in predict_file(args.file):
                if g != p:
                    print(f"  {name}: gold {g} / got {p}: {text[:90]}")
        print()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
