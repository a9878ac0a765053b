"""NeuS (AllSides roundups) scorer for the multi-source summarizer: ROUGE-1/2/L F1.

Reads ``shared/bench/mds/neus_allsides/{split}.source|.target`` at run time (never copied
into the project).  One example a line; a source line holds three articles (left, centre,
right) split by ``[SEP]``, each ``TITLE=> … ARTICLE=> …``; a target line is the AllSides
neutral roundup in the same shape.

Choices, stated so the figures can be reproduced:

* **Reference** = the roundup's ``ARTICLE=>`` text (the neutral summary), markers removed;
  ``rouge_*_with_title`` also scores against title + text.
* **System input** = each source article's ``ARTICLE=>`` text; headlines are passed as
  ``titles`` (their words raise a sentence's score; a headline is never extracted, it is
  the most loaded part of an article).
* **Lead baseline** = the first sentence of each source article, in order.
* **ROUGE** is our own: tokens are lowercase ``\\w+``, no stemming, no stop-word removal;
  ROUGE-N F1 over clipped n-gram counts, ROUGE-L F1 from the longest common subsequence
  over the whole text; averaged over examples (macro).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_WORD = re.compile(r"\w+", re.UNICODE)
DEFAULT_MAX_SENTENCES = 6


def find_bench(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The ``shared/bench`` folder, or ``None`` (see ``benchdir.root``)."""
    from newsprism.eval.benchdir import root

    return root(explicit)


def _neus_dir(bench: Path) -> Path:
    sub = bench / "mds" / "neus_allsides"
    return sub if sub.is_dir() else bench


# ---------------------------------------------------------------- ROUGE
def tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _f1(overlap: int, n_sys: int, n_ref: int) -> float:
    if overlap == 0 or n_sys == 0 or n_ref == 0:
        return 0.0
    p, r = overlap / n_sys, overlap / n_ref
    return 2 * p * r / (p + r)


def rouge_n(system: Sequence[str], reference: Sequence[str], n: int) -> float:
    """ROUGE-N F1 between token lists (clipped n-gram counts)."""
    sys_ng = Counter(tuple(system[i : i + n]) for i in range(len(system) - n + 1))
    ref_ng = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
    overlap = sum((sys_ng & ref_ng).values())
    return _f1(overlap, sum(sys_ng.values()), sum(ref_ng.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (O(len(a)·len(b)) time, O(len(b)) memory)."""
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(system: Sequence[str], reference: Sequence[str]) -> float:
    """ROUGE-L F1 (summary-level LCS over the whole token sequence)."""
    return _f1(lcs_length(system, reference), len(system), len(reference))


def rouge(system: str, reference: str) -> dict[str, float]:
    s, r = tokens(system), tokens(reference)
    return {"rouge1": rouge_n(s, r, 1), "rouge2": rouge_n(s, r, 2), "rougeL": rouge_l(s, r)}


# ---------------------------------------------------------------- data
def _split_item(item: str) -> tuple[str, str]:
    """(title, text) of one ``TITLE=> … ARTICLE=> …`` item."""
    item = item.strip()
    title, _, body = item.partition("ARTICLE=>")
    title = title.replace("TITLE=>", "").strip()
    if not body:
        return "", title
    return title, body.strip()


Example = tuple[list[str], list[str], str, str]


def load(bench: Path, split: str = "val", limit: int | None = None) -> list[Example]:
    """[(article texts, article titles, reference text, reference title + text)] of one split."""
    d = _neus_dir(bench)
    src = (d / f"{split}.source").read_text(encoding="utf-8").splitlines()
    tgt = (d / f"{split}.target").read_text(encoding="utf-8").splitlines()
    if len(src) != len(tgt):
        raise ValueError(f"{split}.source has {len(src)} lines but {split}.target has {len(tgt)}")
    out = []
    for s, t in list(zip(src, tgt, strict=True))[:limit]:
        items = [_split_item(x) for x in s.split("[SEP]")]
        t_title, t_body = _split_item(t)
        out.append(([b for _, b in items if b], [h for h, _ in items if h], t_body, f"{t_title} {t_body}".strip()))
    return out


def lead_baseline(docs: list[str]) -> list[str]:
    """The first sentence of each article."""
    from newsprism.corpus.summary import split_sentences

    out = []
    for d in docs:
        spans = split_sentences(d)
        if spans:
            out.append(d[spans[0][0] : spans[0][1]])
    return out


def score(examples: list[Example], system: Callable[[list[str], list[str]], list[str]]) -> dict[str, float]:
    """Macro-averaged ROUGE F1 of ``system(texts, titles)`` over ``examples``, plus mean summary length."""
    tot: dict[str, float] = defaultdict(float)
    for docs, titles, ref, ref_full in examples:
        summary = " ".join(system(docs, titles))
        for k, v in rouge(summary, ref).items():
            tot[k] += v
        tot["rouge1_with_title"] += rouge(summary, ref_full)["rouge1"]
        tot["words"] += len(tokens(summary))
    n = max(1, len(examples))
    return {k: round(v / n, 4) for k, v in sorted(tot.items())}


def run(bench_dir: str | os.PathLike[str] | None = None, split: str = "val", limit: int | None = None,
        max_sentences: int = DEFAULT_MAX_SENTENCES) -> dict[str, Any]:  # fmt: skip
    """Score ``summarize_texts`` and the lead baseline on one NeuS split."""
    from newsprism.corpus.summary import summarize_texts

    bench = find_bench(bench_dir)
    if bench is None:
        raise FileNotFoundError("cannot find the benchmark data: pass --bench DIR or set NEWSPRISM_BENCH")
    examples = load(bench, split, limit)
    t0 = time.perf_counter()
    ours = score(examples, lambda docs, titles: summarize_texts(docs, max_sentences, titles))
    elapsed = time.perf_counter() - t0
    lead = score(examples, lambda docs, _titles: lead_baseline(docs))
    return {
        "split": split,
        "examples": len(examples),
        "summarizer": ours,
        "lead_baseline": lead,
        "beats_lead_rouge1": ours["rouge1"] > lead["rouge1"],
        "seconds": round(elapsed, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--bench", help="the shared/bench folder (default: search upward, or $NEWSPRISM_BENCH)")
    ap.add_argument("--split", default="val", choices=["val", "train"])
    ap.add_argument("--limit", type=int, default=None, help="score only the first N examples")
    ap.add_argument("--max-sentences", type=int, default=DEFAULT_MAX_SENTENCES)
    args = ap.parse_args(argv)
    try:
        result = run(args.bench, args.split, args.limit, args.max_sentences)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
