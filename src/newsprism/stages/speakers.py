"""Speaker names: from the mention that names or refers to a speaker to the best name
the article gives that speaker.  Rules only (no coreference model works offline):

* a name inside the mention ("Kremlin spokesman Dmitry Peskov") → that PERSON, expanded to
  the longest earlier full name ending with the same surname ("Peskov" → "Dmitry Peskov");
* a personal pronoun → the nearest preceding compatible mention (PERSON for he/she/I,
  an organisation or group for they/we), preferring recent sentence subjects;
* a title nominal ("the minister", "the spokesman") → the nearest earlier PERSON that
  the same title introduced ("Foreign Minister Sergei Lavrov", "Lavrov, the minister");
* a longer title phrase ("the head of Russian diplomacy", "the Russian foreign minister",
  "the Kremlin's top spokesman") → the same, by its title noun; a generic one ("head",
  "chief", "leader") matches any titled PERSON; never an adjective inside the phrase;
* "the outlet" / "the paper" … → the nearest earlier non-person proper-noun source of a
  reporting verb ("France 24 reported"); a short organisation name ("the Times") → the
  longest earlier organisation name ending with the same word ("The New York Times");
* anything else (institutions: "the Kremlin", "officials") → the mention's own text.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from newsprism.stages.nlp import doc_ents, doc_text, tokens_starting_in


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
# titles that head any office ("the head of Russian diplomacy"): compatible with every title
_GENERIC_TITLES = _words("head chief leader")
# nominals that refer back to a news outlet
_OUTLET_NOUNS = _words("outlet paper newspaper publication agency network broadcaster daily magazine")
_OUTLET_VERBS = _words("report write say note publish add")
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
    for other in doc_ents(doc):
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
    best_plain: Span | None = None
    for ent in doc_ents(doc):
        if ent.label_ != "PERSON" or ent.end_char > before or ent.start_char < limit_char:
            continue
        if female is not None:
            g = _is_female(_person_text(ent))
            if female is False and g is True:
                continue
        best = ent
        if not _is_possessive(ent):
            best_plain = ent
    # a pronoun continues the one who acts ("Blinken, who told reporters that Biden's
    # policy …, he added"), not a possessor in the same sentence; a possessor in a later
    # sentence ("Blinken's statements are scrutinised …") is the topic and stays
    if best is not None and best_plain is not None and best_plain.sent.start == best.sent.start:
        return best_plain
    return best


def _is_possessive(ent: Span) -> bool:
    """``ent`` is a possessor ("Biden's policy") rather than a participant."""
    doc = ent.doc
    return ent.root.dep_ == "poss" or (ent.end < len(doc) and doc[ent.end].text in ("'s", "’s", "'", "’"))


def _antecedent_group(doc: Doc, before: int) -> Span | None:
    best: Span | None = None
    for ent in doc_ents(doc):
        if ent.label_ in ("ORG", "NORP", "GPE") and ent.end_char <= before and before - ent.end_char < 600:
            best = ent
    return best


def _title_antecedent(doc: Doc, title: str, before: int) -> Span | None:
    """The nearest earlier PERSON introduced with ``title`` right before or after it (any
    title for a generic one: "the head of …")."""
    best: Span | None = None
    for ent in doc_ents(doc):
        if ent.label_ != "PERSON" or ent.end_char > before:
            continue
        window = doc[max(0, ent.start - 4) : min(len(doc), ent.end + 5)]
        lemmas = {t.lemma_.lower() for t in window} | {t.lower_ for t in window}
        if title in lemmas or (title in _GENERIC_TITLES and lemmas & TITLE_NOUNS):
            best = ent
    return best


def _title_of(doc: Doc, start: int, end: int, head: int | None) -> str | None:
    """The title noun a definite title phrase is built on ("the Russian foreign minister"
    → "minister", "the head of Russian diplomacy" → "head"), or None for other phrases."""
    toks = list(tokens_starting_in(doc, start, end))
    if not toks or len(toks) > 7:
        return None
    first = toks[0]
    definite = first.lower_ in ("the", "this", "that") or (first.ent_type_ in ("ORG", "GPE") and first.dep_ == "poss")
    if not definite and not any(t.dep_ == "poss" for t in toks[:3]):
        return None
    tok = doc[head] if head is not None and start <= doc[head].idx < end else toks[-1]
    if tok.pos_ != "NOUN":
        return None
    lem = tok.lemma_.lower()
    return lem if lem in TITLE_NOUNS else (tok.lower_ if tok.lower_ in TITLE_NOUNS else None)


def _outlet_antecedent(doc: Doc, before: int) -> str | None:
    """The nearest earlier outlet-like source: a non-person proper noun that is the subject
    of a reporting verb ("France 24 reported") or follows "according to"."""
    best: str | None = None
    for tok in doc:
        if tok.idx >= before:
            break
        src: Token | None = None
        if tok.pos_ == "VERB" and tok.lemma_.lower() in _OUTLET_VERBS:
            src = next((c for c in tok.children if c.dep_ == "nsubj"), None)
        elif tok.lower_ == "to" and tok.i > 0 and doc[tok.i - 1].lower_ == "according":
            src = next((c for c in tok.children if c.dep_ == "pobj"), None)
        if src is None or src.ent_type_ in ("PERSON", "NORP"):
            continue
        words = [t for t in src.subtree if t.i <= src.i + 1]
        if src.pos_ in ("PROPN", "NUM") and words and all(t.pos_ in ("PROPN", "NUM", "DET") for t in words):
            best = doc_text(doc)[words[0].idx : words[-1].idx + len(words[-1].text)]
    return best


def _full_org(doc: Doc, ent: Span) -> str:
    """The longest earlier ORG name of at most 6 tokens ending with the same word as
    ``ent`` ("Times" → "The New York Times"), or ``ent``'s text."""
    last = ent[-1].lower_
    best = ent.text
    for other in doc_ents(doc):
        if other.label_ != "ORG" or other.start_char >= ent.start_char or len(other) > 6:
            continue
        if other[-1].lower_ == last and len(other.text) > len(best):
            best = other.text
    return best


def resolve_name(doc: Doc, start: int, end: int, head: int | None = None) -> str:
    """The best in-article name for the speaker mentioned at ``doc.text[start:end]``."""
    text = doc_text(doc)[start:end]
    for ending in ("'s", "’s", "'", "’"):
        if text.endswith(ending) and len(text) > len(ending) + 1:
            text = text[: -len(ending)]  # "the company's claim": the speaker is the company
            break
    if head is not None and doc[head].lower_ in ("who", "which", "that") and doc[head].head.dep_ == "relcl":
        noun = doc[head].head.head  # "Sanders, who said …" → the noun the clause modifies
        return resolve_name(doc, noun.left_edge.idx, noun.idx + len(noun.text), noun.i)
    persons = [e for e in doc_ents(doc) if e.label_ == "PERSON" and e.start_char >= start and e.end_char <= end]
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
    title = _title_of(doc, start, end, head)
    if title is not None:
        ant = _title_antecedent(doc, title, start)
        return full_name(doc, ant) if ant is not None else text  # the phrase, not its adjective
    if len(words) == 2 and words[0] == "the" and words[1] in _OUTLET_NOUNS:
        return _outlet_antecedent(doc, start) or text
    orgs = [e for e in doc_ents(doc) if e.label_ == "ORG" and e.start_char >= start and e.end_char <= end]
    if len(orgs) == 1 and len(words) <= 3 and len(orgs[0]) == 1 and _full_org(doc, orgs[0]) != orgs[0].text:
        return _full_org(doc, orgs[0])
    others = [e for e in doc_ents(doc)
              if e.label_ in ("ORG", "GPE", "NORP") and e.start_char >= start and e.end_char <= end]  # fmt: skip
    if others and len(text) > len(others[0].text) + 30:
        return others[0].text  # a long phrase around an institution: name the institution
    return text


def _closest(ents: list[Span], tok: Token) -> Span:
    return min(ents, key=lambda e: 0 if e.start <= tok.i < e.end else min(abs(e.start - tok.i), abs(e.end - 1 - tok.i)))
