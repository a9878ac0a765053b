"""PolNeAR scorer for quote extraction (who said what).

Reads ``shared/bench/quotes/polnear/{split}/`` at run time (never copied into the
project): ``text/NAME.txt`` plus brat standoff ``attributions/NAME_xxxx.ann``.  ``T``
lines hold Source / Cue / Content spans (possibly discontinuous ``a b;c d``); ``E``
lines join them into attributions.

Choices, stated so the figures can be reproduced and compared:

* **Annotator.**  A few articles were annotated by several annotators (``_xxxx`` is the
  annotator id).  We score against one file per article: the lexicographically smallest
  annotator id, always.
* **Discontinuous spans** are scored as their hull (first start to last end); the role
  ``Content2`` (rare) is ignored.
* **Span normalisation.**  PolNeAR content spans include the quotation marks and often
  the closing punctuation; our quotes' contract puts a direct quote's content *inside*
  the marks.  Before any comparison both gold and predicted spans are trimmed of
  surrounding whitespace (any Unicode space), quotation marks and ``.,:;`` so that ``“Yes.”`` and ``Yes``
  are the same span.  Nothing else is normalised.
* **Matching.**  Per span type, predictions and golds are matched one-to-one, greedily:
  exact pairs first (identical normalised offsets), then for overlap-match any
  character overlap, larger overlaps first.
* **Speaker accuracy**: of the predicted quotes whose content overlaps a gold content
  (the content overlap matching), the share whose predicted source overlaps that
  attribution's gold source (a gold attribution without a source counts as right when
  we predict no speaker).
* **Attribution accuracy**: an attribution is right when its content, cue and source all
  overlap the matched gold attribution's (missing source on both sides counts as a
  match); precision/recall/F1 over attributions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TRIM = " \t\r\n\"'“”‘’«»„‚‹›`.,:;"


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution as (start, end) pairs; ``None`` where the role is absent."""

    content: tuple[int, int] | None
    cue: tuple[int, int] | None
    source: tuple[int, int] | None


def find_bench(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The ``shared/bench`` folder, or ``None`` (see ``benchdir.root``)."""
    from newsprism.eval.benchdir import root

    return root(explicit)


def _polnear_dir(bench: Path) -> Path:
    return bench / "quotes" / "polnear" if (bench / "quotes" / "polnear").is_dir() else bench


def normalise(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` trimmed of whitespace, quotation marks and ``.,:;`` at both ends."""
    # ``isspace`` covers the no-break spaces news HTML leaves between a name and its verb
    while start < end and (text[start] in _TRIM or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in _TRIM or text[end - 1].isspace()):
        end -= 1
    return start, end


def parse_ann(ann: str) -> list[Attribution]:
    """The attributions of one brat ``.ann`` file (hull of discontinuous spans)."""
    spans: dict[str, tuple[int, int]] = {}
    rels: list[dict[str, str]] = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        if parts[0].startswith("T"):
            head = parts[1].split(" ", 1)
            if len(head) != 2:
                continue
            try:
                frags = [tuple(int(x) for x in f.split()) for f in head[1].split(";")]
                spans[parts[0]] = (min(f[0] for f in frags), max(f[1] for f in frags))
            except (ValueError, IndexError):
                continue
        elif parts[0].startswith("E"):
            roles = dict(p.split(":", 1) for p in parts[1].split() if ":" in p)
            rels.append(roles)
    out = []
    for r in rels:
        out.append(
            Attribution(
                content=spans.get(r.get("Content", "")),
                cue=spans.get(r.get("Cue", "")),
                source=spans.get(r.get("Source", "")),
            )
        )
    return [a for a in out if a.content is not None or a.cue is not None]


def load_split(bench: Path, split: str) -> list[tuple[str, str, list[Attribution]]]:
    """``(name, text, gold attributions)`` for every article of ``split`` (one annotator each)."""
    root = _polnear_dir(bench) / split
    chosen: dict[str, Path] = {}
    for ann in sorted((root / "attributions").glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0]
        chosen.setdefault(name, ann)  # sorted → smallest annotator id wins
    docs = []
    for name, ann in sorted(chosen.items()):
        txt = root / "text" / f"{name}.txt"
        if not txt.exists():
            continue
        text = txt.read_text(encoding="utf-8")
        docs.append((name, text, parse_ann(ann.read_text(encoding="utf-8"))))
    return docs


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match(pred: list[tuple[int, int]], gold: list[tuple[int, int]], exact: bool) -> dict[int, int]:
    """One-to-one greedy matching, pred index → gold index (exact, or any overlap)."""
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if exact:
                if p == g:
                    pairs.append((1, i, j))
            else:
                ov = _overlap(p, g)
                if ov > 0:
                    pairs.append((ov, i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    out: dict[int, int] = {}
    for _, i, j in pairs:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out[i] = j
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


class _Counts:
    def __init__(self) -> None:
        self.c: dict[str, list[int]] = {}

    def add(self, key: str, tp: int, n_pred: int, n_gold: int) -> None:
        v = self.c.setdefault(key, [0, 0, 0])
        v[0] += tp
        v[1] += n_pred
        v[2] += n_gold


def score_doc(text: str, pred: Iterable[Attribution], gold: list[Attribution], counts: Any) -> None:
    """Add one article's matches to ``counts`` (see the module docstring for the rules)."""
    pred = list(pred)

    def norm(spans: list[tuple[int, int] | None]) -> list[tuple[int, int]]:
        return [normalise(text, *s) for s in spans if s is not None]

    for role in ("source", "cue", "content"):
        p = norm([getattr(a, role) for a in pred])
        g = norm([getattr(a, role) for a in gold])
        for mode, exact in (("exact", True), ("overlap", False)):
            counts.add(f"{role}_{mode}", len(match(p, g, exact)), len(p), len(g))

    # attribution level: match on content overlap, then check cue and source
    pc = [normalise(text, *a.content) if a.content else (0, 0) for a in pred]
    gc = [normalise(text, *a.content) if a.content else (0, 0) for a in gold]
    m = match(pc, gc, exact=False)
    right_speaker = 0
    right_attr = 0
    for i, j in m.items():
        pa, ga = pred[i], gold[j]
        src_ok = (pa.source is None and ga.source is None) or (
            pa.source is not None
            and ga.source is not None
            and _overlap(normalise(text, *pa.source), normalise(text, *ga.source)) > 0
        )
        cue_ok = pa.cue is not None and ga.cue is not None and _overlap(pa.cue, ga.cue) > 0
        right_speaker += src_ok
        right_attr += src_ok and cue_ok
    counts.add("speaker_accuracy", right_speaker, len(m), len(m))
    counts.add("attribution", right_attr, len(pred), len(gold))


def quotes_as_attributions(quotes: Iterable[Any], join_gap: int = 400) -> list[Attribution]:
    """Our ``model.Quote`` objects as scorer attributions.

    PolNeAR annotates ``“A,” Trump said. “B.”`` as *one* attribution whose content is
    discontinuous (scored as its hull); we emit two direct quotes, the second with no
    cue of its own.  So a cue-less direct quote that follows a direct or mixed quote by the
    same speaker mention within ``join_gap`` characters is joined into that attribution, also
    when a quote that is not direct lies between them (it is then inside the hull).
    A quote whose cue lies inside another quote's content is left out: PolNeAR folds
    nested remarks into the outer attribution.
    """
    quotes = list(quotes)
    # PolNeAR gives each word one attribution (nested ones are 0.6 % of its golds): a
    # remark whose cue lies inside another remark's content ("France 24 noted that
    # Stoltenberg said …") is scored as part of the outer one, not on its own
    spans = [(q.start, q.end) for q in quotes]

    def nested(q: Any) -> bool:
        return q.cue is not None and any(
            a <= q.cue.start and q.cue.end <= b and (a, b) != (q.start, q.end) for a, b in spans
        )

    quotes = [q for q in quotes if not nested(q)]
    out: list[Attribution] = []
    last_direct: dict[tuple[int, int] | None, int] = {}  # speaker mention → index in out
    for q in sorted(quotes, key=lambda q: q.start):
        src = (q.speaker.start, q.speaker.end) if q.speaker else None
        k = last_direct.get(src)
        if q.type == "direct" and q.cue is None and k is not None:
            last = out[k]
            assert last.content is not None
            if 0 <= q.start - last.content[1] <= join_gap:
                # the remark goes on after its cue; a quote in between (“A,” she said,
                # when asked whether …, “B.”) lies inside the joined hull, as in PolNeAR
                out[k] = Attribution(content=(last.content[0], q.end), cue=last.cue, source=last.source)
                continue
        if q.type in ("direct", "mixed"):
            last_direct[src] = len(out)  # a mixed quote is continued the same way
        out.append(Attribution(content=(q.start, q.end), cue=(q.cue.start, q.cue.end) if q.cue else None, source=src))
    return out


def run(
    bench_dir: str | os.PathLike[str] | None = None, split: str = "dev", limit: int | None = None
) -> dict[str, Any]:
    """Score ``extract_quotes`` on PolNeAR ``split``; returns the metrics dict.

    Raises ``FileNotFoundError`` when the bench folder cannot be found.
    """
    from newsprism.stages.nlp import load_nlp
    from newsprism.stages.quotes import extract_quotes

    bench = find_bench(bench_dir)
    if bench is None:
        raise FileNotFoundError("PolNeAR not found: pass --bench DIR or set NEWSPRISM_BENCH")
    docs = load_split(bench, split)
    if limit is not None:
        docs = docs[:limit]
    nlp = load_nlp()
    counts = _Counts()
    texts = [d[1] for d in docs]
    for (name, text, gold), doc in zip(docs, nlp.pipe(texts, batch_size=8), strict=True):
        quotes = extract_quotes(doc, name)
        score_doc(text, quotes_as_attributions(quotes), gold, counts)
    result: dict[str, Any] = {"split": split, "articles": len(docs)}
    for key, (tp, npred, ngold) in counts.c.items():
        if key == "speaker_accuracy":
            result[key] = round(tp / npred, 4) if npred else 0.0
            result["speaker_n"] = npred
        else:
            result[key] = _prf(tp, npred, ngold)
    return result


def format_table(res: dict[str, Any]) -> str:
    """A plain-text table of ``run``'s result."""
    lines = [f"PolNeAR {res['split']} ({res['articles']} articles)", f"{'metric':<20}{'P':>8}{'R':>8}{'F1':>8}"]
    for key in (
        "source_exact",
        "source_overlap",
        "cue_exact",
        "cue_overlap",
        "content_exact",
        "content_overlap",
        "attribution",
    ):
        if key in res:
            v = res[key]
            lines.append(f"{key:<20}{v['p']:>8.3f}{v['r']:>8.3f}{v['f1']:>8.3f}")
    lines.append(f"{'speaker_accuracy':<20}{res.get('speaker_accuracy', 0.0):>24.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newsprism.eval.polnear", description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=None, help="the shared/bench folder (default: found next to the repo)")
    ap.add_argument("--split", default="dev", choices=["train", "dev"])
    ap.add_argument("--limit", type=int, default=None, help="score only the first N articles")
    args = ap.parse_args(argv)
    try:
        res = run(args.bench, args.split, args.limit)
    except FileNotFoundError as e:
        print(str(e), file=sys.stderr)
        return 2
    print(format_table(res))
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
