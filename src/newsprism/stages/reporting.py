"""Reporting cues from the dependency parse: the verb or phrase that introduces speech
or thought, the reported content it governs, and the phrase naming its source.

``find_cues(doc)`` returns ``Cue`` records with character offsets into the Doc's text.
The lexicons below are general English reporting verbs and nouns (speech acts,
statements of belief and intention), written by hand, not drawn from any corpus.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from newsprism.stages.nlp import doc_text


def _words(s: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string."""
    return frozenset(s.split())


# verbs whose clausal complement (ccomp / "that"-clause) is reported content
SPEECH_VERBS: frozenset[str] = _words(
    """say tell add note claim argue insist warn accuse state announce explain suggest write
    tweet post report ask declare deny admit acknowledge concede confirm reveal stress emphasize
    emphasise point complain charge allege assert contend maintain reply respond answer counter
    recall indicate signal predict estimate forecast caution remark observe mention comment joke
    quip boast brag lament testify reiterate repeat conclude agree disagree concur promise vow
    pledge threaten assure reassure inform remind advise urge demand order recommend propose
    proclaim announce disclose divulge hint imply speculate wonder question doubt believe think
    know feel fear worry hope expect suspect assume guess reckon figure consider find show
    suggest prove demonstrate illustrate contend posit theorize acknowledge recognize realize
    understand learn hear read see notice decide determine rule hold find opine muse shout yell
    scream cry whisper mutter declare swear guarantee bet predict project calculate anticipate
    envision imagine dream tout trumpet brag insist reaffirm clarify specify describe
    portray characterize paint label brand dub call criticize blast slam praise laud defend
    dismiss reject rebut refute dispute contradict challenge blame credit thank apologize
    complain protest object retort interject continue begin conclude summarize
    """
)
# verbs whose to-infinitive complement (xcomp) is reported content (intentions, pledges)
XCOMP_VERBS: frozenset[str] = _words(
    """promise vow pledge threaten refuse decline plan want hope intend agree offer vow
    swear seek try aim expect wish urge ask tell call encourage order demand warn advise
    appear seem claim pretend"""
)
# verbs that report with a direct object + preposition (accuse X of Y, criticize X for Y)
OBJECT_VERBS: frozenset[str] = _words(
    """accuse criticize blame praise thank credit slam blast fault condemn denounce attack
    applaud commend chide scold mock ridicule deride disparage belittle rebuke scorn lambaste
    question urge call"""
)
# nouns whose "that"-clause or to-clause is reported content
SPEECH_NOUNS: frozenset[str] = _words(
    """statement claim claims remark remarks comment comments announcement assertion argument
    warning accusation allegation promise pledge vow threat belief view suggestion insistence
    prediction contention notion idea charge report reports testimony testimonies denial
    admission acknowledgment acknowledgement assurance insistence complaint hope fear
    concern concerns decision plan plans call demand argument"""
)
# nouns of stance or coverage whose of/about/on/for phrase is what the stance is about
STANCE_NOUNS: frozenset[str] = _words(
    """criticism critique critic critics praise question questions prediction support supporter
    supporters opposition opponent opponents endorsement endorsements attack attacks defense
    defence reaction response opinion opinions view views stance position skepticism scepticism
    doubt doubts advocate advocacy backing rejection approval disapproval condemnation
    denunciation appeal push proposal proposals calls demands plea pledges promises warnings
    threats charges allegations accusations complaints fears hopes embrace rhetoric message
    speech interview tweet tweets ad ads coverage investigation probe inquiry theory
    disclosure reversal discussion debate talk talks reference mention dismissal rebuke
    assessment analysis portrayal description characterization account version"""
)
_NOUN_PREPS = frozenset({"of", "about", "on", "for", "against", "over", "to", "into"})
# prepositions after a stance adjective that introduce what the stance is about
_ADJ_PREPS = frozenset({"of", "about", "on", "to", "with", "in", "by", "toward", "towards", "over"})
# verbs whose direct object is reported content: stances, proposals, speech acts on a thing
DOBJ_VERBS: frozenset[str] = _words(
    """announce propose endorse support back oppose criticize praise defend confirm deny reject
    dismiss discuss mention describe want prefer favor favour demand request promise pledge
    predict acknowledge admit cite question dispute condemn denounce applaud welcome recommend
    suggest express voice tout unveil outline explain reiterate repeat emphasize stress
    highlight attack slam blast mock ridicule name label brand dub call urge claim allege
    report reveal disclose concede decry lament tweet post write ask answer"""
)
# verb + preposition pairs whose prepositional object is reported content
PREP_VERBS: dict[str, frozenset[str]] = {
    "call": frozenset({"for"}),
    "talk": frozenset({"about"}),
    "speak": frozenset({"about", "of"}),
    "refer": frozenset({"to"}),
    "point": frozenset({"to"}),
    "vote": frozenset({"for", "against"}),
    "push": frozenset({"for"}),
    "argue": frozenset({"for", "against"}),
    "advocate": frozenset({"for"}),
    "complain": frozenset({"about"}),
    "warn": frozenset({"about", "of", "against"}),
    "testify": frozenset({"about"}),
    "comment": frozenset({"on"}),
    "insist": frozenset({"on"}),
    "boast": frozenset({"about", "of"}),
    "brag": frozenset({"about"}),
    "worry": frozenset({"about"}),
    "agree": frozenset({"with", "on"}),
    "disagree": frozenset({"with"}),
    "respond": frozenset({"to"}),
    "react": frozenset({"to"}),
    "campaign": frozenset({"for", "against"}),
    "side": frozenset({"with"}),
}
_SUBJ = ("nsubj", "nsubjpass", "csubj", "expl")
_REL_PRONOUNS = {"who", "which", "that", "whom"}


@dataclass(slots=True)
class Cue:
    """A reporting cue with the content it governs and its source phrase (char offsets)."""

    cue: tuple[int, int]
    content: tuple[int, int]
    source: tuple[int, int] | None
    head: int  # index of the cue's head token in the Doc
    source_head: int | None  # index of the source phrase's head token
    # ccomp | xcomp | gerund | object | dobj | weakobj | prep | passive | colon | parataxis | aside |
    # according | inpoll | noun | nounprep | adjprep | adjclause
    kind: str
    lexical: bool = True  # accepted by the hand-written lexicon rules alone
    score: float = 1.0  # the model's probability when a model judged it


def _span_chars(doc: Doc, i: int, j: int) -> tuple[int, int]:
    """Characters of tokens ``i..j`` inclusive, trimmed of edge punctuation and spaces
    (a closing bracket whose opening one is inside the span stays: "Reid (D-Nev.)")."""
    while i <= j and (doc[i].is_punct or doc[i].is_space) and doc[i].text not in "$%":
        i += 1
    while j >= i and (doc[j].is_punct or doc[j].is_space) and doc[j].text not in "$%":
        if doc[j].text == ")" and _opens_bracket(doc, i, j):
            break
        j -= 1
    if i > j:
        return (doc[i - 1].idx, doc[i - 1].idx) if i > 0 else (0, 0)
    start = doc[i].idx
    if len(doc[i].text) > 1 and doc[i].text[0] in "-–—" and doc[i].text[1].isalpha():
        start += 1  # "-Nate Cohn": a byline dash the tokenizer left on the name
    return start, doc[j].idx + len(doc[j].text)


def _opens_bracket(doc: Doc, i: int, j: int) -> bool:
    """Whether tokens ``i..j-1`` leave a "(" open, i.e. ``doc[j]`` closes it."""
    depth = 0
    for k in range(i, j):
        depth += (doc[k].text == "(") - (doc[k].text == ")")
    return depth > 0


def subtree_chars(tok: Token, exclude: Token | None = None) -> tuple[int, int]:
    """Character span of ``tok``'s subtree (minus ``exclude``'s subtree when it sits at an edge)."""
    i, j = tok.left_edge.i, tok.right_edge.i
    if exclude is not None:
        ei, ej = exclude.left_edge.i, exclude.right_edge.i
        if ei <= i <= ej:
            i = ej + 1
        if ei <= j <= ej:
            j = ei - 1
    return _span_chars(tok.doc, i, max(i, j) if j >= i else i)


def source_phrase(tok: Token, cue: Token | None = None, possessive: bool = False) -> tuple[int, int]:
    """The noun phrase of a source head: its subtree, keeping modifiers that say who the
    source is ("the groups who wrote to her", "a poll released Monday", "Sylvia Manzano,
    who directed the polling"), but not a comma-set-off participle ("Trump, speaking in
    Ohio,"), a clause that reports speech itself ("Rubel, who notes that …" is a second
    attribution) or a comma-set-off circumstance ("Cruz, with unconcealed delight,"),
    without what a dash sets off (a dateline "CLEVELAND - Trump", an aside after the
    head), without a leading focus adverb ("even economists") and without a quotation
    the parser attached to it.  When the cue ``cue`` modifies the source ("two events
    aimed at …", "a group backing …"), the phrase stops before it.  A possessive ending
    stays only with ``possessive`` (a noun cue: "Clinton's attack on …")."""
    doc = tok.doc
    i, j = tok.left_edge.i, tok.right_edge.i
    if cue is not None and i <= cue.i <= j and cue.i > tok.i:
        holder = next((c for c in tok.rights if c.left_edge.i <= cue.i <= c.right_edge.i), None)
        if holder is not None:
            j = min(j, holder.left_edge.i - 1)
    for child in tok.rights:
        if _is_dash(child) or (child.dep_ in ("relcl", "acl") and _cut_relative(child)):
            j = min(j, child.left_edge.i - 1)
        elif child.dep_ == "prep" and child.lower_ in _ASIDE_PREPS and doc[child.i - 1].text == ",":
            # "Trump, during an interview on Thursday,": a circumstance, not the source
            j = min(j, child.i - 1)
    for child in tok.rights:
        if child.i == j and child.tag_ == "POS" and not possessive:
            j -= 1  # "Trump's": the possessive ending is not part of who speaks
        elif child.i == j and child.lower_ in _FLOATING:
            j -= 1  # "Sanders and Cruz both"
        elif (
            child.dep_ == "prep"
            and child.lower_ in ("on", "in", "at")
            and any(g.dep_ == "pobj" and g.ent_type_ in ("DATE", "TIME") for g in child.children)
        ):
            j = min(j, child.i - 1)  # "Trump on Tuesday", "Clinton in 2008": when, not who
    for k in range(i, tok.i):
        if _is_dash(doc[k]):
            i = k + 1
    # a phrase never crosses a paragraph break (headline or timestamp glued on by the parser)
    while i < tok.i and "\n" in doc_text(doc)[doc[i].idx : tok.idx]:
        i += 1
    while i < tok.i and doc[i].lower_ in _FOCUS_ADVERBS:
        i += 1
    # nor half a quotation ("the head of Russian diplomacy and “Moscow …”"): with an odd
    # number of quote marks in the phrase, it stops at the first one past the head
    # nor a quotation the parser attached: with the head outside quotes, the phrase stops
    # at the first mark past it ("the head of Russian diplomacy and “Moscow” said"), and
    # a half quotation before the head is left out ("” the minister")
    marks = [k for k in range(i, j + 1) if doc[k].is_quote and not _is_apostrophe(doc[k])]
    before = [k for k in marks if k < tok.i]
    after = [k for k in marks if k > tok.i]
    if len(after) % 2:
        # the parser often hangs a title's closing mark on the verb ("the author of
        # “Hacked World Order,” said"): pair it with the mark just past the phrase
        k = j + 1
        while k < len(doc) and k <= j + 2 and doc[k].is_punct and not doc[k].is_quote:
            k += 1
        if k < len(doc) and doc[k].is_quote and not _is_apostrophe(doc[k]):
            after = [*after, k]
    if len(before) % 2 == 0 and after and not _quoted_titles(doc, after):
        j = after[0] - 1
        while j > tok.i and (doc[j].pos_ == "CCONJ" or doc[j].is_punct):
            j -= 1
    elif len(before) % 2 and not after:
        i = before[-1] + 1
    return _span_chars(doc, i, max(i, j))


_DASHES = frozenset({"-", "–", "—", "--"})
_FOCUS_ADVERBS = frozenset({"even"})
_FLOATING = frozenset({"both", "all", "each"})
# prepositions whose comma-set-off phrase after a source is a circumstance ("Cruz, during
# the debate,"); "X, of Ohio," and "X, from the campaign," still say who X is
_ASIDE_PREPS = frozenset({"during", "with", "through", "in", "at", "on", "after", "before", "via", "like", "unlike"})


def _quoted_titles(doc: Doc, marks: list[int]) -> bool:
    """Whether the quote marks ``marks`` pair up around short names inside a noun phrase
    ("the author of “Hacked World Order”", "the hacker known as “Guccifer”"): titles, not
    a quotation the parser attached (which follows "and", or runs longer)."""
    if len(marks) % 2:
        return False
    for a, b in zip(marks[::2], marks[1::2], strict=True):
        if b - a - 1 > _TITLE_WORDS or b == a + 1 or (a > 0 and doc[a - 1].pos_ == "CCONJ"):
            return False
    return True


_TITLE_WORDS = 10


def _is_apostrophe(tok: Token) -> bool:
    """A possessive apostrophe ("Sanders' aide", "Sanders’ campaign"), not a quote mark:
    tagged so, or glued to a word ending in "s" with a space after it."""
    if tok.tag_ == "POS":
        return True
    if tok.text not in ("'", "’") or tok.i == 0:
        return False
    prev = tok.doc[tok.i - 1]
    return not prev.whitespace_ and prev.text[-1:].lower() == "s" and bool(tok.whitespace_)


def _is_dash(tok: Token) -> bool:
    """A dash setting off a phrase, not the hyphen inside a word ("pro-life")."""
    if tok.text not in _DASHES:
        return False
    before = tok.i == 0 or bool(tok.doc[tok.i - 1].whitespace_)
    return before or bool(tok.whitespace_)


def _cut_relative(clause: Token) -> bool:
    """Whether a relative clause or participle is left out of a source phrase.  A relative
    clause stays, set off by a comma or not ("Sylvia Manzano, who directed the polling":
    it tells who the source is, and PolNeAR's annotators keep it); a comma-set-off
    participle is an aside ("Trump, speaking in Ohio"); a clause with a speech verb of
    its own is a second attribution either way ("Rubel, who notes that …")."""
    doc = clause.doc
    left = clause.left_edge.i
    if any(t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in SPEECH_VERBS for t in clause.subtree):
        return True
    set_off = left > 0 and doc[left - 1].text in (",", "(", "—", "–")
    return set_off and not (clause.dep_ == "relcl" and doc[left].lower_ in _REL_PRONOUNS | {"whose"})


def _subject(verb: Token) -> Token | None:
    """The speaker token of a cue verb (see ``_raw_subject``), moved off a dateline or
    timestamp the parser glued onto it ("9:18 p.m.\n\nDonald Trump is thanking …",
    "Washington (AFP) – Hillary Clinton has …"): the speaker is then the last head-most
    noun between that break and the verb, or None when there is none."""
    subj = _raw_subject(verb)
    if subj is not None and _inside_quotation(subj, verb):
        subj = None  # "“Everything you do,” Broaddrick said": the parser took a quoted word
    if subj is None and is_reporting_verb(verb):
        subj = _adjacent_subject(verb)
    if subj is None or subj.i >= verb.i:
        return subj
    doc = verb.doc
    brk = -1
    for k in range(subj.i, verb.i):
        dateline = _is_dash(doc[k]) and k > 0 and doc[k - 1].text == ")"  # "Washington (AFP) –"
        if "\n" in doc[k].text or "\n" in doc[k].whitespace_ or dateline:
            brk = k
    if brk < 0:
        return subj
    local = [
        t
        for t in doc[brk + 1 : verb.i]
        if (not (brk < t.head.i < verb.i) or t.head.i == t.i)
        and t.pos_ in ("NOUN", "PROPN", "PRON")
        and t.ent_type_ not in ("DATE", "TIME")
    ]
    # no noun phrase after the break: the glued-on line was the whole "subject", and a
    # dateline or a clock time is never who speaks
    return local[-1] if local else None


_FINITE = frozenset({"VBD", "VBZ", "VBP"})
_ASKED = frozenset({"ask", "press", "question", "quiz", "challenge"})
# passives whose subject holds the stance ("Not everyone is convinced that …")
_EXPERIENCER: frozenset[str] = _words(
    """convince persuade concern worry alarm disappoint surprise shock satisfy please
    determine commit resign frighten scare trouble bother annoy upset encourage interest"""
)
_NAME_INNER = frozenset({"compound", "flat", "det", "amod", "nummod"})


def _inside_quotation(subj: Token, verb: Token) -> bool:
    """Whether ``subj`` lies inside a quotation that closes before ``verb``: an odd number
    of quote marks between them (a quotation inside the subject phrase, "Trump, who
    called it a “disaster,” said", leaves an even number)."""
    if subj.i >= verb.i:
        return False
    doc = verb.doc
    marks = sum(1 for k in range(subj.i + 1, verb.i) if doc[k].is_quote and not _is_apostrophe(doc[k]))
    return marks % 2 == 1


def _adjacent_subject(verb: Token) -> Token | None:
    """The speaker of a finite reporting verb the parser left without a subject, from
    the words next to it: a name right after it ("…,” said Richard Trumka, president of
    …") or the noun phrase right before it, an apposition included ("Senator Harry Reid,
    the minority leader, said that …", parsed as a conjunct of an earlier noun)."""
    if verb.tag_ not in _FINITE:
        return None
    doc, sent = verb.doc, verb.sent
    k = verb.i + 1
    if k < sent.end and doc[k].pos_ in ("PROPN", "DET") and k + 1 < sent.end:
        t = doc[k]
        while t.dep_ in _NAME_INNER and verb.i < t.head.i < sent.end and t.head.i > t.i:
            t = t.head
        if t.pos_ in ("PROPN", "NOUN") and t.i > verb.i and t.ent_type_ not in ("DATE", "TIME"):
            return t
        return None
    k = verb.i - 1
    if k > sent.start and doc[k].text == ",":
        k -= 1
    if k < sent.start:
        return None
    t = doc[k]
    while t.dep_ in ("appos", "compound", "flat") and sent.start <= t.head.i < t.i:
        t = t.head
    if t.pos_ in ("PROPN", "NOUN", "PRON") and t.dep_ not in ("pobj", "dobj", "poss") and t.right_edge.i < verb.i:
        return t
    return None


def _raw_subject(verb: Token) -> Token | None:
    """The speaker token of a cue verb: its subject, the agent of a passive, or inherited
    from the verb it is conjoined with / the verb it complements."""
    # "X was quoted (by TASS) as saying …": the speaker is the one quoted, not the agent
    anc = verb.head
    for _ in range(3):
        if anc.lemma_.lower() == "quote" and anc.i != verb.i:
            quoted = next((c for c in anc.children if c.dep_ == "nsubjpass"), None)
            if quoted is not None:
                return quoted
            break
        if anc.head is anc:
            break
        anc = anc.head
    if verb.tag_ == "VBN" and verb.lemma_.lower() in _ASKED and not any(
        c.dep_ in ("nsubj", "nsubjpass", "agent") for c in verb.children
    ):
        return None  # "Asked about the plan, Priebus said …": Priebus was asked; who asked is not said
    seen = 0
    v: Token | None = verb
    while v is not None and seen < 4:
        seen += 1
        kids = list(v.children)
        agent = next((c for c in kids if c.dep_ == "agent"), None)
        if agent is not None:
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
        subj = next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None and v is verb and subj.dep_ == "nsubjpass" and verb.lemma_.lower() not in _EXPERIENCER:
            # "Nuclear power is seen as …", "Sanders was asked …": the passive subject of a
            # cue is what (or whom) it is about; the speaker is the agent, when named
            return None
        if (
            subj is not None
            and v is not verb
            and subj.dep_ == "nsubjpass"
            and v.dep_ == "ccomp"
            and is_reporting_verb(v.head)
        ):
            # "insisting that no change had been made, while arguing …": the passive
            # subject of reported content is what was said, not who says it
            v = v.head
            continue
        if subj is not None:
            if (
                v is not verb
                and subj.lower_ in ("it", "there")
                and v.dep_ == "ccomp"
                and v.head.pos_ in ("VERB", "AUX")
            ):
                v = v.head  # "said that it was time …, arguing": not the pleonastic "it"
                continue
            return subj  # a relative pronoun ("who said …") is the mention; speakers resolves it
        if v.dep_ in ("conj", "xcomp", "advcl") and v.head.pos_ in ("VERB", "AUX"):
            v = v.head
            continue
        if v.dep_ == "pcomp" and v.head.dep_ == "prep" and v.head.head.pos_ in ("VERB", "AUX"):
            v = v.head.head  # "Trump responded by saying …"
            continue
        if (
            v.dep_ == "pcomp"
            and v.head.dep_ == "prep"
            and v.head.head.dep_ in ("dobj", "attr")
            and v.head.head.head.pos_ in ("VERB", "AUX")
        ):
            v = v.head.head.head  # "the campaign took the unusual step of criticizing …"
            continue
        if v.dep_ in ("relcl", "acl") and v.head.pos_ in ("NOUN", "PROPN", "PRON"):
            if v.dep_ == "acl" and v.tag_ == "VBN":
                return None  # "a group known as …", "a poll released Monday": the noun is what is reported on
            return v.head
        return None
    return None


def _cue_extent(verb: Token) -> tuple[int, int]:
    """The cue's characters: the verb plus a directly attached particle ("point out")."""
    start, end = verb.idx, verb.idx + len(verb.text)
    for c in verb.rights:
        if c.dep_ == "prt" and c.i == verb.i + 1:
            end = c.idx + len(c.text)
    return start, end


def is_reporting_verb(tok: Token) -> bool:
    """A verb whose lemma is in the speech-verb lexicon."""
    return tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in SPEECH_VERBS


_EVIDENTIAL = frozenset({"seem", "appear"})
_CONTENT_PREPS = frozenset({"about", "for", "to", "of", "on", "against", "with", "as", "at", "over", "into"})
_WEAK_OBJECTS = frozenset({"it", "this", "that", "so", "what", "which", "whom", "who"})


def _verb_cues(tok: Token) -> list[Cue]:
    """Every content a verb could be reporting (one candidate per construction).

    ``lexical`` marks the candidate the hand-written rules accept on their own: the
    first construction, in priority order ccomp > xcomp > object > dobj > prep > colon >
    clause-final, licensed by the verb's lexicon.  A learned model (``quote_model``)
    may accept others.
    """
    out: list[Cue] = []
    doc = tok.doc
    lemma = tok.lemma_.lower()
    # "seem" / "appear" report the writer's impression, not what their subject says
    subj = _subject(tok) if lemma not in _EVIDENTIAL else None
    src = source_phrase(subj, cue=tok) if subj is not None else None
    sh = subj.i if subj is not None else None
    ext = _cue_extent(tok)
    taken = False

    def add(cue: tuple[int, int], content: tuple[int, int], kind: str, licensed: bool) -> None:
        nonlocal taken
        content = clip_to_line(doc_text(doc), content, cue[0])
        if content[1] <= content[0]:
            return  # e.g. a "ccomp" the parser found in the previous paragraph
        out.append(Cue(cue, content, src, tok.i, sh, kind, lexical=licensed and not taken))
        taken = taken or licensed

    # The children once: each walk of ``tok.children`` makes a new Token object per child,
    # and this runs for every verb of every article.
    kids = list(tok.children)
    ccomps = [c for c in kids if c.dep_ == "ccomp"]
    for c in ccomps:
        add(ext, subtree_chars(c), "ccomp", lemma in SPEECH_VERBS)
    for c in kids:
        is_to = any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX") and is_to:
            add(ext, subtree_chars(c), "xcomp", lemma in XCOMP_VERBS)
            break
        if c.dep_ in ("xcomp", "ccomp") and c.tag_ == "VBG" and c.i > tok.i:
            add(ext, subtree_chars(c), "gerund", False)  # "reported spending $6 million"
            break
    dobj = next((c for c in kids if c.dep_ == "dobj"), None)
    prep_of = next((c for c in kids if c.dep_ == "prep" and c.lower_ in ("of", "for")), None)
    if dobj is not None and prep_of is not None and prep_of.i > dobj.i:
        add(ext, _span_chars(doc, dobj.left_edge.i, prep_of.right_edge.i), "object", lemma in OBJECT_VERBS)
    if dobj is not None and dobj.lower_ not in _WEAK_OBJECTS:
        end_tok = dobj
        oprd = next((c for c in kids if c.dep_ in ("oprd", "xcomp") and c.i > dobj.i), None)
        if oprd is not None:
            end_tok = oprd
        add(ext, _span_chars(doc, dobj.left_edge.i, end_tok.right_edge.i), "dobj", lemma in DOBJ_VERBS and not ccomps)
    elif dobj is not None and not ccomps:
        # "which he proposed", "approved it": the pronoun stands for the content
        add(ext, _span_chars(doc, dobj.i, dobj.i), "weakobj", False)
    n_prep = 0
    for prep in (c for c in kids if c.i > tok.i and c.dep_ == "prep" and c.lower_ in _CONTENT_PREPS):
        pobj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)
        if pobj is None or n_prep >= 2:
            continue
        n_prep += 1
        cue = (tok.idx, prep.idx + len(prep.text)) if prep.i - tok.i <= 2 else ext
        add(cue, subtree_chars(pobj), "prep", prep.lower_ in PREP_VERBS.get(lemma, ()))
    # "His comments were quickly derided": the passive subject is what was reported on,
    # when the verb is one of speech or stance ("The option was chosen by the board" is not)
    subjpass = next((c for c in kids if c.dep_ == "nsubjpass"), None)
    reportable = lemma in SPEECH_VERBS or lemma in DOBJ_VERBS or lemma in OBJECT_VERBS or lemma in PREP_VERBS
    if subjpass is not None and not ccomps and subjpass.lower_ not in ("it", "there") and reportable:
        agent = next((c for c in kids if c.dep_ == "agent"), None)
        apobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
        psrc = source_phrase(apobj) if apobj is not None else None
        pcontent = _span_chars(doc, subjpass.left_edge.i, subjpass.right_edge.i)
        if pcontent[1] > pcontent[0]:
            out.append(Cue(ext, pcontent, psrc, tok.i, apobj.i if apobj is not None else None, "passive", False))
    # "Trump said: ..." — content is whatever follows the colon in the sentence
    nxt = tok.i + 1
    while nxt < len(doc) and doc[nxt].dep_ in ("prt", "advmod", "npadvmod"):
        nxt += 1
    if nxt < len(doc) and doc[nxt].text == ":" and nxt + 1 < len(doc):
        sent_end = doc[nxt].sent.end - 1
        if sent_end > nxt:
            add(ext, _span_chars(doc, nxt + 1, sent_end), "colon", lemma in SPEECH_VERBS)
    # clause-final "…, officials said." — the verb hangs off the content's main verb; when
    # the sentence goes on after it ("Take action now, they said, and you risk …") the cue
    # is an aside and the content is the whole clause around it
    before, after = _set_off(tok)
    head = tok.head
    if (
        tok.dep_ in ("parataxis", "ccomp", "advcl", "conj")
        and head.i < tok.i
        and head.pos_ in ("VERB", "AUX")
        and subj is not None
        and subj.i > head.i
        and before
        and not is_reporting_verb(head)
    ):
        if after:
            add(ext, subtree_chars(head), "aside", lemma in SPEECH_VERBS)
        else:
            i = head.left_edge.i
            j = min(tok.left_edge.i, subj.left_edge.i) - 1
            if j > i:
                add(ext, _span_chars(doc, i, j), "parataxis", lemma in SPEECH_VERBS)
    # a cue set off inside its content: "The good news, Woolson said, is that …"
    if (
        tok.dep_ in ("parataxis", "ccomp", "advcl")
        and head.i > tok.i
        and head.pos_ in ("VERB", "AUX")
        and subj is not None
        and not ccomps
        and before
        and after
    ):
        add(ext, subtree_chars(head), "aside", lemma in SPEECH_VERBS)
    return out


_SET_OFF = frozenset({",", "—", "–", "--"})


def _set_off(tok: Token) -> tuple[bool, bool]:
    """Whether ``tok``'s clause is set off by a comma or dash (before, after): the parser
    attaches such commas either to the verb itself or to the clause around it."""
    doc = tok.doc
    i, j = tok.left_edge.i, tok.right_edge.i
    before = doc[i].text in _SET_OFF or (i > 0 and doc[i - 1].text in _SET_OFF)
    after = doc[j].text in _SET_OFF or (j + 1 < len(doc) and doc[j + 1].text in _SET_OFF)
    return before, after


# nouns of measured opinion: "in a CNN poll", "in most surveys" attribute the clause to them
POLL_NOUNS: frozenset[str] = _words(
    """poll polls polling survey surveys average averages ranking rankings tally tallies
    count counts projection projections forecast forecasts study studies census"""
)


def _poll_cues(tok: Token) -> list[Cue]:
    """ "in a CNN poll": the poll is the source of the clause the phrase modifies; the
    cue is the preposition (see ``_according_cues`` for the content)."""
    pobj = next((c for c in tok.children if c.dep_ == "pobj"), None)
    if pobj is None or pobj.lower_ not in POLL_NOUNS:
        return []
    return _phrase_cues(tok, tok, pobj, "inpoll")


def _according_cues(tok: Token) -> list[Cue]:
    """ "according to X": content is the clause the phrase modifies, minus the phrase."""
    to = next((c for c in tok.children if c.lower_ == "to"), None)
    if to is None and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
        to = tok.doc[tok.i + 1]
    if to is None:
        return []
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
    return _phrase_cues(tok, to, pobj, "according")


def _phrase_cues(tok: Token, to: Token, pobj: Token | None, kind: str) -> list[Cue]:
    """A cue phrase from ``tok`` to ``to`` naming its source ``pobj``: the content is the
    longer side of the sentence around the phrase."""
    cue = (tok.idx, to.idx + len(to.text))
    src = source_phrase(pobj) if pobj is not None else None
    sent = tok.sent
    phrase_l = tok.i
    phrase_r = max(tok.right_edge.i, to.right_edge.i)
    if phrase_l - sent.start > sent.end - 1 - phrase_r:
        content = _span_chars(tok.doc, sent.start, phrase_l - 1)
    else:
        content = _span_chars(tok.doc, phrase_r + 1, sent.end - 1)
    if content[1] <= content[0]:
        return []
    return [Cue(cue, content, src, tok.i, pobj.i if pobj is not None else None, kind)]


def _noun_cues(tok: Token) -> list[Cue]:
    """A noun reporting content: with a "that"/"to" clause ("Trump's claim that …"), or
    with an of/about/on phrase ("criticism of her actions", "comments about her stamina").
    Only nouns of the speech lexicon with a clause are ``lexical``; the rest are left to
    the learned filter."""
    poss = next((p for p in tok.children if p.dep_ == "poss"), None)
    src = source_phrase(poss, possessive=True) if poss is not None else None
    sh = poss.i if poss is not None else None
    cue = (tok.idx, tok.idx + len(tok.text))
    lem = tok.lemma_.lower()
    for c in tok.children:
        if c.dep_ in ("acl", "ccomp") and (
            any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
            or any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        ):
            return [Cue(cue, subtree_chars(c), src, tok.i, sh, "noun", lexical=lem in SPEECH_NOUNS)]
    prep = next((c for c in tok.rights if c.dep_ == "prep" and c.lower_ in _NOUN_PREPS), None)
    pobj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep is not None else None
    if prep is not None and pobj is not None and lem in SPEECH_NOUNS | STANCE_NOUNS:
        return [
            Cue((tok.idx, prep.idx + len(prep.text)), subtree_chars(pobj), src, tok.i, sh, "nounprep", lexical=False)
        ]
    return []


def _adj_cues(adj: Token) -> list[Cue]:
    """A predicative adjective of stance with its complement: "was critical of Obama's
    stance", "is confident that …".  The cue runs from the copula to the preposition."""
    cop = adj.head
    if adj.dep_ != "acomp" or cop.pos_ not in ("VERB", "AUX"):
        return []
    subj = _subject(cop)
    src = source_phrase(subj) if subj is not None else None
    sh = subj.i if subj is not None else None
    doc = adj.doc
    for c in adj.children:
        is_to = any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        if c.dep_ == "ccomp" or (c.dep_ == "xcomp" and is_to):
            cue = (cop.idx, adj.idx + len(adj.text)) if cop.i < adj.i else (adj.idx, adj.idx + len(adj.text))
            return [Cue(cue, subtree_chars(c), src, adj.i, sh, "adjclause", lexical=False)]
    prep = next((c for c in adj.rights if c.dep_ == "prep" and c.lower_ in _ADJ_PREPS), None)
    pobj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep is not None else None
    if prep is None or pobj is None:
        return []
    start = cop.idx if cop.i < adj.i else adj.idx
    content = _span_chars(doc, pobj.left_edge.i, pobj.right_edge.i)
    return [Cue((start, prep.idx + len(prep.text)), content, src, adj.i, sh, "adjprep", lexical=False)]


def clip_to_line(text: str, span: tuple[int, int], anchor: int) -> tuple[int, int]:
    """``span`` cut to the line holding ``anchor``, trimmed of spaces (empty at
    ``span[0]`` when nothing is left): reported speech and its source never run across a
    paragraph break, though the parser glues captions, headlines and the previous
    paragraph on."""
    lo = text.rfind("\n", 0, anchor) + 1
    hi = text.find("\n", anchor)
    hi = len(text) if hi < 0 else hi
    s, e = max(span[0], lo), min(span[1], hi)
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if e > s else (span[0], span[0])


def find_candidates(doc: Doc | Span) -> list[Cue]:
    """Every construction that could be a reporting cue with its content, in text order;
    each content lies on its cue's line (see ``clip_to_line``) and is not empty."""
    out: list[Cue] = []
    for tok in doc:
        low = tok.lower_
        if low == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
            out.extend(_according_cues(tok))
        elif low == "in" and tok.dep_ == "prep":
            out.extend(_poll_cues(tok))
        elif tok.pos_ in ("VERB", "AUX"):
            out.extend(_verb_cues(tok))
        elif tok.pos_ == "NOUN":
            out.extend(_noun_cues(tok))
        elif tok.pos_ == "ADJ":
            out.extend(_adj_cues(tok))
    text = doc_text(doc if isinstance(doc, Doc) else doc.doc)
    for c in out:
        c.content = clip_to_line(text, c.content, c.cue[0])
    return [c for c in out if c.content[1] > c.content[0]]


def find_cues(doc: Doc | Span) -> list[Cue]:
    """The reporting cues accepted by the lexicon rules (see ``quote_model`` for the learned filter)."""
    return [c for c in find_candidates(doc) if c.lexical]


def nearest_reporting_verb(doc: Doc, lo: int, hi: int) -> Token | None:
    """The first reporting verb among tokens whose start lies in ``[lo, hi)``."""
    for tok in doc:
        if lo <= tok.idx < hi and is_reporting_verb(tok):
            return tok
    return None


def verb_source(tok: Token) -> tuple[tuple[int, int] | None, int | None]:
    """(source phrase chars, source head index) of a cue verb, or (None, None)."""
    subj = _subject(tok)
    if subj is None:
        return None, None
    return source_phrase(subj), subj.i


def cue_extent(tok: Token) -> tuple[int, int]:
    """Public form of the cue extent (verb plus adjacent particle)."""
    return _cue_extent(tok)
