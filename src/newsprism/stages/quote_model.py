"""A small learned filter over reporting-cue candidates.

``reporting.find_candidates`` proposes every construction that *could* report speech or
thought (a verb with a clausal, infinitival, object or prepositional complement; "according
to", "in a poll"; a noun with a "that"-clause).  This module scores each with a logistic
regression over sparse parse features (the cue's lemma and construction, the subject's
kind, whether the cue sits inside a quotation, the words next to the cue and the word
governing it, whether it is in the headline line, …) and keeps, per cue token, the best candidate whose
probability clears the trained threshold.

The weights (``data/quote_cues.json``, about 1.9 MB) are trained by
``newsprism.stages.train_quotes`` on PolNeAR *train* only.  Without the file the
hand-written lexicon rules decide (``Cue.lexical``), so the stage always works.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc

from newsprism.stages.nlp import doc_text
from newsprism.stages.reporting import DOBJ_VERBS, SPEECH_NOUNS, SPEECH_VERBS, XCOMP_VERBS, Cue

WEIGHTS_PATH = Path(__file__).parent / "data" / "quote_cues.json"
_PRONOUN_KIND = {"he": "he", "she": "he", "i": "i", "we": "we", "they": "they", "it": "it", "you": "you"}


def features(doc: Doc, c: Cue, quoted: list[tuple[int, int]], others: list[Cue] | None = None,
             nesting: list[str] | None = None) -> list[str]:  # fmt: skip
    """Sparse binary features of one candidate (strings; order irrelevant).

    ``others`` are the article's other candidates: how this one nests with them is a
    feature (PolNeAR annotates "gave his opinion on who …" once, as the noun's remark,
    not also as what "gave" governs).  ``nesting``: those features already worked out
    (``nesting_features``, for every candidate at once); then ``others`` is not read."""
    tok = doc[c.head]
    lem = tok.lemma_.lower()
    f = [
        "bias",
        f"lem={lem}",
        f"kind={c.kind}",
        f"lem|kind={lem}|{c.kind}",
        f"dep={tok.dep_}",
        f"tag={tok.tag_}",
        f"lex={c.lexical}",
        f"kind|lex={c.kind}|{c.lexical}",
        f"inspeech={lem in SPEECH_VERBS}|{c.kind}",
        f"inx={lem in XCOMP_VERBS}|{c.kind}",
        f"indobj={lem in DOBJ_VERBS}|{c.kind}",
        f"innoun={lem in SPEECH_NOUNS}",
    ]
    f.append(f"lem|dep={lem}|{tok.dep_}")
    if c.kind in ("prep", "nounprep", "adjprep"):
        last = doc_text(doc)[c.cue[0] : c.cue[1]].lower().split()[-1]
        f += [f"lem|cue={last}|{lem}", f"kind|cue={c.kind}|{last}"]
    if c.kind == "weakobj":
        f.append(f"obj={doc_text(doc)[c.content[0] : c.content[1]].lower()}")
    if any(ch.dep_ == "aux" and ch.tag_ == "MD" for ch in tok.children):
        f.append(f"modal|{c.kind}")
    order = "after" if c.cue[0] >= c.content[1] else ("before" if c.cue[1] <= c.content[0] else "in")
    f.append(f"order={order}|{c.kind}")
    if any(ch.dep_ == "neg" for ch in tok.children):
        f.append("neg")
    if any(a <= c.cue[0] < b for a, b in quoted):
        f.append(f"cue_in_quote|{c.kind}")
    if any(c.content[0] <= a and b <= c.content[1] for a, b in quoted):
        f.append("content_has_quote")
    if any(a <= c.content[0] and c.content[1] <= b + 1 for a, b in quoted):
        f.append(f"content_in_quote|{c.kind}")
    n = len(doc_text(doc)[c.content[0] : c.content[1]].split())
    f.append(f"len={min(n, 12) if n < 12 else (20 if n < 25 else 40)}")
    f.append(f"kind|len={c.kind}|{min(n, 4)}")
    if c.source_head is None:
        f.append("subj=none")
        f.append(f"subj=none|{c.kind}")
    else:
        s = doc[c.source_head]
        ent = s.ent_type_ or ("PRON-" + _PRONOUN_KIND.get(s.lower_, "other") if s.pos_ == "PRON" else s.pos_)
        f += [f"subj={ent}", f"subj|kind={ent}|{c.kind}", f"subjlem={s.lemma_.lower()}", f"subj|lem={ent}|{lem}"]
    # context: the words around the cue, the word governing it, where the line starts
    prev = doc[tok.i - 1].lower_ if tok.i > 0 else "<s>"
    nxt = doc[tok.i + 1].lower_ if tok.i + 1 < len(doc) else "</s>"
    f += [f"w-1={prev}", f"w+1={nxt}", f"lem|w+1={lem}|{nxt}", f"lem|order={lem}|{order}"]
    f.append(f"govlem={tok.head.lemma_.lower() if tok.head.i != tok.i else 'ROOT'}|{c.kind}")
    f.append(f"lem|tag={lem}|{tok.tag_}")
    if "\n" not in doc_text(doc)[: tok.idx]:
        f.append(f"firstline|{c.kind}")
    first = doc.char_span(c.content[0], c.content[1], alignment_mode="expand")
    if first is not None and len(first):
        w0 = first[0].lower_
        f.append(f"c0={w0 if w0 in ('that', 'to', 'the', 'a', 'his', 'her', 'their', 'it') else first[0].pos_}")
        f.append(f"c0|kind={first[0].pos_}|{c.kind}")
        root = first.root
        f.append(f"croot={root.ent_type_ or root.pos_}|{c.kind}")
        f.append(f"lem|croot={lem}|{root.pos_}")
    if nesting is not None:
        f += nesting
    elif others:
        f += _nesting(c, others)
    return f


def nesting_features(cands: list[Cue]) -> list[list[str]]:
    """``_nesting(c, cands)`` for every ``c`` of ``cands``, the same lists, in order.

    Why: an article has a hundred candidates or more, and comparing each with every
    other in Python was about a seventh of the document stages' own time (profiled); the comparisons are
    made here as array operations, and only the hits are turned into strings."""
    n = len(cands)
    if n == 0:
        return []
    head = np.fromiter((c.head for c in cands), dtype=np.int64, count=n)
    cue = np.asarray([c.cue for c in cands], dtype=np.int64).reshape(n, 2)
    con = np.asarray([c.content for c in cands], dtype=np.int64).reshape(n, 2)
    src = np.fromiter((-1 if c.source_head is None else c.source_head for c in cands), dtype=np.int64, count=n)
    other = head[:, None] != head[None, :]  # [i, j]: j is another head than i
    # i's content holds j's cue
    holds = other & (con[:, None, 0] <= cue[None, :, 0]) & (cue[None, :, 1] <= con[:, None, 1])
    # i's cue inside j's content, and i has no speaker of its own (``_own_speaker``)
    own = (src[:, None] != -1) & (src[:, None] != src[None, :])
    inside = other & (con[None, :, 0] <= cue[:, None, 0]) & (cue[:, None, 1] <= con[None, :, 1]) & ~own
    same = other & (con[:, None, 0] == con[None, :, 0]) & (con[:, None, 1] == con[None, :, 1])
    out: list[set[str]] = [set() for _ in range(n)]
    for i, j in zip(*np.nonzero(holds), strict=True):
        c, o = cands[i], cands[j]
        where = "start" if o.cue[0] - c.content[0] <= 12 else "in"
        out[i].add(f"holds_cue|{c.kind}|{o.kind}|{where}")
        out[i].add(f"holds_cue_lex|{o.lexical}|{where}")
    for i, j in zip(*np.nonzero(inside), strict=True):
        out[i].add(f"cue_inside|{cands[i].kind}|{cands[j].kind}")
        out[i].add(f"cue_inside_lex|{cands[j].lexical}")
    for i, j in zip(*np.nonzero(same), strict=True):
        out[i].add(f"same_content|{cands[i].kind}|{cands[j].kind}")
    return [sorted(x) for x in out]


def _nesting(c: Cue, others: list[Cue]) -> list[str]:
    """How ``c`` sits among the other candidates: its content holding another cue (at its
    very start: a wrapped noun cue), its cue inside another's content, its content equal
    to another head's content.  A cue inside another's content with a subject of its own
    ("France 24 noted that Stoltenberg said …") is a remark of its own, judged alone: PolNeAR
    folds it into the outer attribution, but who said what needs the inner speaker."""
    out: set[str] = set()
    for o in others:
        if o.head == c.head:
            continue
        if c.content[0] <= o.cue[0] and o.cue[1] <= c.content[1]:
            start = o.cue[0] - c.content[0] <= 12
            out.add(f"holds_cue|{c.kind}|{o.kind}|{'start' if start else 'in'}")
            out.add(f"holds_cue_lex|{o.lexical}|{'start' if start else 'in'}")
        if o.content[0] <= c.cue[0] and c.cue[1] <= o.content[1] and not _own_speaker(c, o):
            out.add(f"cue_inside|{c.kind}|{o.kind}")
            out.add(f"cue_inside_lex|{o.lexical}")
        if o.content == c.content:
            out.add(f"same_content|{c.kind}|{o.kind}")
    return sorted(out)


@lru_cache(maxsize=1)
def load_weights(path: str | None = None) -> dict[str, Any] | None:
    """``{"weights": {feature: w}, "threshold": t}`` or ``None`` when no file is shipped."""
    p = Path(path) if path else WEIGHTS_PATH
    if not p.exists():
        return None
    data: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    return data


def probability(feats: list[str], weights: dict[str, float]) -> float:
    """Logistic regression: sigmoid of the summed weights of the present features."""
    z = sum(weights.get(x, 0.0) for x in feats)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def select(doc: Doc, cands: list[Cue], quoted: list[tuple[int, int]]) -> list[Cue]:
    """The accepted candidates: per cue token the most probable one above the threshold,
    or, without weights, the lexicon's choice."""
    model = load_weights()
    if model is None:
        return [c for c in cands if c.lexical]
    weights: dict[str, float] = model["weights"]
    threshold = float(model["threshold"])
    best: dict[int, Cue] = {}
    for c, nest in zip(cands, nesting_features(cands), strict=True):
        c.score = probability(features(doc, c, quoted, nesting=nest), weights)
        if c.score >= threshold and (c.head not in best or _rank(c) > _rank(best[c.head])):
            best[c.head] = c
    kept = sorted(best.values(), key=lambda c: c.cue[0])
    return [c for c in kept if not any(_inherits(doc, c, o) for o in kept)]


# Between near-equal candidates of one cue the lexicon's construction wins ("accused NATO
# of “provoking” Kiev": the object and its of-phrase, not the of-phrase alone).
_LEXICAL_EDGE = 0.03


def _rank(c: Cue) -> float:
    return c.score + (_LEXICAL_EDGE if c.lexical else 0.0)


def _own_speaker(inner: Cue, outer: Cue) -> bool:
    """Whether ``inner`` names a speaker other than ``outer``'s."""
    return inner.source_head is not None and inner.source_head != outer.source_head


def _inherits(doc: Doc, inner: Cue, outer: Cue) -> bool:
    """Whether ``inner`` is a verb of no speech inside ``outer``'s content with ``outer``'s
    own subject ("Kasich sought to distinguish himself as …", "She avoided looking at
    me"): one stance, annotated once, as its outer cue's.  A second speech act ("said
    that …, arguing that …") and a nested remark by someone else ("X said Y claimed Z")
    are kept."""
    return (
        inner.head != outer.head
        and doc[inner.head].lemma_.lower() not in SPEECH_VERBS
        and inner.source_head is not None
        and inner.source_head == outer.source_head
        and outer.content[0] <= inner.cue[0]
        and inner.cue[1] <= outer.content[1]
    )
