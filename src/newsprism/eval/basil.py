"""Scorer: lexical-bias spans on BASIL (Fan et al., EMNLP 2019; launchnlp/BASIL).

The data (``articles/YEAR/UUID_N.json`` + ``annotations/YEAR/UUID_N_ann.json``) is read at run
time from ``../shared/bench/framing/basil`` (found by walking up from this file), from
``NEWSPRISM_BENCH`` or from ``--bench DIR``; it is never copied into the project.

Format, as the files have it: an article's ``body-paragraphs`` is a list of paragraphs, each a
list of sentences.  A phrase-level annotation has ``bias`` (``lex`` | ``inf``), ``txt``,
``start``/``end`` relative to the *sentence* that contains it (no sentence index is given: the
sentence is the one where ``sentence[start:end] == txt``), and ``quote`` (yes | no).

We rebuild each article's text (sentences joined by a space, paragraphs by a blank line),
place every gold ``lex`` span in it, and predict spans with the framing stage: each event's
three articles (Fox, NYT, HuffPost) form one story and ``frame_story`` returns its loaded /
evaluative / hedging lexicon hits.  Two settings:

* ``all`` — every word is scanned, scored against all lexical-bias spans;
* ``own`` — quoted speech (a straight/curly double-quote regex) is left out, as the framing
  stage does in production, scored against the spans annotated ``quote: no``.

Metrics: span P/R/F1 with exact offsets and with overlap (a prediction is right when it
overlaps a gold span; a gold span is found when a prediction overlaps it), and token-level
P/R/F1 over ``\\w+`` tokens (micro, all articles).  We know of no published span-level figure
for a lexicon on BASIL's lexical spans; the bench README's reference (≈ 0.4–0.45) is
sentence-level *informational* bias, a different task.

Run: ``python -m newsprism.eval.basil [--bench DIR] [--terms]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsprism.model import Article, Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc

_SUBDIR = Path("framing") / "basil"
_TOKEN = re.compile(r"\w+")
_DQUOTE = re.compile(r"“([^”\n]{1,2000}?)”|\"([^\"\n]{1,2000}?)\"")


@dataclass(slots=True)
class BasilArticle:
    """One BASIL article rebuilt as plain text, with its gold lexical-bias spans."""

    id: str
    event: str
    source: str
    path: str
    text: str
    gold: list[tuple[int, int, bool]] = field(default_factory=list)  # (start, end, in_quote)
    unplaced: int = 0  # gold spans whose text was not found in any sentence


def find_bench(explicit: str | Path | None = None) -> Path | None:
    """The BASIL folder (``explicit`` may name the bench root or the folder itself), or ``None``."""
    from newsprism.eval.benchdir import locate

    return locate(explicit, str(_SUBDIR), require=("articles", "annotations"))


def load_articles(basil_dir: Path) -> list[BasilArticle]:
    """Every article with an annotation file, sorted by path, gold ``lex`` spans placed."""
    out = []
    for ann_path in sorted((basil_dir / "annotations").glob("*/*_ann.json")):
        art_path = basil_dir / "articles" / ann_path.parent.name / ann_path.name.replace("_ann.json", ".json")
        if not art_path.is_file():
            continue
        art = json.loads(art_path.read_text("utf-8"))
        ann = json.loads(ann_path.read_text("utf-8"))
        paragraphs = art.get("body-paragraphs") or []
        pieces: list[str] = []
        units: list[tuple[int, str]] = []  # (offset in text, sentence)
        pos = 0
        for pi, para in enumerate(paragraphs):
            if pi:
                pieces.append("\n\n")
                pos += 2
            for si, sent in enumerate(para):
                if si:
                    pieces.append(" ")
                    pos += 1
                units.append((pos, sent))
                pieces.append(sent)
                pos += len(sent)
        text = "".join(pieces)
        ba = BasilArticle(id=ann_path.stem.removesuffix("_ann"), event=str(ann.get("triplet-uuid", "")),
                          source=str(art.get("source", "")), path=str(art_path), text=text)  # fmt: skip
        for p in ann.get("phrase-level-annotations", []):
            if p.get("bias") != "lex":
                continue
            s, e, txt = int(p["start"]), int(p["end"]), p["txt"]
            where = next((off for off, sent in units if sent[s:e] == txt), None)
            if where is None:
                ba.unplaced += 1
                continue
            ba.gold.append((where + s, where + e, p.get("quote") == "yes"))
        out.append(ba)
    return out


def _quotes(ba: BasilArticle) -> list[Quote]:
    """Direct quotes found with a plain double-quote regex (the ``own`` setting)."""
    out = []
    for m in _DQUOTE.finditer(ba.text):
        g = 1 if m.group(1) is not None else 2
        out.append(Quote(id=f"{ba.id}:{m.start()}", article=ba.id, start=m.start(g), end=m.end(g), type="direct"))
    return out


def _token_set(text: str, spans: Iterable[tuple[int, int]]) -> set[int]:
    spans = list(spans)
    return {m.start() for m in _TOKEN.finditer(text) if any(s <= m.start() < e for s, e in spans)}


def _prf(tp_p: int, n_p: int, tp_r: int, n_g: int) -> dict[str, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_r / n_g if n_g else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}


def score(items: list[tuple[str, list[tuple[int, int]], list[tuple[int, int]]]]) -> dict[str, Any]:
    """Span (exact, overlap) and token P/R/F1 over [(text, predicted spans, gold spans)]."""
    n_p = n_g = ex = ov_p = ov_g = tok_tp = tok_p = tok_g = 0
    for text, pred, gold in items:
        pset, gset = set(pred), set(gold)
        n_p += len(pset)
        n_g += len(gset)
        ex += len(pset & gset)
        ov_p += sum(1 for a, b in pset if any(a < d and c < b for c, d in gset))
        ov_g += sum(1 for c, d in gset if any(a < d and c < b for a, b in pset))
        tp, tg = _token_set(text, pset), _token_set(text, gset)
        tok_tp += len(tp & tg)
        tok_p += len(tp)
        tok_g += len(tg)
    return {
        "exact": _prf(ex, n_p, ex, n_g),
        "overlap": _prf(ov_p, n_p, ov_g, n_g),
        "token": _prf(tok_tp, tok_p, tok_tp, tok_g),
        "predicted_spans": n_p,
        "gold_spans": n_g,
    }


def parse_all(arts: list[BasilArticle]) -> dict[str, Doc]:
    """article id → spaCy Doc of its text (one pass, reused by both settings)."""
    from newsprism.stages.nlp import load_nlp

    nlp = load_nlp()
    return dict(zip([a.id for a in arts], nlp.pipe((a.text for a in arts), batch_size=16), strict=True))


# BASIL's lexical bias is polarized word choice; hedges are epistemic, not polar, so by default
# they are not predicted (``--categories`` changes that).
DEFAULT_CATEGORIES = ("loaded", "evaluative")


def predict(arts: list[BasilArticle], *, own: bool, terms: bool = False, docs: dict[str, Doc] | None = None,
            categories: Iterable[str] = DEFAULT_CATEGORIES) -> dict[str, list[tuple[int, int]]]:  # fmt: skip
    """article id → predicted lexical-bias spans, from ``frame_story`` per BASIL event.

    ``docs`` (from ``parse_all``) turns the vader evidence on.  ``terms`` also predicts every
    use (in the article's own wording) of the outlet's distinctive unigrams that the lexicon
    or vader knows as valenced — a light way to let the log-odds evidence in.
    """
    from newsprism.corpus.framing import frame_story
    from newsprism.corpus.framing_lexicon import Lexicon
    from newsprism.corpus.framing_terms import own_spans

    model = {ba.id: Article(id=ba.id, source_path=ba.path, text=ba.text, outlet=ba.source) for ba in arts}
    use_vader = docs is not None
    cats = frozenset(categories)
    events: dict[str, list[BasilArticle]] = defaultdict(list)
    for ba in arts:
        events[ba.event].append(ba)
    lex = Lexicon.default()
    pred: dict[str, list[tuple[int, int]]] = {ba.id: [] for ba in arts}
    for event, members in events.items():
        articles = [model[b.id] for b in members]
        quotes = [q for b in members for q in _quotes(b)] if own else []
        for fr in frame_story(event, articles, quotes, docs=docs, use_vader=use_vader, quoted_speech=not own):
            for h in fr.loaded:
                if h["category"] not in cats:
                    continue
                pred[h["article"]].append((h["start"], h["end"]))
            if not terms:
                continue
            known = lex.vader.keys() | lex.category_of.keys()
            valenced = {t["term"] for t in fr.distinctive_terms if " " not in t["term"] and t["term"] in known}
            for art in articles:
                if art.outlet != fr.outlet or not valenced:
                    continue
                pat = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(valenced))) + r")\b", re.I)
                for s, e in own_spans(art, quotes, marked=own):
                    pred[art.id] += [(m.start(), m.end()) for m in pat.finditer(art.text, s, e)]
    return {k: sorted(set(v)) for k, v in pred.items()}


def run(bench_dir: Path, *, terms: bool = False, use_vader: bool = True,
        categories: Iterable[str] = DEFAULT_CATEGORIES) -> dict[str, Any]:  # fmt: skip
    """Figures for both settings (``all``, ``own``) as a dict; see the module docstring."""
    basil = find_bench(bench_dir)
    if basil is None:
        raise FileNotFoundError(f"no BASIL data under {bench_dir} (expected {_SUBDIR}/articles and annotations)")
    t0 = time.perf_counter()
    arts = load_articles(basil)
    result: dict[str, Any] = {
        "articles": len(arts),
        "gold_lex_spans": sum(len(a.gold) for a in arts),
        "gold_unplaced": sum(a.unplaced for a in arts),
        "method": "lexicon" + ("+vader" if use_vader else "") + ("+logodds-terms" if terms else ""),
        "categories": sorted(set(categories)),
    }
    docs = parse_all(arts) if use_vader else None
    for setting in ("all", "own"):
        pred = predict(arts, own=setting == "own", terms=terms, docs=docs, categories=categories)
        items = []
        for a in arts:
            gold = [(s, e) for s, e, in_q in a.gold if setting == "all" or not in_q]
            items.append((a.text, pred[a.id], gold))
        result[setting] = score(items)
    result["seconds"] = round(time.perf_counter() - t0, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    """CLI: print the figures as JSON; exit 2 when the data is missing."""
    ap = argparse.ArgumentParser(prog="python -m newsprism.eval.basil", description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", help="the bench folder (or its framing/basil subfolder)")
    ap.add_argument("--terms", action="store_true", help="also predict valenced distinctive (log-odds) terms")
    ap.add_argument("--no-vader", action="store_true", help="curated lexicon only")
    ap.add_argument(
        "--categories",
        default=",".join(DEFAULT_CATEGORIES),
        help="lexicon categories to predict (comma-separated: hedging,loaded,evaluative)",
    )
    args = ap.parse_args(argv)
    basil = find_bench(args.bench)
    if basil is None:
        print("BASIL data not found (use --bench DIR or NEWSPRISM_BENCH)", file=sys.stderr)
        return 2
    print(
        json.dumps(
            run(
                basil,
                terms=args.terms,
                use_vader=not args.no_vader,
                categories=[c for c in args.categories.split(",") if c],
            ),
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
