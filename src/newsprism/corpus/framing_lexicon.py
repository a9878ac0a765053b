"""The framing lexicon (hedging / loaded / evaluative words) and the naming table.

Both are data files we wrote ourselves and ship in the package
(``newsprism/data/framing_lexicon.toml``, ``newsprism/data/framing_naming.toml``; how they were
made is in ``docs/framing.md``).  vaderSentiment's bundled lexicon (MIT) adds strongly valenced
adjectives and adverbs as "evaluative" evidence when a spaCy ``Doc`` is at hand.

Every hit is a span of the text passed in, restricted to the spans passed in (the outlet's own
wording), so offsets are exact indices into ``article.text``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, Protocol

CATEGORIES: tuple[str, ...] = ("hedging", "loaded", "evaluative")  # earlier wins when a word is in two

# Whole-word edges: a hyphen or apostrophe joins words, so "led" never matches in "US-led".
_LEFT = r"(?<![\w\-’'])"
_RIGHT = r"(?![\w\-])"
_WORD_RUN = re.compile(r"\w+")
# Letters that case-insensitive matching pairs with "i" and "s" but lower() does not.
_FOLDS_APART = re.compile("[\u0130\u0131\u017f]")
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def _data_text(name: str) -> str:
    return resources.files("newsprism").joinpath("data", name).read_text(encoding="utf-8")


def _alternation(entries: Sequence[str]) -> str:
    """Regex alternation, longest entry first (so multiword entries win), spaces as ``\\s+``."""
    parts = sorted({e.strip() for e in entries if e.strip()}, key=lambda e: (-len(e), e))
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in parts)


def _key(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").split())


class TokenLike(Protocol):
    """What the vader evidence reads of a token: a spaCy ``Token`` has it, and so does the
    ``EvalToken`` the document stage keeps, so framing needs no second parse."""

    @property
    def idx(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def pos_(self) -> str: ...
    @property
    def lower_(self) -> str: ...
    @property
    def lemma_(self) -> str: ...


class EvalToken(NamedTuple):
    """An adjective or adverb of an article, kept by the document stage (offsets into its text)."""

    idx: int
    text: str
    pos_: str
    lower_: str
    lemma_: str


@dataclass(frozen=True, slots=True)
class LexiconHit:
    """A lexicon word in the outlet's own wording: ``text[start:end]`` is the word."""

    start: int
    end: int
    term: str
    category: str  # hedging | loaded | evaluative
    source: str = "lexicon"  # lexicon | vader


def _in_spans(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


class Lexicon:
    """Curated word lists plus vader evidence; ``find`` returns hits inside given spans."""

    def __init__(self, categories: dict[str, list[str]], vader: dict[str, float] | None = None,
                 vader_min: float = 1.5, vader_pos: Sequence[str] = ("ADJ", "ADV"),
                 vader_exclude: Sequence[str] = ()) -> None:  # fmt: skip
        self.category_of: dict[str, str] = {}
        for cat in CATEGORIES:
            for w in categories.get(cat, []):
                self.category_of.setdefault(_key(w), cat)
        self._pattern = re.compile(_LEFT + "(?:" + _alternation(list(self.category_of)) + ")" + _RIGHT, re.I)
        # The first word of every entry (see ``_matches``), or None to scan with the pattern alone.
        firsts = [_WORD_RUN.match(k) for k in self.category_of]
        self._first_words = (frozenset(m.group() for m in firsts if m is not None)
                             if all(m is not None and m.start() == 0 and m.group().isascii() for m in firsts)
                             else None)  # fmt: skip
        excluded = {_key(w) for w in vader_exclude}
        self.vader = {w: v for w, v in (vader or {}).items() if abs(v) >= vader_min and w not in excluded}
        self.vader_pos = frozenset(vader_pos)

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> Lexicon:
        """The shipped lexicon (cached)."""
        data = tomllib.loads(_data_text("framing_lexicon.toml"))
        vcfg = data.get("vader", {})
        return cls(
            {c: data.get(c, {}).get("words", []) for c in CATEGORIES},
            vader=load_vader(),
            vader_min=float(vcfg.get("min_valence", 1.5)),
            vader_pos=vcfg.get("pos", ["ADJ", "ADV"]),
            vader_exclude=vcfg.get("exclude", []),
        )

    def find(self, text: str, spans: Sequence[tuple[int, int]], doc: Iterable[TokenLike] | None = None,
             use_vader: bool = True) -> list[LexiconHit]:  # fmt: skip
        """Lexicon hits inside ``spans`` of ``text``, sorted by offset, never overlapping.

        ``doc`` (a spaCy parse of a same-length text, e.g. ``article.masked_text()``, or any
        iterable of tokens with the same attributes, see ``TokenLike``) enables the vader
        evidence: a token tagged ADJ/ADV whose lowercase form or lemma vader scores at least
        ``vader_min`` becomes an "evaluative" hit.
        """
        hits = [LexiconHit(m.start(), m.end(), m.group(), self.category_of[_key(m.group().translate(_FOLD))])
                 for m in self._matches(text, spans)]  # fmt: skip
        if doc is not None and use_vader and self.vader:
            taken = [(h.start, h.end) for h in hits]
            for tok in doc:
                if tok.pos_ not in self.vader_pos:
                    continue
                low = tok.lower_
                word = low if low in self.vader else tok.lemma_.lower()
                if word not in self.vader:
                    continue
                st, en = tok.idx, tok.idx + len(tok.text)
                if not _in_spans(st, en, spans) or any(a < en and st < b for a, b in taken):
                    continue
                hits.append(LexiconHit(st, en, text[st:en], "evaluative", "vader"))
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits


    def _matches(self, text: str, spans: Sequence[tuple[int, int]]) -> Iterator[re.Match[str]]:
        """What ``self._pattern.finditer(text, s, e)`` finds over every span, in order.

        The pattern opens with a lookbehind, so the regex engine tries its 400-odd entries
        at nearly every position of the text.  Every entry begins and ends with a word
        character, so a match begins where a run of word characters does, and that run,
        lowercased, is the first word of the entry that matched: the pattern is only tried
        where the text's word is one of the entries' first words.  (Letters that the
        pattern's case folding pairs with ASCII ones but lower() does not, as in
        ``NamingTable.find``, send the text down the plain scan.)"""
        if self._first_words is None or _FOLDS_APART.search(text):
            for s, e in spans:
                yield from self._pattern.finditer(text, s, e)
            return
        first, match = self._first_words, self._pattern.match
        for s, e in spans:
            resume = s
            for w in _WORD_RUN.finditer(text, s, e):
                p = w.start()
                if p < resume or w.group().lower() not in first:
                    continue
                m = match(text, p, e)
                if m is not None:
                    yield m
                    resume = m.end()


def load_vader() -> dict[str, float]:
    """vaderSentiment's bundled word → mean valence (alphabetic entries only; {} if absent)."""
    try:
        import vaderSentiment
    except ImportError:  # the dependency is pinned, but the lexicon is only extra evidence
        return {}
    path = Path(vaderSentiment.__file__).with_name("vader_lexicon.txt")
    out: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and re.fullmatch(r"[a-z][a-z'\-]*[a-z]", parts[0]):
            out[parts[0]] = float(parts[1])
    return out


@lru_cache(maxsize=1)
def role_words() -> frozenset[str]:
    """Lowercase role words (``[roles]`` in the lexicon file): minister, spokesman, chief …"""
    return frozenset(w.lower() for w in tomllib.loads(_data_text("framing_lexicon.toml"))["roles"]["words"])


# --- naming ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameUse:
    """One use of a form of a concept: ``text[start:end]`` is the form as written."""

    concept: str
    form: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Concept:
    name: str
    variants: tuple[str, ...]
    pattern: re.Pattern[str]
    case_sensitive: bool
    # One lowercase word of each variant, which every match contains (see ``_needles``).
    needles: tuple[str, ...] | None = None

    def form_of(self, matched: str) -> str:
        key = _key(matched)
        for v in self.variants:
            if (v == matched) if self.case_sensitive else (_key(v) == key):
                return v
        return matched


def _needles(variants: Sequence[str]) -> tuple[str, ...] | None:
    """The longest run of word characters of each variant, lowercased, or None when a
    variant has none or is not ASCII (its case-insensitive matches are then not
    guaranteed to contain the lowercased run).  A concept's pattern can only match a text
    whose lowercased form contains one of them: every word-character run of a variant
    stands in a match as a whole run of the text (the pattern's lookarounds and its
    literal separators bound it), equal to it but for letter case."""
    out = []
    for v in variants:
        runs = _WORD_RUN.findall(v)
        if not runs or not v.isascii():
            return None
        out.append(max(runs, key=len).lower())
    return tuple(out)


# Generic constructions.  "X-led Y": X one word (US, Kremlin, Iran, state); Y a run of up to four
# capitalized words (NATO, Donetsk People's Republic) or one lowercase noun (militias, media).
_MODIFIED = re.compile(
    r"(?<![\w\-])([\w.’']+)-(led|backed|run|controlled|occupied|allied|aligned|sponsored|funded|"
    r"supported|dominated|installed|annexed|appointed|friendly|leaning)\s+"
    r"((?:[A-Z][\w’'.\-]*)(?:\s+(?:of\s+)?[A-Z][\w’'.\-]*){0,3}|[a-z][a-z\-]{2,})"
)
# "so-called X": up to three words after it, stopping at punctuation.
_SO_CALLED = re.compile(r"(?<![\w\-])[Ss]o[\s-]called\s+[“\"‘']?([\w’'\-]+(?:\s+[\w’'\-]+){0,2})")


class NamingTable:
    """The curated concept → variants table plus generic "X-led Y" / "so-called X" detection."""

    def __init__(self, concepts: Sequence[dict[str, Any]]) -> None:
        self.concepts: list[_Concept] = []
        for c in concepts:
            variants = tuple(c["variants"])
            cs = bool(c.get("case_sensitive", False))
            pat = re.compile(_LEFT + "(?:" + _alternation(variants) + ")" + _RIGHT, 0 if cs else re.I)
            self.concepts.append(_Concept(c["name"], variants, pat, cs, _needles(variants)))

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> NamingTable:
        """The shipped naming table (cached)."""
        return cls(tomllib.loads(_data_text("framing_naming.toml"))["concept"])

    def find(self, text: str, spans: Sequence[tuple[int, int]]) -> list[NameUse]:
        """Uses of the table's concepts inside ``spans``."""
        out = []
        # Most concepts are absent from most articles: a substring test of the lowercased
        # text rules them out before their pattern (slow to scan: it opens with a
        # lookbehind) runs over every span.  The regex's case-insensitive matching also
        # pairs "i" with "ı" and "İ", and "s" with "ſ", which lower() does not: a text with
        # one of those is scanned in full.
        low = None if _FOLDS_APART.search(text) else text.lower()
        for c in self.concepts:
            if low is not None and c.needles is not None and not any(n in low for n in c.needles):
                continue
            for s, e in spans:
                for m in c.pattern.finditer(text, s, e):
                    out.append(NameUse(c.name, c.form_of(m.group()), m.start(), m.end()))
        return out


def find_constructions(text: str, spans: Sequence[tuple[int, int]]) -> list[NameUse]:
    """Generic qualified names: ``US-led NATO`` (concept NATO), ``so-called referendum``.

    The concept is the bare head (``NATO``; ``referendum``) and the form the whole
    qualified phrase with its whitespace collapsed; ``start``/``end`` cover the phrase.
    """
    out = []
    for s, e in spans:
        for m in _MODIFIED.finditer(text, s, e):
            words = m.group(3).split()
            # "US-led NATO Secretary General ..." names NATO, not "NATO Secretary General".
            cut = next((i for i in range(1, len(words)) if words[i].lower() in role_words()), len(words))
            head = " ".join(words[:cut]).rstrip(".")
            phrase_end = m.start(3) + len(head) if text.startswith(head, m.start(3)) else m.end()
            form = " ".join(text[m.start() : phrase_end].split())
            out.append(NameUse(head, form, m.start(), phrase_end))
        for m in _SO_CALLED.finditer(text, s, e):
            head = m.group(1).strip("’'-")
            out.append(NameUse(head, "so-called " + " ".join(head.split()), m.start(), m.end()))
    return out


def count_plain(text: str, spans: Sequence[tuple[int, int]], head: str,
                qualified: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:  # fmt: skip
    """Spans where ``head`` stands bare (not inside one of the ``qualified`` phrases).

    A capitalized head (NATO) matches case-sensitively, a lowercase one (militias) ignoring case.
    """
    flags = 0 if head[:1].isupper() else re.I
    pat = re.compile(_LEFT + r"\s+".join(re.escape(w) for w in head.split()) + _RIGHT, flags)
    out = []
    for s, e in spans:
        for m in pat.finditer(text, s, e):
            if not any(a <= m.start() and m.end() <= b for a, b in qualified):
                out.append((m.start(), m.end()))
    return out
