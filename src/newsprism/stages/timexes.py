"""Time expressions, resolved against the article's publication date.

``find_timexes(doc, published)`` returns every time expression in an article's prose as
exact character offsets into ``article.text`` (the ``Doc`` is parsed over
``article.masked_text()``, which has the same length), each with a normalised value:

* ``"2024-05-30"`` (day), ``"2024-W22"`` (ISO week), ``"2024-05"`` (month), ``"2024"``
  (year), or ``None`` when it cannot be resolved (a relative expression in an article
  without a publication date, or something as vague as "recently").
* ``vague`` marks expressions whose value is a container rather than the exact time
  ("earlier this month" → ``2024-05``, vague).
* ``anchor`` is the publication date used, ``None`` when there was none.

Spans follow the TIMEX3 convention: a leading preposition ("on", "in", "since") is not part
of the expression; modifiers that change the meaning ("last", "early", "late") are.

Method: our own rules (regular expressions over the text, then the dependency parse for
tense) rather than ``dateparser.search_dates``, which reads the modal verb "may" as
31 May.  "May" counts only with a day number, a year, or a time preposition/modifier in
front.  Tense decides which way an underspecified expression points: a bare weekday or
month in past-tense reporting is the most recent one (same day allowed), in future
context ("will meet", "is expected to", "scheduled for", an infinitive of purpose) the
next one, and when the expression hangs off a noun ("the summit in July") the nearest.
spaCy's DATE entities are a second candidate source, parsed with ``dateparser`` only
when they contain an explicit anchor (a year, or a month with a day).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsprism.stages.nlp import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

GRANULARITIES = ("day", "week", "month", "year", "unknown")


@dataclass(slots=True)
class TimeExpr:
    """One time expression: ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str
    value: str | None
    granularity: str
    vague: bool
    anchor: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "value": self.value,
            "granularity": self.granularity,
            "vague": self.vague,
            "anchor": self.anchor,
        }


# ---------------------------------------------------------------- vocabulary
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}  # monday = 0

# Capitalised month names only ("march" and "may" are verbs); abbreviations need their dot
# or to be followed by a day number, which the patterns below enforce by context.
_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
# Undotted abbreviations only count right before a day number ("Jan 5", never "Mar" alone).
_MONTH_DAY_RE = "(?:" + _MONTH_RE + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b)"
_WD_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAYNUM = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_PREP = (
    r"(?:in|on|since|by|until|till|through|throughout|from|during|before|after|of|to|for|"
    r"between|and|or|around|the|the end of|end of|the start of|the beginning of|beginning of|start of)"
)
_NUMWORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_NUM_RE = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"

# Verbs whose complement lies in the future ("is expected to arrive on Friday").
_FUTURE_LEMMAS = {
    "expect", "schedule", "plan", "set", "due", "slate", "intend", "aim", "prepare", "hope",
    "promise", "pledge", "vow", "threaten", "want", "seek", "propose", "decide",
}  # fmt: skip
_FUTURE_AUX = {"will", "'ll", "shall", "wo", "would", "could", "might", "may", "should", "must", "can", "ca"}


# Each pattern: (name, compiled regex).  The regex's group "x" is the expression; text
# before it (a preposition) is context only.
def _p(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", _p(r"(?<![\d-])(?P<x>(?P<y>" + _YEAR + r")-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01]))(?![\d-])")),
    # Thursday, May 30, 2024 / May 30 / March 26, 2024 / Sept. 3
    (
        "mdy",
        _p(
            r"(?P<x>(?:" + _WD_RE + r",?\s+)?(?P<mon>" + _MONTH_DAY_RE + r")\s+(?P<d>" + _DAYNUM + r")\b"
            r"(?:,?\s+(?P<y>" + _YEAR + r")\b)?)(?!\s*(?:%|percent|per cent|million|billion|troops|people))"
        ),
    ),
    # 30 May 2024 / 10th of May
    (
        "dmy",
        _p(
            r"(?P<x>(?:"
            + _WD_RE
            + r",?\s+)?(?<![\d.,])(?P<d>"
            + _DAYNUM
            + r")\s+(?:of\s+)?(?P<mon>"
            + _MONTH_RE
            + r")(?:,?\s+(?P<y>"
            + _YEAR
            + r"))?)\b"
        ),
    ),
    # (early|late|mid-) February 2022
    (
        "my",
        _p(
            r"(?P<x>(?:(?P<mod>[Ee]arly|[Ll]ate|[Mm]id-?|[Mm]iddle of)\s*)?(?P<mon>"
            + _MONTH_RE
            + r"),?\s+(?P<y>"
            + _YEAR
            + r"))\b"
        ),
    ),
    # in (early) July, since May, last March, the end of May
    (
        "month",
        _p(
            r"(?:(?<![A-Za-z])(?P<prep>" + _PREP + r")\s+)?(?P<x>(?:(?P<rel>last|next|this)\s+)?"
            r"(?:(?P<mod>early|late|mid-?|the middle of)\s*)?(?P<mon>" + _MONTH_RE + r"))\b(?!\s+\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "year",
        _p(
            r"(?:(?<![A-Za-z])(?P<prep>in|since|by|until|till|through|from|during|before|after|of|for|around|"
            r"between)"
            r"\s+)(?P<x>(?:(?P<mod>early|late|mid-?|the end of|the start of|the beginning of)\s*)?(?P<y>"
            + _YEAR
            + r"))\b(?![-–]\d|\s*(?:%|percent|troops|people|soldiers|km|kilomet))",
            re.IGNORECASE,
        ),
    ),
    (
        "relyear",
        _p(
            r"\b(?P<x>(?:(?P<mod>early|earlier|late|later|mid-?|the end of|the start of)\s+)?"
            r"(?P<rel>last|this|next)"
            r"\s+year|the end of the year|the year'?s end)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "relmonth",
        _p(
            r"\b(?P<x>(?:(?P<mod>early|earlier|late|later|mid-?)\s+)?(?P<rel>last|this|next|the past)"
            r"\s+month)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "relweek",
        _p(
            r"\b(?P<x>(?:(?P<mod>early|earlier|late|later)\s+)?(?P<rel>last|this|next|the past)"
            r"\s+(?:week|weekend))\b",
            re.IGNORECASE,
        ),
    ),
    (
        "ago",
        _p(
            r"\b(?P<x>(?P<n>" + _NUM_RE + r"|a few|a couple of|several|few)\s+"
            r"(?P<unit>day|week|month|year)s?\s+ago)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "deixis",
        _p(
            r"\b(?P<x>(?P<w>today|yesterday|tomorrow|tonight|overnight|this morning|this afternoon|"
            r"this evening|last night|the day before yesterday|the day after tomorrow))\b",
            re.IGNORECASE,
        ),
    ),
    (
        "recent",
        _p(
            r"\b(?P<x>(?P<w>(?:in\s+)?recent (?:days|weeks|months)|(?:more\s+)?recently|lately|"
            r"(?:in\s+)?the past few (?:days|weeks|months)|(?:in\s+)?the last few (?:days|weeks|months)))\b",
            re.IGNORECASE,
        ),
    ),
    # late Tuesday / last Friday / next Monday / Thursday evening / on Thursday
    (
        "weekday",
        _p(
            r"(?P<x>(?:(?P<rel>[Ll]ast|[Nn]ext|[Tt]his|[Ee]arly|[Ll]ate)\s+)?(?P<wd>" + _WD_RE + r")"
            r"(?:'s)?(?:\s+(?:morning|afternoon|evening|night))?)\b"
        ),
    ),
]


# Where each pattern's matches can start, so a scan tries only those places (the patterns'
# optional leading words made the regex engine try every character of the text: a fifth of
# the document stages' own time).  Each match holds an *anchor* (a zero-width lookahead,
# compiled with the pattern's flags so case folding is the same), and before the anchor
# only words, numbers, spaces and "-,.'" — at most the given number of characters that
# are not spaces.  ``tests/test_timexes.py`` holds the scan to ``finditer``'s matches.
# Every spelling of a month in _MONTH_RE / _MONTH_DAY_RE begins with one of these.
_MONTH_START = "(?=Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_ANCHORS: dict[str, tuple[re.Pattern[str], int]] = {
    "mdy": (re.compile(_MONTH_START), 12),
    "dmy": (re.compile(_MONTH_START), 20),
    "my": (re.compile(_MONTH_START), 10),
    "month": (re.compile(_MONTH_START, re.IGNORECASE), 32),
    "year": (re.compile(r"(?=1[89]\d\d|20\d\d)"), 24),
    "relyear": (re.compile(r"(?=year)", re.IGNORECASE), 20),
    "relmonth": (re.compile(r"(?=month)", re.IGNORECASE), 20),
    "relweek": (re.compile(r"(?=week)", re.IGNORECASE), 20),
    "ago": (re.compile(r"(?=ago)", re.IGNORECASE), 20),
    "weekday": (re.compile("(?=" + _WD_RE + ")"), 8),
}


def _prefix_char(ch: str) -> bool:
    return ch.isalnum() or ch.isspace() or ch in "-,.'"


def _matches(name: str, rx: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """``list(rx.finditer(text))``, trying a match only where one can start (``_ANCHORS``)."""
    anchor = _ANCHORS.get(name)
    if anchor is None:
        return list(rx.finditer(text))
    anchors, max_chars = anchor
    out: list[re.Match[str]] = []
    pos = 0  # where finditer would go on scanning
    tried = 0  # every start below this has been tried
    for a in anchors.finditer(text):
        k = a.start()
        if k < pos or k < tried:
            continue
        lo, chars = k, 0
        while lo > pos and _prefix_char(text[lo - 1]):
            chars += not text[lo - 1].isspace()
            if chars > max_chars:
                break
            lo -= 1
        for i in range(max(lo, tried), k + 1):
            m = rx.match(text, i)
            if m is not None:
                out.append(m)
                pos = tried = m.end()
                break
        else:
            tried = k + 1
    return out


def _fmt_month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _iso_week(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def _shift_month(y: int, m: int, delta: int) -> tuple[int, int]:
    idx = y * 12 + (m - 1) + delta
    return idx // 12, idx % 12 + 1


# ---------------------------------------------------------------- tense
def _tense(doc: Doc | None, start: int, end: int) -> str:
    """The tense ("past", "future", "present" or "unknown") of the clause an expression belongs to.

    "unknown" also when the expression modifies a noun ("the summit in July"): its time
    is then not the time of the reporting verb.
    """
    if doc is None:
        return "unknown"
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return "unknown"
    tok: Token = span.root
    inside = {t.i for t in span}
    via_noun = False
    for _ in range(8):
        head = tok.head
        if head.i == tok.i:
            break
        tok = head
        if tok.pos_ in ("VERB", "AUX"):
            has_aux = any(c.dep_ in ("aux", "auxpass") for c in tok.children)
            if tok.tag_ in ("VBG", "VBN") and not has_aux and tok.dep_ in ("xcomp", "advcl", "acl", "pcomp"):
                continue  # a bare participle ("quoted as saying on Sunday"): its clause's verb decides
            # A verb reached through a noun ("meetings on Thursday") says nothing certain
            # about the noun's own time.
            return "unknown" if via_noun else _verb_tense(tok)
        if tok.i not in inside and tok.pos_ in ("NOUN", "PROPN") and tok.dep_ not in ("npadvmod", "compound"):
            via_noun = True
    return "unknown"


def _verb_tense(verb: Token) -> str:
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    lowers = {a.lower_ for a in auxes}
    if lowers & _FUTURE_AUX and not lowers & {"have", "had", "has"}:
        return "future"
    if verb.head.lower_ == "going" and verb.dep_ == "xcomp":  # "is going to meet"
        return "future"
    if verb.lemma_.lower() in ("schedule", "slate", "due", "expect") or (
        verb.lemma_.lower() == "set" and verb.tag_ == "VBN"
    ):
        return "future"  # "is scheduled for Friday", "is expected … on Friday"
    if "to" in lowers and verb.tag_ == "VB":
        # An infinitive: future after "plans/expects/wants to"; after another past verb
        # ("was forced to leave on Friday") we cannot tell.
        head = verb.head
        if head.i == verb.i:
            return "future"  # the infinitive heads its sentence ("To meet on Friday"): nothing governs it
        if head.lemma_.lower() in _FUTURE_LEMMAS or _verb_tense(head) == "future":
            return "future"
        return "unknown" if head.tag_ in ("VBD", "VBN") else "future"
    if lowers & {"was", "were", "had", "did"} or verb.tag_ == "VBD":
        return "past"
    if verb.tag_ == "VBN" and lowers & {"has", "have"}:
        return "past"
    if verb.tag_ in ("VBZ", "VBP", "VBG") or lowers & {"is", "are", "am"}:
        return "present"
    return "unknown"


# ---------------------------------------------------------------- resolution helpers
def _pick_year(pub: dt.date, month: int, day: int | None, tense: str) -> int:
    """The year that makes ``month`` (``day``) nearest the publication date in the tense's direction."""

    def when(y: int) -> dt.date:
        d = min(day or 1, calendar.monthrange(y, month)[1])
        return dt.date(y, month, d)

    cands = [pub.year - 1, pub.year, pub.year + 1]
    if day is None:
        # Month granularity: the publication month itself counts as both past and future.
        def diff(y: int) -> int:
            return (y * 12 + month) - (pub.year * 12 + pub.month)
    else:

        def diff(y: int) -> int:
            return (when(y) - pub).days

    if tense == "past":
        return max(y for y in cands if diff(y) <= 0)
    if tense == "future":
        return min(y for y in cands if diff(y) >= 0)
    # Nearest; ties go to the past (news mostly reports what happened).
    return min(cands, key=lambda y: (abs(diff(y)), diff(y) > 0))


def _weekday_date(pub: dt.date, wd: int, rel: str | None, tense: str) -> dt.date:
    back = (pub.weekday() - wd) % 7  # days back to the most recent such day (0 = today)
    fwd = (wd - pub.weekday()) % 7
    if rel == "last":
        return pub - dt.timedelta(days=back or 7)
    if rel == "next":
        return pub + dt.timedelta(days=fwd or 7)
    if tense == "future":
        return pub + dt.timedelta(days=fwd)
    if tense == "present" and fwd < back:
        return pub + dt.timedelta(days=fwd)
    return pub - dt.timedelta(days=back)


def _num(s: str) -> int | None:
    s = s.lower()
    if s.isdigit():
        return int(s)
    return _NUMWORDS.get(s)


def _parse_date(s: str | None) -> dt.date | None:
    if not s:
        return None
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError:
        return None


# ---------------------------------------------------------------- the stage
def find_timexes(doc: Doc, published: str | None) -> list[TimeExpr]:
    """Every time expression in ``doc`` (parsed over ``article.masked_text()``), resolved
    against ``published`` (``YYYY-MM-DD`` or ``None``).  Offsets index ``article.text``;
    the list is sorted by ``start`` and spans never overlap.
    """
    return find_timexes_in(doc_text(doc), published, doc)


def find_timexes_in(text: str, published: str | None, doc: Doc | None = None) -> list[TimeExpr]:
    """Same as :func:`find_timexes` over a raw string; without ``doc`` tense is unknown
    (weekdays then resolve to the most recent one, months to the nearest)."""
    pub = _parse_date(published)
    anchor = pub.isoformat() if pub else None
    found: list[TimeExpr] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    cands: list[tuple[int, int, str, re.Match[str]]] = []
    for name, rx in _PATTERNS:
        for m in _matches(name, rx, text):
            s, e = m.span("x")
            cands.append((s, e, name, m))
    # Longest first, then leftmost: "Thursday, May 30, 2024" beats "Thursday".
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    for s, e, name, m in cands:
        if not free(s, e):
            continue
        res = _resolve(name, m, text, pub, doc, s, e)
        if res is None:
            continue
        value, gran, vague = res
        found.append(TimeExpr(s, e, text[s:e], value, gran, vague, anchor))
        taken.append((s, e))
    if doc is not None:
        for ent in doc.ents:
            if ent.label_ != "DATE" or not free(ent.start_char, ent.end_char):
                continue
            te = _from_entity(ent.text, ent.start_char, ent.end_char, pub, anchor)
            if te is not None:
                found.append(te)
                taken.append((te.start, te.end))
    found.sort(key=lambda t: t.start)
    return found


def _resolve(
    name: str, m: re.Match[str], text: str, pub: dt.date | None, doc: Doc | None, s: int, e: int
) -> tuple[str | None, str, bool] | None:
    """(value, granularity, vague) for one match, or ``None`` to reject it."""
    g = m.groupdict()
    if name == "iso":
        return f"{g['y']}-{g['m']}-{g['d']}", "day", False
    if name in ("mdy", "dmy"):
        mon = _MONTHS[g["mon"].lower().rstrip(".")]
        day = int(re.sub(r"\D", "", g["d"]))
        if day > calendar.monthrange(int(g["y"]) if g["y"] else 2024, mon)[1]:
            return None
        if g["y"]:
            return f"{g['y']}-{mon:02d}-{day:02d}", "day", False
        if pub is None:
            return None, "day", False
        y = _pick_year(pub, mon, day, _tense(doc, s, e))
        return f"{y:04d}-{mon:02d}-{day:02d}", "day", False
    if name == "my":
        mon = _MONTHS[g["mon"].lower().rstrip(".")]
        return _fmt_month(int(g["y"]), mon), "month", False
    if name == "month":
        word = g["mon"]
        prep = (g["prep"] or "").lower()
        rel = (g["rel"] or "").lower()
        if not word[0].isupper() or not (prep or rel or g["mod"]):
            return None  # "in may" / bare "March": a verb or a name, not a month
        if word == "May" and (not (rel or g["mod"]) and prep in ("to", "and", "or", "of", "the", "for")):
            return None  # "to May", "and May", "the May government": a surname as often as a month
        mon = _MONTHS[word.lower().rstrip(".")]
        if pub is None:
            return None, "month", False
        pub_idx = pub.year * 12 + pub.month - 1
        if rel == "last":  # the most recent such month strictly before this one
            idx = pub_idx - ((pub.month - mon) % 12 or 12)
            return _fmt_month(idx // 12, idx % 12 + 1), "month", False
        if rel == "next":
            idx = pub_idx + ((mon - pub.month) % 12 or 12)
            return _fmt_month(idx // 12, idx % 12 + 1), "month", False
        tense = _tense(doc, s, e)
        if prep in ("since", "after") and tense in ("present", "unknown"):
            tense = "past"  # "has been … since May"
        if prep in ("until", "till", "by") and tense == "unknown":
            tense = "future"
        return _fmt_month(_pick_year(pub, mon, None, tense), mon), "month", False
    if name == "year":
        return g["y"], "year", False
    if pub is None:
        return (None, "unknown", True) if name == "recent" else (None, _rel_gran(name, g), False)
    if name == "relyear":
        x = g["x"].lower()
        rel = (g.get("rel") or "").lower()
        y = pub.year - 1 if rel == "last" else pub.year + 1 if rel == "next" else pub.year
        return f"{y:04d}", "year", bool(g.get("mod")) or "end" in x
    if name == "relmonth":
        rel = g["rel"].lower()
        delta = -1 if rel in ("last", "the previous") else 1 if rel == "next" else 0
        if rel == "the past":
            return _fmt_month(pub.year, pub.month), "month", True
        y, mo = _shift_month(pub.year, pub.month, delta)
        return _fmt_month(y, mo), "month", bool(g.get("mod"))
    if name == "relweek":
        rel = g["rel"].lower()
        if rel == "the past":
            return _iso_week(pub), "week", True
        delta = -7 if rel == "last" else 7 if rel == "next" else 0
        return _iso_week(pub + dt.timedelta(days=delta)), "week", bool(g.get("mod"))
    if name == "ago":
        n_raw = g["n"].lower()
        n = _num(n_raw)
        vague = n is None
        n = n or 3
        unit = g["unit"].lower()
        if unit == "day":
            d = pub - dt.timedelta(days=n)
            return (_iso_week(d), "week", True) if vague else (d.isoformat(), "day", False)
        if unit == "week":
            return _iso_week(pub - dt.timedelta(days=7 * n)), "week", vague
        if unit == "month":
            y, mo = _shift_month(pub.year, pub.month, -n)
            return _fmt_month(y, mo), "month", vague
        return f"{pub.year - n:04d}", "year", vague
    if name == "deixis":
        w = g["w"].lower()
        off = {"yesterday": -1, "tomorrow": 1, "last night": -1, "the day before yesterday": -2,
               "the day after tomorrow": 2}.get(w, 0)  # fmt: skip
        return (pub + dt.timedelta(days=off)).isoformat(), "day", False
    if name == "recent":
        w = g["w"].lower()
        if "days" in w:
            return _iso_week(pub), "week", True
        if "weeks" in w:
            return _fmt_month(pub.year, pub.month), "month", True
        return None, "unknown", True
    if name == "weekday":
        wd = _WEEKDAYS[g["wd"].lower()]
        rel = (g["rel"] or "").lower() or None
        tense = _tense(doc, s, e)
        if rel == "this":
            rel = None
        d = _weekday_date(pub, wd, rel if rel in ("last", "next") else None, tense)
        return d.isoformat(), "day", False
    return None


def _rel_gran(name: str, g: dict[str, Any]) -> str:
    if name in ("deixis", "weekday"):
        return "day"
    if name == "relweek":
        return "week"
    if name == "relmonth":
        return "month"
    if name == "relyear":
        return "year"
    if name == "ago":
        return str(g.get("unit") or "unknown").lower()
    return "unknown"


_ENT_ANCHOR = re.compile(r"\b" + _YEAR + r"\b|" + _MONTH_RE + r"\s+" + _DAYNUM + r"\b")


def _from_entity(ent_text: str, start: int, end: int, pub: dt.date | None, anchor: str | None) -> TimeExpr | None:
    """A spaCy DATE entity our rules missed, accepted only with an explicit anchor
    (a year, or a month with a day) and parsed by dateparser (never ``search_dates``)."""
    if not _ENT_ANCHOR.search(ent_text) or re.fullmatch(r"\s*(?:the\s+)?\d{4}s?\s*", ent_text):
        return None  # a bare number ("2025 troops") or decade: our year rule decides those
    if re.search(r"\d{4}\s*[-–/]\s*\d{2,4}", ent_text):  # ranges "2023-24": not one time
        return None
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "STRICT_PARSING": False}
    if pub is not None:
        settings["RELATIVE_BASE"] = dt.datetime(pub.year, pub.month, pub.day)
    try:
        data = DateDataParser(languages=["en"], settings=settings).get_date_data(ent_text)
    except Exception:  # dateparser raises on odd inputs; an unparsable entity is simply skipped
        return None
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    period = data.period or "day"
    value = {"day": d.isoformat(), "week": _iso_week(d), "month": _fmt_month(d.year, d.month)}.get(
        period, f"{d.year:04d}"
    )
    gran = period if period in ("day", "week", "month") else "year"
    return TimeExpr(start, end, ent_text, value, gran, False, anchor)
