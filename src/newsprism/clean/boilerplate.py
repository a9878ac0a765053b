"""Label every line of a plain-text article: headline, subheading, byline, body, caption, credit,
related, comment, ad, standards or other.  Labelled, never deleted: a segment is (start, end,
kind) into the unchanged text.

How a line gets its kind:

1. ``line_features.featurize`` turns each non-blank line into a vector (shape, lexical cues,
   position, repetition across the outlet's articles, neighbours' cues).
2. A multinomial logistic regression fitted on hand-labelled articles
   (``data/lines_train.txt``; weights in ``data/boilerplate_model.json``, refit with
   ``python -m newsprism.clean.train_boilerplate``) gives a probability per kind.
3. A thin layer of high-precision rules overrides the model where the wording leaves no doubt
   (the WordPress comment form, "See also …", "Advertisement", "… editorial standards"), keeps
   ``headline`` to the first line, and refuses to call a long multi-sentence paragraph with no
   boilerplate cue anything but body.
4. A caption with its credit glued on ("… March 26, 2024.Photo: Agency / Name") becomes two
   segments, caption then credit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from newsprism.clean.line_features import FEATURE_NAMES, Line, featurize, shape, split_lines
from newsprism.clean.line_features import normalize_line as _normalize
from newsprism.model import CONTENT_KINDS, SEGMENT_KINDS, Segment

MODEL_PATH = Path(__file__).parent / "data" / "boilerplate_model.json"
RULE_SCORE = 0.99  # the score of a line whose kind a rule decided
_REPEATED = FEATURE_NAMES.index("repeated")

__all__ = ["LineLabel", "classify_lines", "label_text", "load_model", "normalize_line", "repeated_lines_by_outlet"]


def normalize_line(line: str) -> str:
    """The key under which a line is compared across articles (see ``repeated_lines_by_outlet``)."""
    return _normalize(line)


def repeated_lines_by_outlet(texts_by_outlet: dict[str, list[str]], min_articles: int = 2) -> dict[str, frozenset[str]]:
    """Per outlet, the normalized lines that occur in at least ``min_articles`` distinct articles.

    Identical texts count once (the same file ingested twice is not evidence of boilerplate).
    Lines of fewer than 2 characters are ignored.  Pass ``result[outlet]`` to ``label_text``.
    """
    if min_articles < 2:
        raise ValueError("min_articles must be >= 2: a line seen in one article is not repeated")
    out: dict[str, frozenset[str]] = {}
    for outlet, texts in texts_by_outlet.items():
        counts: dict[str, int] = {}
        seen_texts: set[str] = set()
        for t in texts:
            key = "\n".join(normalize_line(x) for x in t.split("\n") if x.strip())
            if key in seen_texts:
                continue
            seen_texts.add(key)
            for ln in {normalize_line(x) for x in t.split("\n")}:
                if len(ln) >= 2:
                    counts[ln] = counts.get(ln, 0) + 1
        out[outlet] = frozenset(ln for ln, c in counts.items() if c >= min_articles)
    return out


# ---------------------------------------------------------------------------- model


@lru_cache(maxsize=1)
def load_model(path: str | None = None) -> dict[str, Any]:
    """The fitted model JSON; raises RuntimeError if it was fitted on other features."""
    p = Path(path) if path else MODEL_PATH
    model: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURE_NAMES:
        raise RuntimeError(f"{p} was fitted on other features: run python -m newsprism.clean.train_boilerplate")
    unknown = set(model["classes"]) - set(SEGMENT_KINDS)
    if unknown:
        raise RuntimeError(f"{p} has unknown classes {sorted(unknown)}")
    return model


def probabilities(model: dict[str, Any], row: list[float]) -> list[float]:
    """Softmax probabilities of ``model["classes"]`` for one feature row."""
    return probability_rows(model, [row])[0]


def probability_rows(model: dict[str, Any], rows: list[list[float]]) -> list[list[float]]:
    """Softmax probabilities of ``model["classes"]`` for each feature row (one matrix product)."""
    import numpy as np

    if not rows:
        return []
    z = (np.asarray(rows, dtype=float) - np.asarray(model["mean"])) / np.asarray(model["scale"])
    logits = z @ np.asarray(model["coef"], dtype=float).T + np.asarray(model["intercept"], dtype=float)
    logits -= logits.max(axis=1, keepdims=True)
    ex = np.exp(logits)
    out: list[list[float]] = (ex / ex.sum(axis=1, keepdims=True)).tolist()
    return out


# ---------------------------------------------------------------------------- rules

_R_COMMENT = re.compile(
    r"^(?:leave a (?:reply|comment)(?: cancel reply)?|cancel reply|post (?:a |your )?comment|write a comment|"
    r"add a comment|(?:your )?e-?mail address will not be published\.?.*|(?:required|mandatory) fields are marked.*|"
    r"you must be (?:logged|signed) in to (?:post a )?comment\.?|comments? (?:are|is) closed\.?|"
    r"save my name,? e-?mail,? and website in this browser.*|(?:name|e-?mail|website|comment)\s*\*?|"
    r"\d[\d,.]*\s+(?:comments?|thoughts? on .+)|comments?\s*\(?\d[\d,.]*\)?|join the (?:discussion|conversation))$",
    re.I,
)
_R_RELATED = re.compile(r"^(?:see also|read more|read also|also read|related stories|related articles)\b", re.I)
_R_AD = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?|story continues below(?: advertisement)?)$|"
    r"^advertise with\b",
    re.I,
)
_R_STANDARDS = re.compile(
    r"^(?:correction|clarification|editor[’']?s note)\s*:|"
    r"\b(?:read our|see our|our) (?:editorial standards|standards|corrections policy)\b|"
    r"\btrust principles\b|\bcommitted to (?:truth|accuracy)\b",
    re.I,
)


def _rule(text: str) -> str | None:
    """The kind a high-precision rule assigns to a line on its own, or None."""
    t = " ".join(text.replace("\u00a0", " ").split())
    words = len(t.split())
    if words <= 25 and _R_COMMENT.match(t):
        return "comment"
    if words <= 40 and _R_RELATED.match(t):
        return "related"
    if words <= 40 and _R_AD.search(t):
        return "ad"
    if words <= 40 and _R_STANDARDS.search(t):
        return "standards"
    return None


_GLUED = re.compile(
    r"^(?P<cap>.*?[.!?\"”)\]])\s*(?P<cred>(?:(?:Photo|Foto|Picture|Image|Photograph)s?\s*:|Credits?\s*:|Credit(?=[A-Z]))\s*\S.*)$"
)


@dataclass(frozen=True, slots=True)
class LineLabel:
    """One non-blank line with its kind and the probability of that kind."""

    line: Line
    kind: str
    score: float
    by_rule: bool = False


def classify_lines(
    text: str, *, repeated_lines: frozenset[str] = frozenset(), model: dict[str, Any] | None = None
) -> list[LineLabel]:
    """Kind of every non-blank line of ``text`` (model, then rules and constraints), in order."""
    lines = split_lines(text)
    if not lines:
        return []
    m = model or load_model()
    classes: list[str] = m["classes"]
    rows = featurize(lines, repeated_lines)
    out: list[LineLabel] = []
    for i, (ln, row, p) in enumerate(zip(lines, rows, probability_rows(m, rows), strict=True)):
        probs = dict(zip(classes, p, strict=True))
        kind = _rule(ln.text)
        if kind is not None:
            out.append(LineLabel(ln, kind, max(RULE_SCORE, probs.get(kind, 0.0)), True))
            continue
        s = shape(ln.text)
        if i > 0 or (s.end_period and s.words >= 20):
            probs.pop("headline", None)  # only the first line, when it looks like a title, is a headline
        kind = max(probs, key=probs.__getitem__)
        if kind in ("comment", "ad") and not row[_REPEATED] and not (s.comment if kind == "comment" else s.ad):
            # Comment forms and ads are recognised by their wording (or by recurring across the
            # outlet); a short line with neither, e.g. a name at the end of a quote, is not one.
            probs.pop(kind)
            kind = max(probs, key=probs.__getitem__)
        if kind not in CONTENT_KINDS and kind != "caption" and _prose(ln.text):
            kind = "body"
        total = sum(probs.values())
        out.append(LineLabel(ln, kind, probs.get(kind, 0.0) / total if total else 0.0))
    return _wrapped(_context_rules(out))


def _continues(prev: LineLabel, cur: LineLabel) -> bool:
    """``cur`` continues ``prev``'s sentence: a hard-wrapped paragraph (no blank line between,
    ``prev`` ends without terminal punctuation and ``cur`` starts in lower case)."""
    if prev.line.blank_after or not cur.line.text[:1].islower():
        return False
    return prev.line.text.rstrip("\"”’')] ")[-1:] not in ".!?:"


def _wrapped(labels: list[LineLabel]) -> list[LineLabel]:
    """Give each hard-wrapped paragraph one kind, decided on its joined text: a rule's kind, else
    body when it is prose, else the kind of its first line."""
    out = list(labels)
    i = 0
    while i < len(out):
        j = i + 1
        while j < len(out) and _continues(out[j - 1], out[j]):
            j += 1
        if j - i >= 2:
            joined = " ".join(lab.line.text for lab in out[i:j])
            kind = _rule(joined) or ("body" if _prose(joined) else out[i].kind)
            for k in range(i, j):
                out[k] = LineLabel(out[k].line, kind, out[k].score if out[k].kind == kind else 0.5, True)
        i = j
    return out


def _prose(text: str) -> bool:
    """A line of reported prose: whatever the model says, not an ad, credit, byline, link or form.

    Prose = at least 8 words ending a sentence (or holding several).  It counts when it carries
    no boilerplate cue at all, or when it reports speech (a reporting verb or quotation marks):
    boilerplate blurbs address the reader, they do not quote anyone.
    """
    s = shape(text)
    if not (s.words >= 8 and (s.end_period or s.end_qmark or s.sentences >= 2)):
        return False
    cues = (
        s.credit
        or s.caption_cue
        or s.related
        or s.comment
        or s.ad
        or s.standards
        or s.social
        or s.copyright
        or s.glued_credit
        or s.byline
    )
    return not cues or s.reporting or s.has_quote


def _context_rules(labels: list[LineLabel]) -> list[LineLabel]:
    """Two structural rules over the model's labels.

    * A short title-like line right before a rule-decided standards blurb is that blurb's heading.
    * Unpunctuated caption, credit, then a short unpunctuated line: the third line is the caption's
      second half (the "caption block" of German and Austrian outlets), not a subheading.
    """
    out = list(labels)
    for i in range(len(out) - 1):
        nxt, cur = out[i + 1], out[i]
        if nxt.by_rule and nxt.kind == "standards" and not cur.by_rule:
            s = shape(cur.line.text)
            if s.words <= 6 and not s.end_period:
                out[i] = LineLabel(cur.line, "standards", cur.score, True)
    for i in range(2, len(out)):
        cur = out[i]
        if cur.kind == "subheading" and out[i - 1].kind == "credit" and out[i - 2].kind == "caption":
            s, first = shape(cur.line.text), shape(out[i - 2].line.text)
            if s.end_open and s.words <= 20 and first.end_open:
                out[i] = LineLabel(cur.line, "caption", max(cur.score, 0.5), True)
    return out


def label_text(text: str, *, repeated_lines: frozenset[str] = frozenset()) -> list[Segment]:
    """Segments covering every non-blank line of text (blank lines need no segment), in order, kinds from
    model.SEGMENT_KINDS; Segment.score = the classifier's probability of its kind (``RULE_SCORE`` or more
    where a rule decided). repeated_lines: normalized lines (use normalize_line) seen in >= 2 other
    articles of the same outlet.

    A line is one segment, ``text[start:end]`` being the line without its newline and surrounding
    whitespace; the one exception is a caption with a glued-on credit, which becomes a caption
    segment and a credit segment (the whitespace between them, if any, is left out).
    """
    segs: list[Segment] = []
    for lab in classify_lines(text, repeated_lines=repeated_lines):
        ln = lab.line
        m = _GLUED.match(ln.text) if lab.kind == "caption" else None
        if m and len(m.group("cred").split()) <= 14 and len(m.group("cap").split()) >= 3:
            cap_end = ln.start + m.end("cap")
            segs.append(Segment(ln.start, cap_end, "caption", lab.score))
            segs.append(Segment(ln.start + m.start("cred"), ln.end, "credit", lab.score))
        else:
            segs.append(Segment(ln.start, ln.end, lab.kind, lab.score))
    return segs
