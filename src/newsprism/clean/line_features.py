"""Feature extraction for the plain-text line classifier (``boilerplate.py``).

A plain-text article is cut into *lines* (text between ``"\\n"``); each non-blank line gets a
fixed-length vector of hand-written features: its shape (length, terminal punctuation,
capitalisation, sentence count, function-word density), lexical cues for each boilerplate
kind (credit agencies and "Photo:" prefixes, "See also", comment forms, newsletter and
advertising wording, editorial-standards wording, bylines and timestamps, share/copyright
lines), its position in the article, whether it recurs in other articles of the same
outlet, and the same shape/cue summaries of its neighbours (a line next to a credit line is
likely a caption; a short title-like line followed by a long paragraph is likely a
subheading).

The cue lists are *kinds* of wording that publishers use everywhere (agency names, the
WordPress comment form, "Sign up to ... newsletter"), not strings of particular articles.

Contract: ``FEATURE_NAMES`` fixes the order of ``featurize``'s columns; the fitted model in
``data/boilerplate_model.json`` stores the names it was trained on and is rejected when they
differ, so changing a feature means retraining (``python -m newsprism.clean.train_boilerplate``).
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# ---------------------------------------------------------------------------- lines


@dataclass(frozen=True, slots=True)
class Line:
    """One non-blank line: ``text == article_text[start:end]``, surrounding whitespace excluded."""

    start: int
    end: int
    text: str
    blank_before: bool  # a blank line (or the start of the text) precedes it
    blank_after: bool


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text`` in order, with offsets that exclude the newline and any
    leading/trailing whitespace of the line (so ``text[l.start:l.end] == l.text``)."""
    raw: list[tuple[int, int]] = []
    pos = 0
    for piece in text.split("\n"):
        raw.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    out: list[Line] = []
    prev_blank = True
    for i, (a, b) in enumerate(raw):
        seg = text[a:b]
        stripped = seg.strip()
        if not stripped:
            prev_blank = True
            continue
        lead = len(seg) - len(seg.lstrip())
        s = a + lead
        e = s + len(stripped)
        nxt_blank = i + 1 >= len(raw) or not text[raw[i + 1][0] : raw[i + 1][1]].strip()
        out.append(Line(s, e, stripped, prev_blank, nxt_blank))
        prev_blank = False
    return out


def normalize_line(line: str) -> str:
    """A key for "the same line" across articles: NFKC, case-folded, digits → ``0``, curly quotes
    and dashes straightened, whitespace collapsed (so "Comments 48" and "Comments 112" match)."""
    s = unicodedata.normalize("NFKC", line).casefold()
    s = s.translate(_STRAIGHTEN)
    s = re.sub(r"\d+", "0", s)
    return " ".join(s.split())


_STRAIGHTEN = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "}
)

# ---------------------------------------------------------------------------- cues

_QUOTES = "\"'“”„«»‘’‚‹›"
_CLOSERS = _QUOTES + ")]}"
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FUNCTION = _wordset(
    "the a an of to in on at for with from by and but or that which who is are was were be been has have "
    "had will would could should can may might said says told according this these it its their his her "
    "they he she we not than after before as"
)
_AUX = _wordset("is are was were has have had will would could should can may might does did do")
_REPORTING = re.compile(r"\b(said|says|told|added|according to|stated|warned|explained|announced|reported)\b", re.I)
_SENT_BREAK = re.compile(r"[.!?][" + re.escape(_QUOTES) + r")\]]*\s+[\"“„'‘(A-Z0-9]")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}\b|\d{{1,2}}\s+{_MONTH}\b|\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b|"
    r"\d{4}-\d{2}-\d{2}\b)",
    re.I,
)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|gmt|bst|edt|est|cet|utc)?\b", re.I)
_DATELINE = re.compile(
    r"^[A-Z][A-Z'.-]+(?:[ ,][A-Z][A-Za-z'.-]+)*,?\s+(?:" + _MONTH + r"\s+\d{1,2}\s*)?"
    r"\((?:[A-Z][\w .-]{1,25})\)\s*(?:-|--|–|—)",
    re.I,
)
_AGENCY = re.compile(
    r"\b(reuters|ap|afp|getty(?: images)?|imago|dpa|epa(?:-efe)?|efe|ctk|čtk|tass|ria novosti|ria|sputnik|xinhua|"
    r"profimedia|shutterstock|alamy|apa|picture[- ]alliance|pa(?: wire| media)?|splash(?: news)?|swns|bloomberg|"
    r"anadolu|sipa|zuma|abaca|ddp|keystone|ansa|belga|anp|kyodo|yonhap|tasr|pap|wireimage|rex|handout|"
    r"file photo|photothek|zoonar|action pictures|lightrocket|nurphoto|sopa images|ukrinform|unian|ap photo)\b",
    re.I,
)
_CREDIT_PREFIX = re.compile(
    r"^[(\[]?\s*(photo|photos|photograph|picture|pic|image|images|foto|bild|credit|"
    r"credits|illustration|video|graphic|source|fotó|zdroj)\s*(by)?\s*[:/|]",
    re.I,
)
_CREDIT_BY = re.compile(r"\b(photo|picture|image|video)s?\s+by\b|\bvia getty\b|\bvia reuters\b", re.I)
_GLUED_CREDIT = re.compile(r"[.!?\"”]\s*(Photo|Foto|Picture|Image|Credit|Photograph)s?\s*:\s*\S", re.I)
_NAME_SLASH = re.compile(r"[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*\s?/\s?[A-Z]")
_CAPTION_CUE = re.compile(
    r"\((?:pictured|left|right|centre|center|top|bottom|above|below|inset|l|r|c|front|back|second left|"
    r"second right|file)\)|\bpictured\b|\b(?:is|are|was|were) (?:seen|shown|pictured)\b|\bfile photo\b|"
    r"\bhandout\b|\bthis (?:photo|picture|image|handout)\b|\bseen here\b|\b(?:photo|picture|image) shows\b|"
    r"\bvisuali[sz]ation\b|"
    r"\bundated\b|\bpictured in\b",
    re.I,
)
_RELATED = re.compile(
    r"^(?:see also|read more|read also|also read|also on|related(?: stories| articles| coverage| content)?|"
    r"more:|more from|more on|watch:|watch more|listen:|recommended|keep reading|most read|most popular|"
    r"trending|you may also like|you might also like|further reading|more stories|top stories|latest news)\b",
    re.I,
)
_LIST_MARK = re.compile(r"^(?:list of \d+ items?|end of list)$", re.I)
_COMMENT = re.compile(
    r"leave a (?:reply|comment)|(?:e-?mail|email) address will not be published|(?:required|mandatory) fields|"
    r"post (?:a |your )?comment|write a comment|add a comment|\bcomments? (?:are|is) closed|cancel reply|"
    r"logged in to (?:post|comment)|join the (?:discussion|conversation|debate)|save my name|"
    r"\bthoughts? on [\"“]|^\d[\d,.]*\s+(?:comments?|replies|responses)$|^(?:comments?|replies)\s*\(?\d[\d,.]*\)?$|"
    r"^(?:comments?|name|e-?mail|website|comment)\s*\*?$|share what you think|show comments|view comments|"
    r"commenting (?:policy|guidelines)",
    re.I,
)
# Wording that only advertising/promotion uses, anywhere in a line ...
_AD = re.compile(
    r"\bsubscribe (?:now|today|for|to)\b|\bsign up (?:for|to|here|now|today)\b|\bnewsletters?\b|"
    r"\bdonate (?:now|today)\b|\bpaid (?:post|content|partnership)|\bfree trial\b|"
    r"\bunlock (?:the|this|full|unlimited|premium|your|our)\b|\b\d+% off\b|"
    r"\bsupport (?:our|independent|nonprofit|local|quality) (?:\w+ )?journalism\b|\bin your inbox\b|"
    r"\bstory continues below\b|\bget in touch with our news team\b|\bpartner content\b|\badvertise (?:with|now)\b|"
    r"\bstart advertising\b|\bsponsored (?:content|post)\b",
    re.I,
)
# ... and words that are ads only in a short line or at its start (a news sentence may report on
# an "advertising campaign" or a "sponsor").
_AD_WEAK = re.compile(
    r"\badverti[sz]\w*|\bsponsor\w*|\bsubscri\w+|\bsign up\b|\bdonat\w+|\bpromo\w*|\baffiliate\b", re.I
)
_STANDARDS = re.compile(
    r"editorial standards|our standards|trust principles|committed to (?:truth|accuracy)|\baccuracy\b|"
    r"\bcorrections? policy\b|^correction\b|^clarification\b|editor[’']?s note|\bwas (?:amended|corrected|updated) "
    r"(?:on|to)\b|earlier version of this|fact[- ]check(?:ing)? policy|ethics policy|\bdisclos|"
    r"\baffiliate links?\b|produced with the (?:help|assistance) of|editorially independent|our journalism",
    re.I,
)
_BYLINE = re.compile(
    r"^by\s+[A-Z]|^written by\b|\breporting by\b|\bediting by\b|\bwriting by\b|\badditional reporting\b|"
    r"^author:|^posted (?:by|on)\b|\bstaff (?:writer|reporter)\b|\bcorrespondent\b|\breporter\b|\beditor\b|"
    r"^published\b|\bupdated\b|\blast updated\b|\bpublished on\b|\bcan be reached at\b|\bcontributed to\b|"
    r"^words by\b|^text:|\bcolumnist\b",
    re.I,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_COPYRIGHT = re.compile(r"©|\(c\)|\bcopyright\b|all rights reserved", re.I)
_SOCIAL = re.compile(
    r"^(?:share|tweet|email|e-mail|print|facebook|twitter|x|instagram|linkedin|whatsapp|telegram|reddit|pinterest|"
    r"copy link|save|like this:?|share this:?|share this article|share on \w+|reuse this content|listen)$|"
    r"\bfollow (?:us|\w+) on\b|\bfollow us\b|\bon (?:facebook|twitter|instagram|telegram)\b|^tags?:|^topics?:|"
    r"^filed under\b|^categories:|\breading time\b|\bmin(?:ute)?s? read\b|listen to this article|"
    r"explore more on these topics|^source:|web editor|republish this|most watched|share or comment|"
    r"^loading\b|click to enlarge|report an error|ctrl\s*\+\s*enter|^all news$|requires a subscription",
    re.I,
)

# Cheap tests in front of the slowest cues.  A case-insensitive pattern that starts with a
# word boundary gives ``re`` no literal to scan for, so it tries every alternative at every
# position of every line; yet each match contains one of a few literal words.  A line whose
# lower-cased text contains none of them cannot match, and the regex runs only on the lines
# that do (the same answers; ``tests/test_line_features.py`` holds the keys to the patterns).
_CAPTION_KEYS = ("(", "pictured", "seen", "shown", "file photo", "handout", "this photo", "this picture",
                 "this image", "shows", "visuali", "undated")  # fmt: skip
_STANDARDS_KEYS = ("standards", "trust principles", "committed to", "accuracy", "correction", "clarification",
                   "s note", "was amended", "was corrected", "was updated", "earlier version", "policy", "disclos",
                   "affiliate link", "produced with the", "editorially independent", "our journalism")  # fmt: skip
_REPORTING_KEYS = ("said", "says", "told", "added", "according to", "stated", "warned", "explained", "announced",
                   "reported")  # fmt: skip
# ... of ``_AD`` and ``_AD_WEAK`` together.
_AD_KEYS = ("subscri", "sign up", "newsletter", "donat", "paid ", "free trial", "unlock", "% off", "journalism",
            "in your inbox", "story continues below", "get in touch", "partner content", "adverti", "sponsor", "promo",
            "affiliate")  # fmt: skip
# Quote marks other than the apostrophes (which ``has_quote`` counts only after a space).
_QUOTE_MARKS = tuple(c for c in _QUOTES if c not in "'’")
# Letters that case-insensitive matching folds to ASCII i or s but ``str.lower`` does not.
_ODD_FOLDS = ("İ", "ı", "ſ")


def _lowered(text: str) -> str | None:
    """``text`` lower-cased for the key tests, or None when a key test could miss a match."""
    if not text.isascii() and any(c in text for c in _ODD_FOLDS):
        return None
    return text.lower()


def _may_match(low: str | None, keys: tuple[str, ...]) -> bool:
    """Whether a line whose ``_lowered`` text is ``low`` can match a cue with ``keys``."""
    return low is None or any(k in low for k in keys)


_PLURAL_SUBJ_PRESENT = re.compile(
    r"^(?:[A-Z][\w'-]*\s+){0,4}(?:[a-z]+s)\s+(?:fire|try|work|gather|stand|sit|walk|run|wait|hold|queue|arrive|"
    r"look|watch|attend|march|carry|celebrate|pose|wade|survey|load|leave|protest|inspect|battle|clean|search|"
    r"drive|pack|greet|react|cheer|pray|rally|line|mourn|shout|play|take|lay|speak|vote)\b"
)
_PRESENT_3SG = re.compile(
    r"\b(?:celebrates|reacts|speaks|looks|walks|arrives|gestures|poses|waves|smiles|"
    r"attends|leaves|holds|stands|sits|waits|delivers|addresses|greets|shakes|lifts|"
    r"rises|burns|lies|passes|approaches|takes|cools)\b"
)


def _ad_cue(text: str, nw: int, low: str | None = None) -> bool:
    if nw > 40 or not _may_match(low, _AD_KEYS):
        return False
    if _AD.search(text):
        return True
    m = _AD_WEAK.search(text)
    return m is not None and (nw <= 6 or m.start() <= 2)


def _strip_end(s: str) -> str:
    return s.rstrip(_CLOSERS + " ")


@dataclass(frozen=True, slots=True)
class _Shape:
    """Per-line summary used for the line itself and, in part, for its neighbours."""

    chars: int
    words: int
    end_period: bool
    end_qmark: bool
    end_colon: bool
    end_open: bool  # ends in a letter/digit: no terminal punctuation
    sentences: int
    title_ratio: float
    caps_ratio: float
    func_ratio: float
    credit: float  # 0..1 strength of credit-line evidence
    caption_cue: bool
    related: bool
    comment: bool
    ad: bool
    standards: bool
    byline: bool
    social: bool
    copyright: bool
    quote_start: bool
    has_quote: bool
    reporting: bool
    aux: bool
    dateline: bool
    date: bool
    time: bool
    glued_credit: bool
    present_caption: bool
    digits: float


# A line longer than this is read at its two ends only: every cue below is decided by the
# line's edges or gated by a small word count, and regexes over a 2 MB one-line "article"
# would cost seconds per line for nothing.
_LONG_LINE = 4000
_EDGE = 1500


def shape(text: str) -> _Shape:
    """The shape and lexical cues of one line (``text`` already stripped)."""
    if len(text) <= _LONG_LINE:
        return _shape(text)
    edges = _shape(text[:_EDGE] + " … " + text[-_EDGE:])
    nw = sum(1 for _ in _WORD.finditer(text))
    return dataclasses.replace(edges, chars=len(text), words=nw, sentences=1 + len(_SENT_BREAK.findall(text)))


@lru_cache(maxsize=8192)
def _shape(text: str) -> _Shape:
    """``shape`` proper.  Cached: the labeller asks again for lines it already featurized, and
    outlets repeat their boilerplate lines."""
    words = _WORD.findall(text)
    nw = len(words)
    tail = _strip_end(text)
    last = tail[-1:] if tail else ""
    long_words = [w for w in words if len(w) > 3]
    title = sum(1 for w in long_words if w[0].isupper()) / len(long_words) if long_words else 0.0
    caps = sum(1 for w in words if len(w) > 1 and w.isupper()) / nw if nw else 0.0
    lower = [w.lower() for w in words]
    func = sum(1 for w in lower if w in _FUNCTION) / nw if nw else 0.0
    low = _lowered(text)
    n_digits = sum(map(str.isdigit, text))  # none: no date or time (``\d`` is a subset)
    credit = 0.0
    short = nw <= 9
    # The word-count gates come first: they decide most lines without a regex.
    if nw <= 12 and _CREDIT_PREFIX.search(text):
        credit = 1.0
    elif (short or "/" in text) and _AGENCY.search(text) and not _SENT_BREAK.search(text):
        credit = 0.9 if ("/" in text or text.startswith(("(", "©")) or nw <= 4) else 0.6
    elif short and "/" in text and _NAME_SLASH.search(text):
        credit = 0.7
    elif nw <= 12 and _CREDIT_BY.search(text):
        credit = 0.8
    elif text.startswith("©") and nw <= 10:
        credit = 0.7
    if text.startswith("(") and text.endswith(")") and "/" in text and nw <= 8:
        credit = max(credit, 0.9)
    digits = n_digits / max(1, len(text))
    return _Shape(
        chars=len(text),
        words=nw,
        end_period=last == ".",
        end_qmark=last in "?!",
        end_colon=last == ":",
        end_open=bool(last) and (last.isalnum() or last in "%"),
        sentences=1 + len(_SENT_BREAK.findall(text)),
        title_ratio=title,
        caps_ratio=caps,
        func_ratio=func,
        credit=credit,
        caption_cue=_may_match(low, _CAPTION_KEYS) and bool(_CAPTION_CUE.search(text)),
        related=bool(_RELATED.search(text) or _LIST_MARK.search(text)),
        comment=nw <= 25 and bool(_COMMENT.search(text)),
        ad=_ad_cue(text, nw, low),
        standards=nw <= 45 and _may_match(low, _STANDARDS_KEYS) and bool(_STANDARDS.search(text)),
        byline=nw <= 20 and bool(_BYLINE.search(text) or _EMAIL.search(text)),
        social=nw <= 20 and bool(_SOCIAL.search(text)),
        copyright=nw <= 20 and bool(_COPYRIGHT.search(text)),
        quote_start=text[:1] in _QUOTES,
        has_quote=any(c in text for c in _QUOTE_MARKS) or " '" in text,
        reporting=_may_match(low, _REPORTING_KEYS) and bool(_REPORTING.search(text)),
        aux=any(w in _AUX for w in lower),
        dateline=bool(_DATELINE.search(text)),
        date=n_digits > 0 and bool(_DATE.search(text)),
        time=n_digits > 0 and bool(_TIME.search(text)),
        glued_credit=bool(_GLUED_CREDIT.search(text)),
        present_caption=bool(_PLURAL_SUBJ_PRESENT.search(text) or _PRESENT_3SG.search(text)),
        digits=digits,
    )


# ---------------------------------------------------------------------------- vectors

_OWN = (
    "len_log",
    "w1_3",
    "w4_6",
    "w7_12",
    "w13_25",
    "w26p",
    "rel_len",
    "end_period",
    "end_qmark",
    "end_colon",
    "end_open",
    "end_other",
    "multi_sent",
    "title_ratio",
    "caps_ratio",
    "func_ratio",
    "credit",
    "caption_cue",
    "related",
    "comment",
    "ad",
    "standards",
    "byline",
    "social",
    "copyright",
    "quote_start",
    "has_quote",
    "reporting",
    "aux",
    "dateline",
    "date",
    "time",
    "glued_credit",
    "present_caption",
    "digits",
    "open_long",
    "open_short",
    "title_short",
    "period_long",
    "open_aux",
    "open_func",
    "open_present",
    "is_first",
    "is_last",
    "rel_pos",
    "first3",
    "last3",
    "body_before",
    "body_after",
    "tail",
    "doc_blank",
    "blank_both",
    "repeated",
    "headline_like",
    "doc_credit",
    "credit_near",
    "open_far_credit",
    "after_cap_credit",
    "before_credit_cap",
)
_CTX = (
    "credit",
    "credit2",
    "period_long",
    "open_short",
    "open_long",
    "caption_cue",
    "boiler",
    "byline",
    "related",
    "comment",
    "title_short",
    "present_caption",
    "missing",
)
FEATURE_NAMES: tuple[str, ...] = _OWN + tuple(f"p_{n}" for n in _CTX) + tuple(f"n_{n}" for n in _CTX)


def _is_body_like(s: _Shape) -> bool:
    return (s.end_period and s.words >= 15) or (s.words >= 25 and (s.end_period or s.end_qmark or s.sentences >= 2))


def _boiler(s: _Shape) -> bool:
    return s.related or s.comment or s.ad or s.standards or s.social or s.copyright


def _title_short(s: _Shape) -> bool:
    return s.words <= 10 and s.title_ratio >= 0.6 and not s.end_period


def _ctx(shapes: list[_Shape], j: int) -> list[float]:
    if j < 0 or j >= len(shapes):
        return [0.0] * (len(_CTX) - 1) + [1.0]
    s = shapes[j]
    credit2 = 0.0
    for k in (j - 1, j + 1):
        if 0 <= k < len(shapes):
            credit2 = max(credit2, shapes[k].credit)
    return [
        s.credit,
        credit2,
        float(s.end_period and s.words >= 15),
        float(s.end_open and s.words <= 7),
        float(s.end_open and s.words >= 8),
        float(s.caption_cue),
        float(_boiler(s)),
        float(s.byline),
        float(s.related),
        float(s.comment),
        float(_title_short(s)),
        float(s.present_caption),
        0.0,
    ]


def _cap_block(shapes: list[_Shape], strong: list[bool], i: int, step: int) -> bool:
    """Line ``i`` is the far end of a caption block: the next line in direction ``step`` is a credit
    and the one beyond it is an unpunctuated non-paragraph (caption, credit, caption)."""
    j, k = i + step, i + 2 * step
    if not (0 <= j < len(shapes) and 0 <= k < len(shapes)) or not strong[j]:
        return False
    other = shapes[k]
    return not strong[k] and not _is_body_like(other) and other.words <= 30


def featurize(lines: list[Line], repeated: frozenset[str] = frozenset()) -> list[list[float]]:
    """One row of ``len(FEATURE_NAMES)`` floats per line of one article, in order.

    ``repeated`` holds normalized lines that recur in other articles of the same outlet.  When
    most of this article's lines are "repeated" the article is itself a copy of another one (the
    same story ingested twice), so the signal says nothing about boilerplate and is switched off.
    """
    n = len(lines)
    if n == 0:
        return []
    shapes = [shape(ln.text) for ln in lines]
    rep = [normalize_line(ln.text) in repeated for ln in lines] if repeated else [False] * n
    if sum(rep) > 0.5 * n:
        rep = [False] * n
    med = sorted(s.chars for s in shapes)[n // 2]
    body = [_is_body_like(s) for s in shapes]
    before = [0] * n
    acc = 0
    for i in range(n):
        before[i] = acc
        acc += body[i]
    after = [0] * n
    acc = 0
    for i in range(n - 1, -1, -1):
        after[i] = acc
        acc += body[i]
    doc_blank = sum(ln.blank_before for ln in lines[1:]) / max(1, n - 1)
    strong = [s.credit >= 0.85 for s in shapes]
    doc_credit = any(strong)
    # A caption sits next to its credit; in an article that credits its photos, a short
    # unpunctuated line far from any credit is more likely a subheading.
    near = [any(strong[k] for k in range(max(0, i - 2), min(n, i + 3)) if k != i) for i in range(n)]
    rows: list[list[float]] = []
    for i, (ln, s) in enumerate(zip(lines, shapes, strict=True)):
        w = s.words
        end_other = not (s.end_period or s.end_qmark or s.end_colon or s.end_open)
        own = [
            math.log1p(s.chars) / 7.0,
            float(w <= 3),
            float(4 <= w <= 6),
            float(7 <= w <= 12),
            float(13 <= w <= 25),
            float(w >= 26),
            max(-3.0, min(3.0, math.log((s.chars + 1) / (med + 1)))) / 3.0,
            float(s.end_period),
            float(s.end_qmark),
            float(s.end_colon),
            float(s.end_open),
            float(end_other),
            float(s.sentences >= 2),
            s.title_ratio,
            s.caps_ratio,
            s.func_ratio,
            s.credit,
            float(s.caption_cue),
            float(s.related),
            float(s.comment),
            float(s.ad),
            float(s.standards),
            float(s.byline),
            float(s.social),
            float(s.copyright),
            float(s.quote_start),
            float(s.has_quote),
            float(s.reporting),
            float(s.aux),
            float(s.dateline),
            float(s.date),
            float(s.time),
            float(s.glued_credit),
            float(s.present_caption),
            min(1.0, 4 * s.digits),
            float(s.end_open and w >= 8),
            float(s.end_open and w <= 7),
            float(_title_short(s)),
            float(s.end_period and w >= 15),
            float(s.end_open and s.aux),
            s.func_ratio * s.end_open,
            float(s.end_open and s.present_caption),
            float(i == 0),
            float(i == n - 1),
            i / max(1, n - 1),
            float(i < 3),
            float(n - 1 - i < 3),
            min(before[i], 3) / 3.0,
            min(after[i], 3) / 3.0,
            float(after[i] == 0),
            doc_blank,
            float(ln.blank_before and ln.blank_after),
            float(rep[i]),
            float(i == 0 and not s.end_period and w <= 25),
            float(doc_credit),
            float(near[i]),
            float(doc_credit and s.end_open and not near[i]),
            float(_cap_block(shapes, strong, i, -1)),
            float(_cap_block(shapes, strong, i, 1)),
        ]
        rows.append(own + _ctx(shapes, i - 1) + _ctx(shapes, i + 1))
    return rows
