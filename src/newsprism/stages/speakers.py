"""Speaker names: from the mention that names or refers to a speaker to the best name
the article gives that speaker.  Rules only (no coreference model works offline):

* a name inside the mention ("Kremlin spokesman Dmitry Peskov") → that PERSON, expanded to
  the longest earlier full name ending with the same surname ("Peskov" → "Dmitry Peskov");
* a personal pronoun → the nearest preceding compatible mention (PERSON for he/she/I,
  an organisation or group for they/we), preferring recent sentence subjects;
* a title nominal ("the minister", "the spokesman") → the nearest earlier PERSON that
  the same title introduced ("Foreign Minister Sergei Lavrov", "Lavrov, the minister");
* anything else (institutions: "the Kremlin", "officials") → the mention's own text.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


_HONORIFICS = _words("mr mr. mrs mrs. ms ms. dr dr. sen sen. rep rep. gov gov. gen gen. sir")
_PERSON_PRON = _words("he him his she her hers i me my")
_GROUP_PRON = _words("they them their we us our")
_FEMALE_PRON = _words("she her hers")
_MALE_PRON = _words("he him his")
# person titles a definite nominal may use to refer back to a named person
TITLE_NOUNS: frozenset[str] = _words(
    """minister spokesman spokeswoman spokesperson president secretary senator governor
    candidate nominee chairman chairwoman chair leader ambassador director mayor diplomat
    general chief adviser advisor aide envoy premier chancellor prime congressman
    congresswoman representative lawmaker official commander judge attorney prosecutor
    manager strategist businessman billionaire founder ceo head pope king queen"""
)
# a small, cheap gender cue: common given names (only used to skip an incompatible antecedent)
_FEMALE_NAMES = _words(
    """hillary kellyanne nancy elizabeth michelle melania ivanka sarah susan maria anna olga
    maria angela theresa marine kamala jill huma donna debbie hope katrina kayleigh ursula
    kaja annalena sanna mette giorgia nikki condoleezza madeleine samantha"""
)


def _strip_honorific(tokens: list[Token]) -> list[Token]:
    while tokens and tokens[0].lower_ in _HONORIFICS:
        tokens = tokens[1:]
    return tokens


def _person_text(ent: Span) -> str:
    toks = _strip_honorific([t for t in ent if not t.is_punct or t.text == "."])
    toks = [t for t in toks if t.text not in ("'s", "’s")]
    return " ".join(t.text for t in toks) if toks else ent.text


def full_name(doc: Doc, ent: Span) -> str:
    """The longest PERSON name in ``doc`` (up to this mention) sharing ``ent``'s surname."""
    base = _person_text(ent)
    surname = base.split()[-1] if base.split() else base
    best = base
    for other in doc.ents:
        if other.label_ != "PERSON" or other.start_char > ent.start_char:
            continue
        name = _person_text(other)
        parts = name.split()
        if parts and parts[-1] == surname and len(name) > len(best) and len(parts) <= 4:
            best = name
    return best


def _is_female(name: str) -> bool | None:
    first = name.split()[0].lower() if name.split() else ""
    return True if first in _FEMALE_NAMES else None


def _antecedent_person(doc: Doc, before: int, female: bool | None, max_sents: int = 6) -> Span | None:
    """Nearest PERSON mention ending before char ``before`` within ``max_sents`` sentences."""
    sents_seen = 0
    start_sent = doc.char_span(before, before, alignment_mode="expand")
    limit_char = 0
    if start_sent is not None and len(doc) > 0:
        tok_i = min(start_sent.start, len(doc) - 1)
        sent = doc[tok_i].sent
        while sents_seen < max_sents and sent.start > 0:
            sent = doc[sent.start - 1].sent
            sents_seen += 1
        limit_char = sent.start_char
    best: Span | None = None
    for ent in doc.ents:
        if ent.label_ != "PERSON" or ent.end_char > before or ent.start_char < limit_char:
            continue
        if female is not None:
            g = _is_female(_person_text(ent))
            if female is False and g is True:
                continue
        best = ent
    return best


def _antecedent_group(doc: Doc, before: int) -> Span | None:
    best: Span | None = None
    for ent in doc.ents:
        if ent.label_ in ("ORG", "NORP", "GPE") and ent.end_char <= before and before - ent.end_char < 600:
            best = ent
    return best


def _title_antecedent(doc: Doc, title: str, before: int) -> Span | None:
    """The nearest earlier PERSON introduced with ``title`` right before or after it."""
    best: Span | None = None
    for ent in doc.ents:
        if ent.label_ != "PERSON" or ent.end_char > before:
            continue
        window = doc[max(0, ent.start - 4) : min(len(doc), ent.end + 5)]
        if any(t.lemma_.lower() == title for t in window):
            best = ent
    return best


def resolve_name(doc: Doc, start: int, end: int, head: int | None = None) -> str:
    """The best in-article name for the speaker mentioned at ``doc.text[start:end]``."""
    text = doc.text[start:end]
    if head is not None and doc[head].lower_ in ("who", "which", "that") and doc[head].head.dep_ == "relcl":
        noun = doc[head].head.head  # "Sanders, who said …" → the noun the clause modifies
        return resolve_name(doc, noun.left_edge.idx, noun.idx + len(noun.text), noun.i)
    persons = [e for e in doc.ents if e.label_ == "PERSON" and e.start_char >= start and e.end_char <= end]
    if persons and head is not None and doc[head].pos_ == "NOUN" and not any(p.start <= head < p.end for p in persons):
        return text  # "Clinton's spokesman": the speaker is the spokesman, not Clinton
    if persons:
        return full_name(doc, persons[-1] if head is None else _closest(persons, doc[head]))
    low = text.lower().strip()
    if low in _PERSON_PRON:
        female: bool | None = True if low in _FEMALE_PRON else (False if low in _MALE_PRON else None)
        ant = _antecedent_person(doc, start, female)
        return full_name(doc, ant) if ant is not None else text
    if low in _GROUP_PRON:
        grp = _antecedent_group(doc, start)
        return grp.text if grp is not None else text
    words = low.split()
    if len(words) <= 3 and words and words[0] in ("the", "this", "that") and words[-1] in TITLE_NOUNS:
        ant = _title_antecedent(doc, words[-1], start)
        if ant is not None:
            return full_name(doc, ant)
    others = [e for e in doc.ents if e.label_ in ("ORG", "GPE", "NORP") and e.start_char >= start and e.end_char <= end]
    if others and len(text) > len(others[0].text) + 30:
        return others[0].text  # a long phrase around an institution: name the institution
    return text


def _closest(ents: list[Span], tok: Token) -> Span:
    return min(ents, key=lambda e: 0 if e.start <= tok.i < e.end else min(abs(e.start - tok.i), abs(e.end - 1 - tok.i)))
