"""Find the stretches of text inside quotation marks, with exact offsets.

``find_quote_spans(text)`` returns ``QuoteMarks`` whose ``start``/``end`` is the content
*inside* the marks (``text[open_pos] `` is the opening mark, ``text[end]`` the closing
one).  Only outermost quotes are returned; quotes nested inside them are part of the
content.

Handled: curly “ ”, straight ", guillemets « » and ‹ ›, low-9 „ ‚, single ‘ ’ and ',
apostrophes (Ukraine’s, don't, rock 'n' roll, '90s, plural possessives voters’), quotes
spanning sentences, and the news convention of a quote left open at the end of a
paragraph that continues in the next paragraph opening with a quote mark — unless the
paragraph's last sentence attributes the quote ("… Blinken said in Chisinau."): then the
closing mark was left out, and ``text[end]`` is the space after the last quoted sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# opening mark → the closing marks that may end it
_DOUBLE_PAIRS: dict[str, str] = {"“": "”“", "„": "“”", "«": "»", '"': '"”“', "”": "”"}
_SINGLE_PAIRS: dict[str, str] = {"‘": "’‘", "‚": "‘’", "‹": "›", "'": "'’", "’": "’"}
_DOUBLE = set('“”„«»"')
_SINGLE_OPEN = set("‘‚‹'’")
# characters after which an opening quote may stand
_BEFORE_OPEN = set(" \t\n([{—–-/:;,") | {""}
_MAX_PARAS = 12  # a quote never continues over more paragraphs than this


@dataclass(frozen=True, slots=True)
class QuoteMarks:
    """A quoted stretch: ``open_pos`` is the opening mark, ``start:end`` the content
    inside, ``end`` the closing mark's index."""

    open_pos: int
    start: int
    end: int

    @property
    def close_end(self) -> int:
        """Index just past the closing mark."""
        return self.end + 1


def _prev(text: str, i: int) -> str:
    return text[i - 1] if i > 0 else ""


def _next(text: str, i: int) -> str:
    return text[i + 1] if i + 1 < len(text) else ""


def _can_open(text: str, i: int) -> bool:
    nxt = _next(text, i)
    prv = _prev(text, i)
    # after a space or bracket, or right after another mark (nested: “‘…) when text follows
    # any whitespace counts, the no-break space of web copy ("\xa0“I don’t care") too
    return prv in _BEFORE_OPEN or prv.isspace() or (prv in _DOUBLE | _SINGLE_OPEN and bool(nxt) and not nxt.isspace())


def _can_close(text: str, i: int) -> bool:
    nxt = _next(text, i)
    prv = _prev(text, i)
    return (not prv.isspace()) and (nxt == "" or not nxt.isalnum())


def _para_continues(text: str, nl: int, opener: str) -> int | None:
    """If the paragraph after the newline at ``nl`` opens with a quote mark, its index."""
    j = nl
    while j < len(text) and text[j].isspace():
        j += 1
    if j < len(text) and text[j] in (_DOUBLE if opener in _DOUBLE else _SINGLE_OPEN):
        return j
    return None


# a paragraph-final sentence that attributes the quote before it ("… so doing. Blinken
# said at a news conference in Chisinau."): the writer (or a machine translation) left
# the closing mark out; the quote ends with the sentence before
_ATTRIBUTION = re.compile(
    r"(?:[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3}|[Hh]e|[Ss]he|[Tt]hey)\s+"
    r"(?:said|says|added|adds|told|stated|noted|explained|continued|stressed|wrote)\b[^.!?“”\"]{0,120}[.!?]\s*"
)
_SENTENCE_END = re.compile(r"[.!?][’']?\s+(?=[A-Z])")


def _implied_close(text: str, i: int, nl: int) -> int | None:
    """The index just past the last quoted sentence when the quote opened at ``i`` runs to
    the line break ``nl`` and its last sentence is an attribution (see ``_ATTRIBUTION``);
    ``text[result]`` is then the space that stands for the missing closing mark."""
    ends = [m for m in _SENTENCE_END.finditer(text, i + 1, nl)]
    if not ends:
        return None
    last = ends[-1]
    if _ATTRIBUTION.fullmatch(text, last.end(), nl) is None:
        return None
    return last.start() + 1


def _scan(text: str, pairs: dict[str, str], single: bool, blocked: list[tuple[int, int]]) -> list[QuoteMarks]:
    """One left-to-right pass for one family of marks (double or single)."""
    out: list[QuoteMarks] = []
    n = len(text)
    i = 0
    bi = 0
    while i < n:
        while bi < len(blocked) and blocked[bi][1] <= i:
            bi += 1
        if bi < len(blocked) and blocked[bi][0] <= i < blocked[bi][1]:
            i = blocked[bi][1]
            continue
        ch = text[i]
        if ch not in pairs or not _can_open(text, i):
            i += 1
            continue
        if single and not _single_open_ok(text, i):
            i += 1
            continue
        close = _find_close(text, i, pairs[ch], single)
        if close is None:
            i += 1
            continue
        if close - i - 1 >= 1 and text[i + 1 : close].strip():
            out.append(QuoteMarks(i, i + 1, close))
        i = close + 1
    return out


def _single_open_ok(text: str, i: int) -> bool:
    """Reject apostrophes that look like openings: 'n' (rock 'n' roll), '90s, 'em, 'til."""
    rest = text[i + 1 : i + 5].lower()
    if rest[:2] in ("n'", "n’") or rest[:1].isdigit():
        return False
    elisions = ("em", "til", "cause", "tis")
    return not any(rest.startswith(w) and not rest[len(w) : len(w) + 1].isalpha() for w in elisions)


def _find_close(text: str, i: int, closers: str, single: bool) -> int | None:
    """Index of the mark closing the quote opened at ``i`` (or None)."""
    n = len(text)
    j = i + 1
    paras = 0
    opener = text[i]
    cands: list[int] = []
    while j < n:
        ch = text[j]
        if ch == "\n":
            if single:
                break  # single quotes never cross a line
            if cands:
                return cands[-1]
            implied = _implied_close(text, i, j)
            if implied is not None:
                return implied
            cont = _para_continues(text, j, opener)
            paras += 1
            if cont is None or paras > _MAX_PARAS:
                return None
            j = cont + 1
            continue
        if ch in closers and _can_close(text, j):
            if single and text[j - 2 : j].lower() in ("'n", "’n", "‘n") and _prev(text, j - 2) == " ":
                j += 1  # the second apostrophe of rock 'n' roll
                continue
            if not single:
                return j
            # a plural possessive (voters’ choice) also looks like a close: keep looking
            if _prev(text, j) in "sS" and _next(text, j) == " " and text[j + 2 : j + 3].islower():
                cands.append(j)
            elif cands:
                return j  # a later, ordinary close: the earlier one was a possessive
            else:
                return j
        elif ch in closers and not single and _next(text, j).isalnum() and not _prev(text, j).isalnum():
            # an opening-looking mark where a close was expected (straight quotes on a
            # fresh quote): the previous quote was left open, so stop here.
            return None
        j += 1
    return cands[0] if cands else None


def find_quote_spans(text: str) -> list[QuoteMarks]:
    """Outermost quoted stretches of ``text``, in order (see the module docstring)."""
    doubles = _scan(text, _DOUBLE_PAIRS, single=False, blocked=[])
    blocked = [(q.open_pos, q.close_end) for q in doubles]
    singles = _scan(text, _SINGLE_PAIRS, single=True, blocked=blocked)
    return sorted(doubles + singles, key=lambda q: q.open_pos)
