"""Scorer for the Zyte article-extraction benchmark (scrapinghub/article-extraction-benchmark).

The data (181 gzipped pages + ``ground-truth.json``) is read at run time from
``../shared/bench/boilerplate/zyte-aeb`` (found by walking up from this file), from
``NEWSPRISM_BENCH`` (the ``bench`` folder) or from ``--bench DIR``; it is never copied
into the project.

Metric, as the benchmark defines it: per page, tokenize with ``\\w+``, take the multiset
of word 4-gram shingles of the gold body and of the extracted text; TP = Σ min counts,
FP / FN = the excess on each side; P and R per page; P averaged over pages with a
prediction, R over pages with a gold body; F1 from the averaged P and R (exactly as the
benchmark's ``evaluate.py``).  Published: trafilatura 2.0 F1 0.958 (P 0.938, R 0.978).

Run: ``python -m newsprism.eval.zyte [--bench DIR] [--baseline]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"\w+")
_SUBDIR = Path("boilerplate") / "zyte-aeb"
# Segment kinds that count as "the article body" for this benchmark (its gold holds
# neither the headline nor captions or related links).
SCORED_KINDS = frozenset({"body", "subheading"})

Extractor = Callable[[str, str], str]  # (html, url) -> extracted body text


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    # As the benchmark's own code: a text shorter than n tokens is one short shingle.
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_counts(gold: str, extracted: str) -> tuple[float, float, float]:
    """(TP, FP, FN) over 4-gram shingles, normalized by their sum (so long pages weigh no more)."""
    g, e = _shingles(gold), _shingles(extracted)
    tp = sum((g & e).values())
    fp = sum((e - g).values())
    fn = sum((g - e).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score_page(gold: str, extracted: str) -> tuple[float, float]:
    """(precision, recall) of ``extracted`` against ``gold`` for one page.

    Both empty → (1, 1); nothing extracted → precision 0 (``run`` leaves such a page out
    of the precision average, as the benchmark does, but counts its recall 0).
    """
    tp, fp, fn = page_counts(gold, extracted)
    if fp == fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def find_bench(explicit: str | Path | None = None) -> Path | None:
    """The zyte-aeb folder (``explicit`` may name the bench root or the folder itself), or ``None``."""
    from newsprism.eval.benchdir import locate

    return locate(explicit, str(_SUBDIR), require=("ground-truth.json", "html"))


def load_pages(bench_dir: Path) -> list[tuple[str, str, str, str]]:
    """[(page id, html, url, gold body)] sorted by id."""
    truth: dict[str, dict[str, str]] = json.loads((bench_dir / "ground-truth.json").read_text("utf-8"))
    pages = []
    for key in sorted(truth):
        path = bench_dir / "html" / f"{key}.html.gz"
        if not path.is_file():
            continue
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        pages.append((key, html, truth[key].get("url", ""), truth[key].get("articleBody", "")))
    return pages


def newsprism_extractor(html: str, url: str) -> str:
    """Our extractor as the benchmark sees it: the body and subheading segments only."""
    from newsprism.errors import InputRejected
    from newsprism.ingest.html import extract_html

    try:
        ex = extract_html(html, source_path="bench", url_hint=url or None)
    except InputRejected:
        return ""
    return "\n\n".join(ex.text[s.start : s.end] for s in ex.segments if s.kind in SCORED_KINDS)


def trafilatura_baseline(html: str, url: str) -> str:
    """``trafilatura.extract`` as the benchmark's own runner calls it (defaults, no comments)."""
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def run(bench_dir: Path, extractor: Extractor | None = None, *, per_page: bool = False) -> dict[str, Any]:
    """Score ``extractor`` (default: ours) on every page: precision, recall, f1, pages,
    seconds_per_page (and ``per_page`` [(id, p, r)] when asked)."""
    fn = extractor or newsprism_extractor
    pages = load_pages(bench_dir)
    if not pages:
        raise FileNotFoundError(f"no benchmark pages under {bench_dir}")
    scores: list[tuple[str, float, float]] = []
    precisions: list[float] = []
    recalls: list[float] = []
    t0 = time.perf_counter()
    for key, html, url, gold in pages:
        extracted = fn(html, url)
        tp, fp, fn_ = page_counts(gold, extracted)
        p, r = score_page(gold, extracted)
        scores.append((key, p, r))
        # The benchmark averages precision over pages with a prediction and recall over
        # pages with a gold body.
        if tp + fp > 0:
            precisions.append(p)
        if tp + fn_ > 0:
            recalls.append(r)
    elapsed = time.perf_counter() - t0
    prec = sum(precisions) / len(precisions) if precisions else 0.0
    rec = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    out: dict[str, Any] = {
        "precision": round(prec, 4),
        "recall": round(rec, 4),
        "f1": round(f1, 4),
        "pages": len(scores),
        "seconds_per_page": round(elapsed / len(scores), 4),
    }
    if per_page:
        out["per_page"] = scores
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI: print a short table and the JSON figures; exit 2 when the data is missing."""
    ap = argparse.ArgumentParser(prog="python -m newsprism.eval.zyte", description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", help="the bench folder (or its boilerplate/zyte-aeb subfolder)")
    ap.add_argument("--baseline", action="store_true", help="also score plain trafilatura.extract defaults")
    args = ap.parse_args(argv)
    bench = find_bench(args.bench)
    if bench is None:
        print("zyte-aeb benchmark data not found (use --bench DIR or NEWSPRISM_BENCH)", file=sys.stderr)
        return 2
    results = {"newsprism": run(bench)}
    if args.baseline:
        results["trafilatura-defaults"] = run(bench, trafilatura_baseline)
    print(f"{'extractor':<22} {'P':>6} {'R':>6} {'F1':>6} {'pages':>5} {'s/page':>7}")
    for name, r in results.items():
        print(f"{name:<22} {r['precision']:>6.3f} {r['recall']:>6.3f} {r['f1']:>6.3f} {r['pages']:>5} "
              f"{r['seconds_per_page']:>7.3f}")  # fmt: skip
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
