"""Walk an HTML page into text blocks in document order, each with the role its markup suggests.

A *block* is the inline text between two block-level boundaries (``<p>``, ``<li>``,
``<h2>``, ``<figcaption>``, ``<br>`` …), whitespace-collapsed.  Each block carries:

* ``tag``: the innermost block element it sits in (``p``, ``li``, ``h2`` …);
* ``role``: ``caption`` / ``credit`` / ``related`` / ``byline`` when the markup says so
  (``<figcaption>``, ``<figure>``, class or id names such as ``wp-caption-text``,
  ``photo-credit``, ``related-articles``, ``byline``, ``share-tools`` → ``other``), else
  ``None``;
* ``link_chars``: how many of its characters sit inside ``<a>`` (link density).

The walk never descends past ``MAX_DEPTH`` (absurd nesting keeps its text flat) and
drops scripts, styles, forms and other non-text elements first, so script text can never
reach a block.

The second half turns the extractor's text plus these blocks into labelled *pieces*
``(kind, text, block index or -1)``: ``align`` splits the extracted text at the page's
block boundaries (never dropping an extracted character), ``with_region_extras`` puts
back captions, credits, related links and split-off article chunks found around it, and
``relabel_edges`` / ``drop_title_lines`` fix the edges (bylines, teaser headings, a
repeated headline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html

BLOCK_TAGS = frozenset({
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "td", "th",
    "figcaption", "figure", "section", "article", "header", "footer", "aside", "nav", "main",
    "dd", "dt", "dl", "ul", "ol", "table", "caption", "address", "details", "summary", "hr", "br",
})  # fmt: skip
DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "form",
             "button", "select", "textarea", "input", "canvas", "video", "audio", "map", "math")  # fmt: skip
MAX_DEPTH = 400
_SHORT_BLOCK = 30  # blocks shorter than this must match the extracted text exactly where we are
_TRAILING_RELATED = 12  # how far past the last body block related-link blocks are still picked up
_SHORTCODE = re.compile(r"^\[[a-z_]+[\s\]].*\[/[a-z_]+\]$", re.I)
_LOOKAHEAD = 50_000  # how far ahead in the extracted text a long block is searched for
_SIBLING_GAP_CHARS = 150  # most non-link text allowed between two chunks of one article
_CREDIT_TEXT = re.compile(r"^(?:photo|image|picture|foto|video|graphic)s?\s*(?:credit)?\s*[:©]|^©|^\(?credit:", re.I)
_COPYRIGHT_TEXT = re.compile(r"^(?:©|\(c\)|copyright\b)", re.I)
_DATELINE = re.compile(r"^[^.!?]{0,50}\b(?:19|20)\d{2}\b[^.!?]{0,25}$")
_BYLINE_TEXT = re.compile(r"^(?:by|von|par|por|di|door|av)\s+\S", re.I)
_RELATED_TEXT = re.compile(
    r"^(?:read more|read also|also read|related(?: stories| articles| coverage| content)?|see also|more on this"
    r"|more from|recommended|you may also like|you might also like|watch|listen|further reading)\b\s*[:|»>-]?",
    re.I,
)
_REPORTING_CREDIT = re.compile(r"^[(\[]?(?:additional )?(?:reporting|writing|editing|compiled|translated) by\b", re.I)
_SOURCE_CREDIT = re.compile(r"^(?:sources?|quelle|fuente|fonte)\s*:", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_UPDATED = re.compile(r"^(?:updated|published|posted|last (?:updated|modified))\b", re.I)
_NEWSLETTER = re.compile(
    r"\b(?:sign up|subscribe|subscribing)\b.{0,120}\b(?:newsletters?|inbox|today|free)\b"
    r"|\bnewsletters?\b.{0,80}\b(?:sign up|subscribe)\b",
    re.I,
)
_TEASER_TAG = re.compile(
    r"\[(?:INSIGHT|VIDEO|PICTURES|PICS|POLL|REVEAL|WARNING|LATEST|UPDATE|REPORT|ANALYSIS|LIVE)\]\s*$"
)
_CONTAINER_TAGS = frozenset({"div", "section", "article", "main"})

_WS = re.compile(r"\s+")
# Class/id vocabularies.  Matched on whole class/id strings of small elements only (see
# ``_ROLE_MAX_CHARS``), so a page-wide wrapper named "related-wrapper" cannot swallow the article.
_ROLE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("credit", re.compile(r"credit|copyright|photographer|image-?source|photo-?source|attribution", re.I)),
    ("caption", re.compile(r"caption|image-?desc|photo-?desc|img-?desc|media-?desc|legend|cutline", re.I)),
    (
        "related",
        re.compile(
            r"related|read-?more|more-?(?:stories|news|articles|from|on)|recommend|see-?also|also-?read|"
            r"further-?reading|outbrain|taboola|trending|most-?(?:read|popular|viewed)|teaser-?list",
            re.I,
        ),
    ),
    ("other", re.compile(r"newsletter|signup|sign-up|share|social|subscribe|promo|advert|\bads?\b|sponsor", re.I)),
    ("byline", re.compile(r"byline|author|dateline|timestamp|published|posted-?on|meta-?date|article-?date", re.I)),
)
_ROLE_MAX_CHARS = 1500


@dataclass(slots=True)
class Block:
    """One text block of the page (see the module docstring)."""

    text: str
    tag: str
    role: str | None
    link_chars: int
    heading: bool
    container: int = 0  # which classed div/section/article/main holds it (a running number)
    signature: str = ""  # that container's tag and class, e.g. "div.body__container article__body"
    quote: bool = False  # inside a <blockquote> (a pull quote, an embedded post)

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


def _element_role(el: lxml.html.HtmlElement, tag: str) -> str | None:
    if tag == "figcaption":
        return "caption"
    if tag == "figure":
        return "caption"
    if tag == "aside":
        return "related"
    names = " ".join(v for v in (el.get("class"), el.get("id"), el.get("itemprop"), el.get("rel")) if v)
    if not names:
        return None
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(names):
            # Big containers with such names are usually page wrappers: trust small ones only.
            if len(el.text_content()) <= _ROLE_MAX_CHARS:
                return role
            return None
    return None


def page_blocks(root: lxml.html.HtmlElement) -> list[Block]:
    """The blocks of ``root`` in document order.  Mutates ``root`` (drops non-text elements)."""
    for bad in list(root.iter(*DROP_TAGS)):
        if bad.getparent() is not None:
            bad.drop_tree()
    blocks: list[Block] = []
    buf: list[tuple[str, bool]] = []
    # (innermost block tag, role, container number, container signature) stack
    ctx: list[tuple[str, str | None, int, str]] = [("body", None, 0, "")]
    containers = 0
    quotes = 0  # open <blockquote> elements

    def flush() -> None:
        if not buf:
            return
        raw = "".join(t for t, _ in buf)
        text = _WS.sub(" ", raw).strip()
        if text:
            link = sum(len(_WS.sub(" ", t)) for t, in_a in buf if in_a)
            tag, role, container, signature = ctx[-1]
            heading = tag in ("h1", "h2", "h3", "h4", "h5", "h6")
            link = min(link, len(text))
            blocks.append(Block(text, tag, role, link, heading, container, signature, quotes > 0))
        buf.clear()

    # An explicit stack instead of recursion: deep pages cannot overflow Python's stack.
    body = root.find("body")
    start = body if body is not None else root
    stack: list[tuple[lxml.html.HtmlElement, int, bool, bool]] = [(start, 0, False, False)]
    while stack:
        el, depth, in_a, closing = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        block = tag in BLOCK_TAGS
        if closing:
            if block:
                flush()
                ctx.pop()
                quotes -= tag == "blockquote"
            if el.tail:
                buf.append((el.tail, in_a))
            continue
        if block:
            flush()
            _, parent_role, container, signature = ctx[-1]
            role = parent_role if parent_role is not None else _element_role(el, tag)
            if tag in _CONTAINER_TAGS and el.get("class"):
                containers += 1
                container, signature = containers, f"{tag}.{' '.join(sorted(el.get('class', '').split()))}"
            ctx.append((tag, role, container, signature))
            quotes += tag == "blockquote"
        a_here = in_a or tag == "a"
        # When this element closes, its tail belongs to the parent's link state.
        parent_in_a = in_a
        stack.append((el, depth, parent_in_a, True))
        if depth >= MAX_DEPTH:
            buf.append((el.text_content(), a_here))
            continue
        # Comments and processing instructions (tag not a str) carry no visible text.
        if el.text and tag and tag != "br" and isinstance(el.tag, str):
            buf.append((el.text, a_here))
        for child in reversed(el):
            stack.append((child, depth + 1, a_here, False))
    flush()
    return blocks


def normalize(text: str) -> str:
    """Whitespace-collapsed text, as blocks hold it (for matching extracted text to blocks)."""
    return _WS.sub(" ", text).strip()


# ---------------------------------------------------------------- labelling the article's pieces

# A piece of the article: (segment kind, text, index of its page block or -1).
Piece = tuple[str, str, int]


def block_kind(block: Block, default: str) -> str:
    """The segment kind of a block the article text holds."""
    text = block.text
    if block.role in ("caption", "credit") or (block.role is None and _CREDIT_TEXT.match(text) and len(text) < 100):
        return "credit" if block.role == "credit" or _CREDIT_TEXT.match(text) else "caption"
    if len(text) < 300 and _RELATED_TEXT.match(text) and (block.link_density > 0.3 or len(text) < 60):
        return "related"
    if block.role == "related" and block.link_density >= 0.5:
        return "related"
    if block.role == "other" and len(text) < 300:
        return "other"
    if block.role == "byline" and len(text) < 150:
        return "byline"
    if block.heading:
        return "subheading"
    return text_kind(text) or default


def text_kind(text: str) -> str | None:
    """A kind that a short block's wording alone gives away (contact lines, reporting
    credits, newsletter pitches, "[VIDEO]" teasers), or None."""
    if len(text) > 300:
        return None
    if _REPORTING_CREDIT.match(text) or (len(text) < 80 and _SOURCE_CREDIT.match(text)):
        return "credit"
    if _EMAIL.search(text) and len(text.split()) <= 30:
        return "byline"  # "Write to Al Root at …", "Have a tip? … may be reached at …"
    if len(text) < 80 and _UPDATED.match(text):
        return "byline"
    if _NEWSLETTER.search(text) and len(text) < 250:
        return "other"
    if _TEASER_TAG.search(text):
        return "related"
    return None


def align(paras: list[tuple[str, str]], blocks: list[Block]) -> list[Piece]:
    """[(kind, text, block index or -1)] covering every extracted character, in order.

    Each page block found in the extracted text becomes its own piece, labelled from its
    markup; stretches of extracted text that no block explains stay body (or subheading).
    """
    joined = "\n".join(t for _, t in paras)
    kinds: list[str] = []
    for kind, t in paras:
        kinds.extend([kind] * (len(t) + 1))
    out: list[Piece] = []
    pos = 0

    def emit_gap(end: int) -> None:
        start = pos
        for piece in joined[start:end].split("\n"):
            stripped = piece.strip()
            if stripped:
                at = joined.index(stripped, start)
                kind = kinds[at]
                out.append(((text_kind(stripped) or kind) if kind == "body" else kind, stripped, -1))
            start += len(piece) + 1

    for i, block in enumerate(blocks):
        bt = block.text
        if len(bt) < _SHORT_BLOCK:
            here = pos
            while here < len(joined) and joined[here] in " \n":
                here += 1
            # A short block ("Nintendo", "Share") must be a whole line of the extracted text:
            # a prefix match would steal the start of a headline that merely begins the same way.
            # (It starts right where the previous match ended, so only its end needs checking.)
            whole = True
            end = here + len(bt)
            if whole and joined.startswith(bt, here) and end < len(joined) and joined[end] != "\n":
                # Inside a merged line, the page's next block must follow for this to be a block.
                nxt = blocks[i + 1].text[:20] if i + 1 < len(blocks) else ""
                whole = bool(nxt) and joined.startswith(nxt, end + 1)
            idx = here if whole and joined.startswith(bt, here) else -1
        else:
            # A bounded look-ahead keeps a page of many unmatched blocks from going quadratic.
            idx = joined.find(bt, pos, pos + _LOOKAHEAD + len(bt))
        if idx < 0:
            continue
        emit_gap(idx)
        out.append((block_kind(block, kinds[idx]), bt, i))
        pos = idx + len(bt)
    emit_gap(len(joined))
    return out


def fallback_pieces(blocks: list[Block]) -> list[Piece]:
    """When trafilatura finds nothing: the page's paragraph-like blocks, labelled."""
    prose = [
        i for i, b in enumerate(blocks)
        if b.tag in ("p", "blockquote") and b.role is None and len(b.text) >= 40 and b.link_density < 0.5
    ]  # fmt: skip
    if not prose:
        return []
    out = []
    for i in range(prose[0], prose[-1] + 1):
        b = blocks[i]
        if b.tag in ("p", "blockquote", "h2", "h3", "h4", "figcaption", "li") and b.link_density < 0.5:
            out.append((block_kind(b, "body"), b.text, i))
    return out


def sibling_prose(pieces: list[Piece], blocks: list[Block]) -> list[int]:
    """Prose blocks in *sibling* containers of the article's main one.

    Pages that cut the article into several same-class containers (with ads between them)
    lead extractors to keep the first chunk only.  The main container is the classed
    div/section holding most extracted body text; other containers with exactly its tag
    and class hold the rest of the article.
    """
    weight: dict[int, int] = {}
    for kind, text, i in pieces:
        if i >= 0 and kind == "body":
            weight[blocks[i].container] = weight.get(blocks[i].container, 0) + len(text)
    if not weight:
        return []
    main = max(weight, key=lambda c: weight[c])
    total = sum(len(t) for k, t, _ in pieces if k == "body")
    signature = next((b.signature for b in blocks if b.container == main), "")
    if not signature or weight[main] < 0.5 * total:
        return []
    inside = [i for i, b in enumerate(blocks) if b.container == main]
    lo, hi = inside[0], inside[-1]
    ranges: dict[int, list[int]] = {}
    for i, b in enumerate(blocks):
        if b.signature == signature and b.container not in weight:
            ranges.setdefault(b.container, []).append(i)
    chosen: list[int] = []

    def small_gap(gap: list[Block]) -> bool:
        # An ad slot or a share bar, not a comment header ("Top Rated Comments") or a teaser.
        return not any(b.heading for b in gap) and sum(len(b.text) - b.link_chars for b in gap) <= _SIBLING_GAP_CHARS

    # Chain outwards from the main container, stopping at the first sibling too far away.
    after = sorted((m for m in ranges.values() if m[0] > hi), key=lambda m: m[0])
    before = sorted((m for m in ranges.values() if m[-1] < lo), key=lambda m: -m[-1])
    for members in after:
        if not small_gap(blocks[hi + 1 : members[0]]):
            break
        hi = members[-1]
        chosen += members
    for members in before:
        if not small_gap(blocks[members[-1] + 1 : lo]):
            break
        lo = members[0]
        chosen += members
    return sorted(i for i in chosen if blocks[i].tag == "p" and blocks[i].role is None
                  and blocks[i].link_density < 0.3 and len(blocks[i].text) >= 40)  # fmt: skip


def with_region_extras(pieces: list[Piece], blocks: list[Block]) -> list[Piece]:
    """Insert the captions, credits and related blocks the extracted text left out but that
    sit inside the article region (between its first and last block, plus related-link
    blocks right after it), and the prose of sibling containers, at their place in the page."""
    matched = {i for _, _, i in pieces if i >= 0}
    if not matched:
        return pieces
    first, last = min(matched), max(matched)
    present = {normalize(t).casefold() for _, t, _ in pieces}
    # Matched pieces are whole blocks (``present``); only unexplained stretches can hold a
    # block's text inside a longer run, so only they are searched.
    unexplained = "\n".join(t for _, t, i in pieces if i < 0).casefold()
    extras: dict[int, tuple[str, str, int]] = {}
    for i in range(first, min(len(blocks), last + 1 + _TRAILING_RELATED)):
        if i in matched:
            continue
        b = blocks[i]
        kind = block_kind(b, "body")
        if i > last and kind != "related":
            continue
        wanted = kind in ("caption", "credit", "related") or (b.quote and kind == "body" and i < last)
        key = b.text.casefold()
        if not wanted or key in present or key in unexplained:
            continue
        if kind in ("caption", "credit", "related"):
            extras[i] = (kind, b.text, i)
            present.add(key)
        else:
            # Embedded posts and quotes inside the article are what it reports; extractors drop them.
            extras[i] = ("body", b.text, i)
            present.add(key)
    for i in sibling_prose(pieces, blocks):
        key = blocks[i].text.casefold()
        if key not in present and key not in unexplained:
            extras[i] = ("body", blocks[i].text, i)
            present.add(key)
    if not extras:
        return pieces
    out: list[Piece] = []
    pending = sorted(extras)
    n = 0
    for piece in pieces:
        while n < len(pending) and piece[2] >= 0 and pending[n] < piece[2]:
            out.append(extras[pending[n]])
            n += 1
        out.append(piece)
    out.extend(extras[i] for i in pending[n:])
    return out


def relabel_edges(pieces: list[Piece], blocks: list[Block]) -> list[Piece]:
    """Headings after the article's last paragraph introduce nothing: they are teaser
    titles (related, when they are links) or page furniture; a copyright line is furniture;
    a short date line or "By …" line before the first paragraph is the byline; a leftover
    CMS shortcode ("[button …]…[/button]") is furniture."""

    def byline_like(text: str) -> bool:
        return len(text) < 80 and bool(_DATELINE.match(text) or _BYLINE_TEXT.match(text))

    long_body = [n for n, (k, t, _) in enumerate(pieces) if k == "body" and len(t) >= 40 and not byline_like(t)]
    first_body, last_body = (long_body[0], long_body[-1]) if long_body else (len(pieces), -1)
    out = []
    for n, (kind, text, i) in enumerate(pieces):
        if kind == "body" and n < first_body and byline_like(text):
            kind = "byline"
        elif kind == "subheading" and n > last_body:
            linky = i >= 0 and blocks[i].link_density >= 0.5
            kind = "related" if linky else "other"
        elif kind == "body" and ((_COPYRIGHT_TEXT.match(text) and len(text) < 200) or _SHORTCODE.match(text)):
            kind = "other"
        out.append((kind, text, i))
    return out


def drop_title_lines(pieces: list[Piece], title: str | None) -> list[Piece]:
    """Drop body/subheading lines that repeat the headline (it is already the first line)."""
    if not title:
        return pieces
    key = normalize(title).casefold()
    return [p for p in pieces if not (p[0] in ("body", "subheading") and normalize(p[1]).casefold() == key)]
