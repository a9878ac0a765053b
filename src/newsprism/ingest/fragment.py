"""Flatten an HTML fragment (a feed entry's content) into paragraphs of plain text.

Full pages go through ``ingest.html`` (trafilatura); a feed's ``<description>`` or
``<content>`` is a small fragment where a block walk is all that is needed.
"""

from __future__ import annotations

import re

from newsprism.errors import InputRejected

_BLOCK_TAGS = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
    "figcaption", "section", "article", "header", "footer", "dd", "dt", "ul", "ol", "table",
}  # fmt: skip
_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "form")
_WS = re.compile(r"[ \t\r\f\v\u00a0]+")


def html_fragment_paragraphs(fragment: str) -> list[tuple[str, str]]:
    """[(kind, paragraph)] in document order; kind is 'body', 'subheading' or 'caption'.

    Plain text (no tags) is split on blank lines.  Raises InputRejected('bad_html') when
    lxml cannot parse it at all.
    """
    if "<" not in fragment:
        paras = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", fragment)]
        return [("body", p) for p in paras if p]
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fromstring(f"<div>{fragment}</div>")
    except (lxml.etree.ParserError, ValueError, RecursionError) as exc:
        raise InputRejected("bad_html", f"cannot parse the entry's HTML ({exc})") from None
    for bad in root.iter(*_DROP_TAGS):
        bad.drop_tree()
    out: list[tuple[str, str]] = []
    buf: list[str] = []
    kind_stack: list[str] = ["body"]

    def flush() -> None:
        text = _WS.sub(" ", "".join(buf)).strip()
        buf.clear()
        if text:
            out.append((kind_stack[-1], text))

    def walk(el: lxml.html.HtmlElement, depth: int) -> None:
        if depth > 200:  # absurd nesting: keep the text, stop descending
            buf.append(el.text_content())
            return
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in _BLOCK_TAGS or tag == "br"
        if block:
            flush()
        pushed = False
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            kind_stack.append("subheading")
            pushed = True
        elif tag == "figcaption":
            kind_stack.append("caption")
            pushed = True
        if el.text and tag != "br":
            buf.append(el.text)
        for child in el:
            walk(child, depth + 1)
            if child.tail:
                buf.append(child.tail)
        if block:
            flush()
        if pushed:
            kind_stack.pop()

    walk(root, 0)
    flush()
    return out
