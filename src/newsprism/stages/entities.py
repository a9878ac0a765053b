"""Entity mentions in one article, each grouped under a canonical in-article name.

``extract_entities(doc, article_id)`` turns the parsed article's entities (the pipeline
from ``stages.nlp``, with the gazetteer and fixer of ``stages.entity_ruler``) into
``ArticleEntity`` records:

* A mention's ``start``/``end`` are exact offsets into the article text, trimmed of a
  leading "the", a trailing possessive ("Ukraine’s" → "Ukraine") and stray punctuation.
* A person's title is not part of the name but is kept as a role: "US Secretary of State
  Antony Blinken" → mention "Antony Blinken", role "US Secretary of State"; so are
  courtesy titles inside the span ("Mr Peskov") and appositives ("Seth G. Jones, a former
  U.S. military official").
* The key is the canonical in-article name: the gazetteer's name for a known surface form
  ("Kiev" → "Kyiv"), else the mention text.  A lone surname takes the full name the
  article gives ("Peskov" → "Dmitry Peskov"; the nearest earlier full name wins, the
  gazetteer's when two full names share the surname); a lone surname mislabelled as ORG
  or GPE ("Stoltenberg") is recognised the same way.
* A bare role ("the Kremlin spokesman", "the NATO secretary general") becomes a mention
  (label ``ROLE``) of the one person the article gives that role, if exactly one.

Numeric labels (DATE, CARDINAL, MONEY ...) are not entities here.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsprism.model import Mention
from newsprism.stages.entity_ruler import HONORIFICS, TITLE_HEADS, TITLE_WORDS, load_gazetteer
from newsprism.stages.nlp import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

NAMED_LABELS: frozenset[str] = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
ROLE_LABEL = "ROLE"
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_LEAD_TRIM = frozenset({"the", "a", "an"})
_TRAIL_CHARS = " \t\n\r,;:!?\"“”‘«»()[]–—/"  # not ".": "U.S." keeps its dot


@dataclass
class ArticleEntity:
    """One entity as seen inside one article.

    ``key`` is the canonical in-article name, ``type`` a spaCy label, ``mentions`` every
    place the article names it (sorted by offset) and ``roles`` the titles it is given.
    """

    key: str
    type: str
    mentions: list[Mention] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- name normalisation


def fold(text: str) -> str:
    """Casefolded, diacritics removed, apostrophes, dots and hyphens normalised: "Lipavský" → "lipavsky"."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    t = t.replace("’", "'").replace("‘", "'").replace(".", " ").replace("-", " ")
    return " ".join(t.split())


_TRANSLIT = [("shch", "sh"), ("sch", "sh"), ("tsch", "ch"), ("ck", "k"), ("ph", "f"), ("th", "t"), ("kh", "h"),
             ("gh", "h"), ("ch", "h"), ("g", "h"), ("w", "v"), ("z", "s"), ("j", "i"), ("y", "i"), ("x", "ks"),
             ("c", "k"), ("q", "k"), ("'", "")]  # fmt: skip


def translit(text: str) -> str:
    """A transliteration-insensitive form: kh/ch/gh/g → h, w → v, z → s, j/y → i, doubled letters collapsed.

    Kyiv/Kiev/Kiew, Kharkiv/Kharkov, Zelensky/Zelenskyy/Selenskyj, Syrskyi/Syrsky come out alike.
    """
    t = fold(text)
    for a, b in _TRANSLIT:
        t = t.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", t)


def skeleton(text: str) -> str:
    """The consonant skeleton of ``translit(text)`` (first letter kept): "Lavorov" and "Lavrov" → "lvrv"."""
    words = []
    for w in translit(text).split():
        core = w[0] + re.sub(r"[aeiou\s]", "", w[1:])
        words.append(re.sub(r"(.)\1+", r"\1", core))
    return " ".join(words)


def name_parts(name: str) -> tuple[str, str]:
    """(given names, surname) of a person's name; suffixes like "Jr." are ignored."""
    toks = [t for t in name.split() if t.casefold().rstrip(",") not in _NAME_SUFFIXES]
    if not toks:
        return "", name
    return " ".join(toks[:-1]), toks[-1]


# ---------------------------------------------------------------- extraction


@dataclass
class _Raw:
    start: int
    end: int
    label: str
    role: str | None
    key: str = ""
    gazetteer: bool = False
    surface: str = ""


def extract_entities(doc: Doc, article_id: str) -> list[ArticleEntity]:
    """Named entities of one parsed article, grouped by canonical in-article name (see module docstring)."""
    text = doc_text(doc)
    gaz = load_gazetteer()
    raws: list[_Raw] = []
    for ent in doc.ents:
        if ent.label_ not in NAMED_LABELS:
            continue
        raw = _clean(ent)
        if raw is not None:
            raws.append(raw)
    for r in raws:
        surface = r.surface = " ".join(text[r.start : r.end].split())
        entry = gaz.lookup(surface)
        if entry is not None and (not entry.ambiguous or entry.label == r.label):
            r.key, r.gazetteer = entry.name, True
            r.label = entry.label if (entry.label == "PERSON") == (r.label == "PERSON") else r.label
            if entry.label == "PERSON":
                r.label = "PERSON"
        else:
            r.key = surface
    _resolve_surnames(raws, text)
    groups: dict[str, list[_Raw]] = {}
    for r in raws:
        groups.setdefault(r.key, []).append(r)
    out: list[ArticleEntity] = []
    for key, rs in groups.items():
        labels = Counter(r.label for r in rs)
        gaz_entry = gaz.lookup(key) if any(r.gazetteer for r in rs) else None
        typ = gaz_entry.label if gaz_entry is not None else labels.most_common(1)[0][0]
        roles: list[str] = []
        for r in rs:
            if r.role and r.role.casefold() not in {x.casefold() for x in roles}:
                roles.append(r.role)
        mentions = [Mention(article_id, r.start, r.end, text[r.start : r.end], r.label) for r in rs]
        out.append(ArticleEntity(key=key, type=typ, mentions=mentions, roles=roles))
    _add_role_mentions(out, text, article_id)
    for e in out:
        e.mentions.sort(key=lambda m: (m.start, m.end))
    out.sort(key=lambda e: e.mentions[0].start)
    return out


def _clean(ent: Span) -> _Raw | None:
    """Trim determiners, possessives and punctuation; for a person, split titles off as a role."""
    toks: list[Token] = list(ent)
    while toks and (toks[0].lower_ in _LEAD_TRIM or toks[0].is_punct or toks[0].is_space):
        toks = toks[1:]
    while toks and (toks[-1].lower_ in ("'s", "’s", "'", "’") or toks[-1].is_punct or toks[-1].is_space):
        toks = toks[:-1]
    inner_title: list[Token] = []
    if ent.label_ == "PERSON":
        while len(toks) > 1 and (toks[0].lower_ in TITLE_WORDS or toks[0].lower_ in HONORIFICS) \
                and toks[0].text[:1].isupper():  # fmt: skip
            inner_title.append(toks[0])
            toks = toks[1:]
    if not toks:
        return None
    doc = ent.doc
    start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    s = doc_text(doc)[start:end]
    for poss in ("’s", "'s"):
        if s.endswith(poss) and len(s) > len(poss):
            end -= len(poss)
            s = s[: -len(poss)]
    while end > start and doc_text(doc)[end - 1] in _TRAIL_CHARS:
        end -= 1
    if end <= start or not any(c.isalpha() for c in doc_text(doc)[start:end]):
        return None
    role = None
    if ent.label_ == "PERSON":
        first = inner_title[0].i if inner_title else toks[0].i
        role = _role_before(doc, first, toks[0].i) or _appositive_role(doc, toks[-1].i + 1)
    return _Raw(start, end, ent.label_, role)


def _role_before(doc: Doc, first: int, name_start: int) -> str | None:
    """The title right before a name: "Kremlin spokesman", "NATO Secretary General", "US Secretary of State"."""
    j = first - 1
    lo = first
    seen_head = False
    while j >= 0 and first - j <= 8:
        t = doc[j]
        if t.is_space or (t.is_punct and t.text != "-"):
            break
        ok = t.lower_ in TITLE_WORDS or (
            t.text[:1].isupper() and (t.pos_ in ("PROPN", "ADJ", "NOUN") or t.ent_type_ in ("ORG", "GPE", "NORP"))
            and t.ent_type_ != "PERSON"
        )
        if not ok or t.lower_ in _LEAD_TRIM:
            break
        if t.ent_iob_ in ("B", "I") and seen_head:
            # One entity may qualify the office ("NATO", "US"); take it whole and stop there.
            while j >= 0 and doc[j].ent_iob_ == "I":
                j -= 1
            lo = max(j, 0)
            break
        seen_head = seen_head or t.lower_ in TITLE_HEADS
        lo = j
        j -= 1
    toks = [doc[i] for i in range(lo, name_start)]
    while toks and toks[0].lower_ in ("of", "for", "and", "in", "on", "-"):
        toks = toks[1:]
    if not toks or not any(t.lower_ in TITLE_HEADS or t.lower_ in HONORIFICS for t in toks):
        return None
    # A role ends with a title word: drop name words the NER left out ("Minister Jan. Lipavsky").
    while toks and toks[-1].lower_ not in TITLE_WORDS and toks[-1].lower_ not in HONORIFICS:
        toks = toks[:-1]
    if not toks:
        return None
    return doc_text(doc)[toks[0].idx : toks[-1].idx + len(toks[-1].text)]


def _appositive_role(doc: Doc, i: int) -> str | None:
    """", a former U.S. military official," after a name → "former U.S. military official"."""
    if i >= len(doc) or doc[i].text != ",":
        return None
    j = i + 1
    if j < len(doc) and doc[j].lower_ in ("a", "an", "the"):
        j += 1
    toks: list[Token] = []
    while j < len(doc) and len(toks) < 8:
        t = doc[j]
        if t.is_punct or t.is_space or t.lower_ in ("who", "which", "that", "whom") or t.pos_ in ("VERB", "AUX"):
            break
        toks.append(t)
        j += 1
    if toks and toks[-1].lower_ in TITLE_HEADS and j < len(doc) and (doc[j].is_punct or doc[j].lower_ == "who"):
        return doc_text(doc)[toks[0].idx : toks[-1].idx + len(toks[-1].text)]
    return None


def _resolve_surnames(raws: list[_Raw], text: str) -> None:
    """A one-word person mention takes the article's full name with that surname."""
    full = [r for r in raws if r.label == "PERSON" and len(r.key.split()) >= 2]
    by_surname: dict[str, list[_Raw]] = {}
    for r in full:
        by_surname.setdefault(skeleton(name_parts(r.key)[1]), []).append(r)
    gaz = load_gazetteer()
    for r in raws:
        words = r.surface.split()
        if len(words) != 1 or r.label not in ("PERSON", "ORG", "GPE", "LOC", "NORP", "PRODUCT"):
            continue
        if r.label != "PERSON":
            entry = gaz.lookup(r.surface)
            if entry is not None and entry.label != "PERSON":
                continue  # a known place or organisation, not a stray surname
        cands = [c for c in by_surname.get(skeleton(words[0]), []) if _surname_agrees(words[0], c.key)]
        keys = {c.key for c in cands}
        if not keys or (r.gazetteer and r.key in keys):
            continue  # no full name here, or the gazetteer's person is the one the article names
        if len(keys) > 1:
            known = {c.key for c in cands if c.gazetteer}
            if len(known) == 1:
                keys = known
        if len(keys) == 1:
            r.key = next(iter(keys))
        else:
            before = [c for c in cands if c.start < r.start]
            r.key = (before[-1] if before else cands[0]).key
        r.label = "PERSON"


def _surname_agrees(word: str, full_name: str) -> bool:
    from rapidfuzz.fuzz import ratio

    a, b = translit(word), translit(name_parts(full_name)[1])
    return a == b or ratio(a, b) >= 75


def _add_role_mentions(ents: list[ArticleEntity], text: str, article_id: str) -> None:
    """"the Kremlin spokesman" → a ROLE mention of the one person the article gives that role."""
    phrase_owner: dict[str, set[int]] = {}
    for idx, e in enumerate(ents):
        if e.type != "PERSON":
            continue
        for role in e.roles:
            for phrase in _role_phrases(role):
                phrase_owner.setdefault(phrase.casefold(), set()).add(idx)
    if not phrase_owner:
        return
    # A bare role may contain the entity that qualifies it ("Kremlin" in "the Kremlin
    # spokesman"); it may not overlap a person or straddle another mention's edge.
    taken = [(m.start, m.end, e.type == "PERSON") for e in ents for m in e.mentions]
    for phrase, owners in sorted(phrase_owner.items(), key=lambda kv: -len(kv[0])):
        if len(owners) != 1:
            continue
        owner = ents[next(iter(owners))]
        single = " " not in phrase
        for m in re.finditer(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", text, flags=re.IGNORECASE):
            s, end = m.start(), m.end()
            if any(a < end and s < b and (person or a < s or b > end) for a, b, person in taken):
                continue
            after = text[end : end + 40].lstrip(" ")
            if after[:1].isupper() and not after.startswith(("I ", "I’", "I'")):
                continue  # a title before a name ("spokesman Dmitry Peskov"): that name is the mention
            before = text[max(0, s - 12) : s].rstrip().casefold()
            has_the = before.endswith(("the", "the ’s", "its"))
            if single and not has_the:
                continue
            owner.mentions.append(Mention(article_id, s, end, text[s:end], ROLE_LABEL))
            taken.append((s, end, True))


def _role_phrases(role: str) -> list[str]:
    """A role and its shorter tails that still name the office: "NATO Secretary General" →
    ["NATO Secretary General", "Secretary General"]; "Kremlin spokesman" → [..., "spokesman"]."""
    words = role.split()
    out = [role]
    for k in range(1, len(words)):
        tail = words[k:]
        if tail[0].casefold() in ("of", "for", "and", "-", "in", "on"):
            continue
        if not any(w.casefold() in TITLE_HEADS for w in tail):
            continue
        if len(tail) == 1 and tail[0].casefold() in ("general", "head", "official", "chair", "speaker"):
            continue
        out.append(" ".join(tail))
    return out
