"""Story-clustering scorer: B³ and pairwise precision/recall/F1 per benchmark set.

Reads ``shared/bench/clustering/*.jsonl`` at run time (never copied into the project).
Each line is ``{id, source, title, text, gold, [date]}``; ``gold`` is the event label.
Every set is clustered with the one default configuration of
:func:`newsprism.corpus.stories.cluster_stories` — nothing is tuned per set.

* ``title`` becomes the article's title, ``date`` (when present) its ``published``.
* NewsWCL50 texts carry literal ``\\n`` sequences for line breaks; they are turned into
  real newlines (the only normalisation).
* B³ (Bagga & Baldwin): per article, precision = |own cluster ∩ own gold| / |own cluster|,
  recall likewise over the gold class; averaged over articles.  Pairwise: over all
  unordered article pairs, a pair is positive when the two share a cluster.

``python -m newsprism.eval.clustering [--bench DIR] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from newsprism.model import Article


def _bench_dir(bench_dir: str | os.PathLike[str] | None) -> Path:
    """The folder holding the ``*.jsonl`` sets: ``bench_dir`` itself or its ``clustering/``."""
    from newsprism.eval.benchdir import locate

    found = locate(bench_dir, "clustering")
    if found is None:
        raise FileNotFoundError(
            "cannot find the clustering benchmark (../shared/bench/clustering): pass --bench DIR or set NEWSPRISM_BENCH"
        )
    return found


def load_set(path: Path) -> tuple[list[Article], dict[str, str]]:
    """Articles of one set and their gold labels (article id → event)."""
    articles: list[Article] = []
    gold: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if not line.strip():
                continue
            r = json.loads(line)
            aid = f"{path.stem}:{n:05d}"
            published = r.get("date") or r.get("published")
            articles.append(Article(id=aid, source_path=str(r.get("id", aid)), text=str(r["text"]).replace("\\n", "\n"),
                                    title=(r.get("title") or None), published=published or None,
                                    outlet=r.get("source")))  # fmt: skip
            gold[aid] = str(r["gold"])
    return articles, gold


def b_cubed(pred: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    """B³ precision, recall, F1 of the clustering ``pred`` (id → cluster) against ``gold``."""
    ids = list(gold)
    by_pred: dict[str, set[str]] = {}
    by_gold: dict[str, set[str]] = {}
    for i in ids:
        by_pred.setdefault(pred[i], set()).add(i)
        by_gold.setdefault(gold[i], set()).add(i)
    p = r = 0.0
    for i in ids:
        inter = len(by_pred[pred[i]] & by_gold[gold[i]])
        p += inter / len(by_pred[pred[i]])
        r += inter / len(by_gold[gold[i]])
    p, r = p / len(ids), r / len(ids)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def pairwise(pred: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    """Pairwise precision, recall, F1 over unordered article pairs."""
    from collections import Counter

    def pairs(counts: Counter[Any]) -> int:
        return sum(c * (c - 1) // 2 for c in counts.values())

    ids = list(gold)
    tp = pairs(Counter((pred[i], gold[i]) for i in ids))
    pp = pairs(Counter(pred[i] for i in ids))
    gp = pairs(Counter(gold[i] for i in ids))
    p = tp / pp if pp else 1.0
    r = tp / gp if gp else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def score_set(path: Path) -> dict[str, Any]:
    """Cluster one set with the default configuration and score it."""
    from newsprism.corpus.stories import cluster_stories

    articles, gold = load_set(path)
    t = time.perf_counter()
    stories = cluster_stories(articles)
    seconds = time.perf_counter() - t
    pred = {a: s.id for s in stories for a in s.articles}
    return {"articles": len(articles), "gold_events": len(set(gold.values())), "stories": len(stories),
            "b3": b_cubed(pred, gold), "pairwise": pairwise(pred, gold), "seconds": round(seconds, 2)}  # fmt: skip


def run(bench_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Score every ``clustering/*.jsonl`` set → ``{set: {...}, "b3_f1": {set: f1}}``."""
    folder = _bench_dir(bench_dir)
    sets = sorted(folder.glob("*.jsonl"))
    if not sets:
        raise FileNotFoundError(f"no *.jsonl clustering sets in {folder}")
    out: dict[str, Any] = {p.stem: score_set(p) for p in sets}
    out["b3_f1"] = {k: round(v["b3"]["f1"], 4) for k, v in out.items()}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--bench", help="benchmark folder (shared/bench or its clustering/)")
    ap.add_argument("--json", action="store_true", help="print everything as JSON")
    args = ap.parse_args(argv)
    result = run(args.bench)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    for name, r in result.items():
        if name == "b3_f1":
            continue
        b, pw = r["b3"], r["pairwise"]
        print(f"{name:22} n={r['articles']:4} gold={r['gold_events']:3} stories={r['stories']:3}  "
              f"B3 P/R/F1 {b['precision']:.3f}/{b['recall']:.3f}/{b['f1']:.3f}  "
              f"pairwise {pw['precision']:.3f}/{pw['recall']:.3f}/{pw['f1']:.3f}  {r['seconds']}s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
