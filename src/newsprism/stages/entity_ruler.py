"""A gazetteer in front of spaCy's NER, and a fixer behind it.

The small English model makes systematic mistakes on world news: it tags Kiev/Kyiv as a
PERSON, Blinken as a GPE, Stoltenberg as an ORG, "State" (of "Secretary of State") as an
ORG, and lets an entity run across a blank line into a photo credit.  Two pipeline
components correct that, both driven by the readable data file
``newsprism/data/gazetteer.jsonl`` (one entry a line: ``name``, ``label``, optional
``variants`` and ``ambiguous``):

* ``newsprism_gazetteer`` (before ``ner``) works like spaCy's EntityRuler: it matches
  every surface form of every entry and presets the match as an entity, which the NER
  then respects and predicts around.  Unlike a plain EntityRuler it leaves a match alone
  when a neighbouring capitalised proper noun suggests a longer name it belongs to
  ("Dynamo Kiev", "Bayern Munich", "Tarasil Blinken"): the statistical model decides
  those.  Entries marked ``ambiguous`` (Jordan, Chad, Sofia ...) are never preset.
* ``newsprism_entity_fixer`` (after ``ner``) repairs the model generically: a span that
  crosses a blank line is cut at it; a title fragment ("State" in "Secretary of State")
  is dropped; a PERSON that the gazetteer knows as a place or organisation is relabelled
  (and the reverse); a capitalised name right after a title ("spokesman", "Secretary
  General", "President") becomes a PERSON; gazetteer matches the model left untagged are
  added.

``Gazetteer`` lookups (``lookup``, ``canonical``) are also used by the entity stages to
choose canonical names.  ``add_to_pipeline(nlp)`` installs both components.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Only the processes that parse import spaCy (a second of CPU): the corpus stages use
    # this module's gazetteer and word lists, never its pipeline components.
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token


def _span(doc: Doc, start: int, end: int, label: str | int) -> Span:
    """``spacy.tokens.Span(doc, start, end, label=label)``, imported where it is used."""
    from spacy.tokens import Span

    return Span(doc, start, end, label=label)


def _filter_spans(spans: list[Span]) -> list[Span]:
    """``spacy.util.filter_spans``: the longest of overlapping spans, first on ties."""
    from spacy.util import filter_spans

    return filter_spans(spans)

GAZETTEER_FILE = "gazetteer.jsonl"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Nouns that head a person's title: "Kremlin spokesman", "Foreign Minister", "Secretary General".
TITLE_HEADS: frozenset[str] = frozenset(_words(
    """president minister secretary spokesman spokeswoman spokesperson chief general commander
    commander-in-chief chancellor premier senator governor ambassador mayor envoy director
    chairman chairwoman chair leader head adviser advisor representative judge king queen prince
    princess pope prosecutor colonel lieutenant admiral sergeant captain marshal ceo founder
    editor correspondent official diplomat aide lawmaker congressman congresswoman speaker
    sen. rep. gov. gen. col. lt. adm. sgt. capt. dr. prof. pm"""
))
# Words that may sit inside a title before the head ("Deputy Prime", "Foreign Affairs", "of State").
TITLE_MODIFIERS: frozenset[str] = frozenset(_words(
    """foreign defense defence interior finance state prime deputy vice assistant acting former
    national security affairs external internal homeland treasury justice economy economic
    trade energy health education top senior press executive military armed forces army navy
    air force intelligence attorney first supreme high federal general-secretary in of for and
    on -"""
))
TITLE_WORDS: frozenset[str] = TITLE_HEADS | TITLE_MODIFIERS
# Courtesy titles stripped from a name (and kept as its role).
HONORIFICS: frozenset[str] = _words("mr mr. mrs mrs. ms ms. dr dr. sir dame prof prof. madam mx")
# Department words the model tags as ORG inside a title ("Secretary of State", "Defense Minister").
_DEPARTMENT_WORDS: frozenset[str] = frozenset(_words(
    """state defense defence foreign interior treasury justice finance commerce energy
    homeland security health education labor labour trade"""
))
_POSSESSIVE_ENDINGS: tuple[str, ...] = ("’s", "'s", "’", "'")


def normalize_surface(text: str) -> str:
    """Lookup form of a surface string: NFKC, casefolded, straight apostrophes, single
    spaces, a leading "the" and a trailing possessive removed.  Diacritics are kept
    (Lipavský and Lipavsky are both listed where they matter)."""
    t = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    t = " ".join(t.split()).casefold()
    if t.startswith("the "):
        t = t[4:]
    for end in ("'s", "'"):
        if t.endswith(end) and len(t) > len(end) + 1:
            t = t[: -len(end)]
            break
    return t


@dataclass(frozen=True, slots=True)
class GazEntry:
    """One gazetteer entry: the canonical ``name``, its spaCy ``label`` and spelling variants."""

    name: str
    label: str
    variants: tuple[str, ...] = ()
    ambiguous: bool = False

    @property
    def surfaces(self) -> tuple[str, ...]:
        return (self.name, *self.variants)


class Gazetteer:
    """Known places, organisations, groups and public figures, with their variants."""

    def __init__(self, entries: list[GazEntry]) -> None:
        self.entries = entries
        self._by_surface: dict[str, GazEntry] = {}
        for e in entries:
            for s in e.surfaces:
                # First entry wins: the file lists the most specific sense first.
                self._by_surface.setdefault(normalize_surface(s), e)

    @classmethod
    def from_jsonl(cls, path: Path | str, text: str | None = None) -> Gazetteer:
        """Parse a JSONL gazetteer; a bad line raises ``ValueError`` naming file and line."""
        from newsprism.errors import NewsprismError

        raw = text if text is not None else Path(path).read_text(encoding="utf-8")
        entries: list[GazEntry] = []
        for n, line in enumerate(raw.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                d = json.loads(line)
                entries.append(GazEntry(str(d["name"]), str(d["label"]), tuple(d.get("variants", ())),
                                        bool(d.get("ambiguous", False))))  # fmt: skip
            except (ValueError, KeyError, TypeError) as exc:
                raise NewsprismError(f"{path}:{n}: bad gazetteer entry ({exc}); expected "
                                     '{"name": ..., "label": ..., "variants": [...]}') from exc  # fmt: skip
        return cls(entries)

    def lookup(self, text: str) -> GazEntry | None:
        """The entry one of whose surface forms is ``text`` (case-insensitive), or ``None``."""
        return self._by_surface.get(normalize_surface(text))

    def canonical(self, text: str) -> str | None:
        e = self.lookup(text)
        return e.name if e else None

    def surfaces(self) -> list[tuple[str, GazEntry]]:
        return [(s, e) for e in self.entries for s in e.surfaces]


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer shipped in ``newsprism/data`` (parsed once per process)."""
    ref = resources.files("newsprism.data") if _has_data_pkg() else None
    if ref is not None:
        return Gazetteer.from_jsonl(GAZETTEER_FILE, ref.joinpath(GAZETTEER_FILE).read_text(encoding="utf-8"))
    path = Path(__file__).resolve().parent.parent / "data" / GAZETTEER_FILE
    return Gazetteer.from_jsonl(path)


def _has_data_pkg() -> bool:
    # ``newsprism/data`` is a namespace package (no __init__); files() works on it from
    # Python 3.10, but a zipped install may not expose it: fall back to the path.
    try:
        resources.files("newsprism.data")
    except (ModuleNotFoundError, TypeError):
        return False
    return True


# --------------------------------------------------------------------------- components


def _is_name_token(t: Token) -> bool:
    """A capitalised proper-noun token that is not a title word: part of some name."""
    return (
        t.pos_ == "PROPN"
        and t.text[:1].isupper()
        and t.is_alpha
        and t.lower_ not in TITLE_WORDS
    )


class _GazetteerMatcher:
    def __init__(self, nlp: Language, gaz: Gazetteer) -> None:
        self.gaz = gaz
        self.labels: dict[int, str] = {}
        from spacy.matcher import PhraseMatcher

        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for i, (surface, entry) in enumerate(gaz.surfaces()):
            key = f"gaz{i}"
            self.matcher.add(key, [nlp.make_doc(surface)])
            self.labels[nlp.vocab.strings[key]] = entry.name
        self._entries = {e.name: e for e in gaz.entries}

    def matches(self, doc: Doc) -> list[tuple[Span, GazEntry]]:
        """Non-overlapping gazetteer matches (longest first), each with its entry."""
        spans = []
        for match_id, start, end in self.matcher(doc):
            entry = self._entries[self.labels[match_id]]
            spans.append(_span(doc, start, end, label=entry.label))
        out = []
        for sp in _filter_spans(spans):
            found = self.gaz.lookup(sp.text)
            if found is not None:
                out.append((sp, found))
        return out


class GazetteerRuler:
    """Presets unambiguous, free-standing gazetteer matches as entities before NER."""

    def __init__(self, nlp: Language) -> None:
        self.m = _GazetteerMatcher(nlp, load_gazetteer())

    def __call__(self, doc: Doc) -> Doc:
        matches = self.m.matches(doc)
        matched = {i for sp, _ in matches for i in range(sp.start, sp.end)}
        keep: list[Span] = []
        for sp, entry in matches:
            if not entry.ambiguous and not _inside_longer_name(doc, sp, matched):
                keep.append(_span(doc, sp.start, sp.end, label=entry.label))
        if keep:
            doc.set_ents(_filter_spans(list(doc.ents) + keep), default="unmodified")
        return doc


def _inside_longer_name(doc: Doc, sp: Span, matched: set[int]) -> bool:
    """Whether a neighbouring unknown proper noun makes ``sp`` part of a longer name
    ("Dynamo Kiev", "Tarasil Blinken", "Republic of Namibia")."""
    prev = doc[sp.start - 1] if sp.start > 0 else None
    nxt = doc[sp.end] if sp.end < len(doc) else None
    if prev is not None and prev.i not in matched and _is_name_token(prev):
        return True
    if nxt is not None and nxt.i not in matched and _is_name_token(nxt):
        return True
    head = doc[sp.start - 2] if sp.start >= 2 else None
    return bool(prev is not None and head is not None and prev.lower_ in ("of", "de") and head.text[:1].isupper()
                and head.i not in matched and head.pos_ in ("PROPN", "NOUN"))


class EntityFixer:
    """Generic repairs of the model's entity output (see the module docstring)."""

    def __init__(self, nlp: Language) -> None:
        self.m = _GazetteerMatcher(nlp, load_gazetteer())
        self.gaz = self.m.gaz

    def __call__(self, doc: Doc) -> Doc:
        ents: list[Span] = []
        for ent in doc.ents:
            for part in _cut_at_blank_lines(ent):
                if _is_title_fragment(part):
                    continue
                ents.append(self._relabel(part))
        ents = self._split_concatenations(doc, ents)
        taken = {i for e in ents for i in range(e.start, e.end)}
        matches = self.m.matches(doc)
        matched = {i for sp, _ in matches for i in range(sp.start, sp.end)}
        for sp, entry in matches:
            if entry.ambiguous or any(i in taken for i in range(sp.start, sp.end)):
                continue
            if _inside_longer_name(doc, sp, matched):
                continue
            ents.append(_span(doc, sp.start, sp.end, label=entry.label))
        doc.set_ents(_filter_spans(ents), default="outside")
        return doc

    def _relabel(self, ent: Span) -> Span:
        entry = self.gaz.lookup(ent.text)
        label = ent.label_
        if entry is not None and not entry.ambiguous:
            # Only the systematic confusions: person <-> non-person, and demonyms.  Place vs
            # organisation is left to the model (a city name can be a sports team).
            if (label == "PERSON") != (entry.label == "PERSON") or entry.label == "NORP":
                label = entry.label
        elif label != "PERSON" and _after_title(ent) and _looks_like_name(ent) and entry is None:
            label = "PERSON"
        return ent if label == ent.label_ else _span(ent.doc, ent.start, ent.end, label=label)

    def _split_concatenations(self, doc: Doc, ents: list[Span]) -> list[Span]:
        """"Moldova Blinken" as one ORG → GPE "Moldova" + PERSON "Blinken" when gazetteer
        matches cover every word of the span."""
        matches = self.m.matches(doc)
        out: list[Span] = []
        for ent in ents:
            inside = [(sp, e) for sp, e in matches if ent.start <= sp.start and sp.end <= ent.end]
            covered = {i for sp, _ in inside for i in range(sp.start, sp.end)}
            words = [t.i for t in ent if t.is_alpha]
            if len(inside) >= 2 and all(i in covered for i in words) and not any(e.ambiguous for _, e in inside):
                out.extend(_span(doc, sp.start, sp.end, label=e.label) for sp, e in inside)
            else:
                out.append(ent)
        return out


def _cut_at_blank_lines(ent: Span) -> list[Span]:
    """The pieces of ``ent`` between whitespace tokens that hold a newline (trimmed)."""
    pieces: list[Span] = []
    start = ent.start
    for t in ent:
        if t.is_space and "\n" in t.text:
            if t.i > start:
                pieces.append(_span(ent.doc, start, t.i, label=ent.label_))
            start = t.i + 1
    if start < ent.end:
        pieces.append(_span(ent.doc, start, ent.end, label=ent.label_))
    if len(pieces) == 1 and pieces[0].start == ent.start and pieces[0].end == ent.end:
        return [ent]
    # Keep only the first piece: what follows a blank line is another block (a credit, a caption).
    return [p for p in pieces[:1] if any(t.is_alpha for t in p)]


def _is_title_fragment(ent: Span) -> bool:
    """"State" in "Secretary of State", "Defense" in "Defense Minister"."""
    if ent.label_ == "PERSON" or not all(t.lower_ in _DEPARTMENT_WORDS for t in ent):
        return False
    doc = ent.doc
    nxt = doc[ent.end] if ent.end < len(doc) else None
    if nxt is not None and nxt.lower_ in TITLE_HEADS:
        return True
    return ent.start >= 2 and doc[ent.start - 1].lower_ in ("of", "for") and doc[ent.start - 2].lower_ in TITLE_HEADS


def _after_title(ent: Span) -> bool:
    return ent.start > 0 and ent.doc[ent.start - 1].lower_ in TITLE_HEADS


def _looks_like_name(ent: Span) -> bool:
    toks = [t for t in ent if not t.is_punct]
    return 1 <= len(toks) <= 3 and all(t.text[:1].isupper() and (t.is_alpha or t.text.endswith(".")) for t in toks) \
        and not any(t.is_upper and len(t) > 1 for t in toks)


def _make_gazetteer(nlp: Language, name: str) -> Any:
    return GazetteerRuler(nlp)


def _make_fixer(nlp: Language, name: str) -> Any:
    return EntityFixer(nlp)


def _register_factories() -> None:
    from spacy.language import Language

    if not Language.has_factory("newsprism_gazetteer"):
        Language.factory("newsprism_gazetteer", func=_make_gazetteer)
    if not Language.has_factory("newsprism_entity_fixer"):
        Language.factory("newsprism_entity_fixer", func=_make_fixer)


def add_to_pipeline(nlp: Language) -> None:
    """Install the gazetteer before ``ner`` and the fixer after it (idempotent)."""
    if "ner" not in nlp.pipe_names:
        return
    _register_factories()
    if "newsprism_gazetteer" not in nlp.pipe_names:
        nlp.add_pipe("newsprism_gazetteer", before="ner")
    if "newsprism_entity_fixer" not in nlp.pipe_names:
        nlp.add_pipe("newsprism_entity_fixer", after="ner")
