"""Render ``analysis.json`` data as one self-contained HTML page (no CDN, nothing loaded).

Every piece of article content goes through Jinja2's autoescaping, and the page carries a
Content-Security-Policy that forbids scripts other than our own inline one, remote
loads and plugins, so nothing from an input can run or fetch.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from newsprism import __version__
from newsprism.report.pieces import article_pieces, span_refs
from newsprism.report.views import build_views

SEGMENT_LABELS = {
    "headline": "Headline", "subheading": "Subheading", "byline": "Byline", "body": "Body",
    "caption": "Caption", "credit": "Photo credit", "related": "Related link", "comment": "Comment form",
    "ad": "Advertisement", "standards": "Standards blurb", "other": "Other",
}  # fmt: skip


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    """Jinja's environment, with ``record.field`` on a plain dict looked up as a key first.

    Jinja tries the attribute first and the key after, so every ``quote.start`` in the
    template raised and caught an AttributeError (the page for 200 articles took 1.10 s
    to render with that, 0.93 s without).  A plain dict's only attributes are ``dict``'s
    own (its methods): those names still go to Jinja's lookup, so ``counts.get(...)`` is
    the method even where a key is named "get", exactly as before.  The page is the same,
    byte for byte."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = _Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals["SEGMENT_LABELS"] = SEGMENT_LABELS
    env.globals["cell_row"] = _cell_row
    env.globals["count_row"] = _count_row
    env.globals["claim_row"] = _claim_row
    return env


_CELL_MARKS = {"support": "✓", "conflict": "✗"}


def _cell_row(outlets: list[str], cells: dict[str, str]) -> Markup:
    """A claim's row of the story's claims-by-outlet matrix: one cell per outlet, with its
    state (support, conflict or none).  Built here, not in a template loop: the matrix is
    claims × outlets cells, most of the claims section (676,000 cells for 1,320 articles);
    every value is escaped (``_esc``: markupsafe's escaping, byte for byte)."""
    out = []
    for o in outlets:
        cell = cells.get(o) or ""
        label = _esc(cell or "not reported")
        out.append(f'<td class="cell cell-{_esc(cell or "none")}" aria-label="{_esc(o)}: {label}">'
                   f'{_CELL_MARKS.get(cell, "·")}</td>')  # fmt: skip
    return Markup("".join(out))


def _claim_row(c: dict[str, Any], outlets: list[str], outlet_of: dict[str, str]) -> Markup:
    """A claim's row of its story's claims matrix: the claim (a button over its hidden
    evidence), its status and its cells (``_cell_row``).  Built here for the reason the
    cells are: a row per claim (38,000 for 1,320 articles) took most of the page's time as
    a template loop.  Every value is escaped as ``{{ }}`` would (numbers as ``str``)."""
    cid = _esc(c["id"])
    status = c["status"]
    evidence = "".join(
        f'<p class="ev ev-{_esc(ev["role"])}"><a href="#span-{"c" if ev["role"] == "support" else "x"}-{cid}-'
        f'{_esc(ev["article"])}-{_esc(str(ev["start"]))}">{_esc(ev["outlet"])}</a>'
        + (f' <span class="badge">{_esc(ev["kind"])}</span>' if ev.get("kind") and ev["role"] == "conflict" else "")
        + f": “{_esc(ev['text'])}”</p>"
        for ev in c["evidence"]
    )
    first = c.get("first_reported_by")
    first_html = f"<br>first: {_esc(outlet_of.get(first, first))}" if first else ""
    return Markup(
        f'<tr class="claim-row status-{_esc(status)}" id="claim-{cid}">\n'
        f'        <td><button type="button" class="claim-btn" data-ref="c:{cid}" data-xref="x:{cid}" '
        f'aria-controls="evidence-{cid}" aria-expanded="false">{_esc(c["text"])}</button>\n'
        f'          <div class="evidence" id="evidence-{cid}" hidden>\n'
        f"            {evidence}\n"
        f"          </div></td>\n"
        f'        <td><span class="status status-{_esc(status)}">{_esc(status.replace("_", " "))}</span><br>'
        f'<span class="meta">{_esc(str(c["independent_sources"]))} indep.{first_html}</span></td>\n'
        f"        {_cell_row(outlets, c['cells'])}\n"
        f"      </tr>"
    )


def _count_row(outlets: list[str], counts: dict[str, int]) -> Markup:
    """A speaker's row of the quotes-by-outlet matrix: one cell per outlet with the number of
    the speaker's quotes it carries (empty for none).  Built here for the reason
    ``_cell_row`` is: speakers × outlets cells (437,000 for 1,320 articles) took most of the
    quotes section's time as a template loop.  The counts are integers: nothing to escape."""
    return Markup("".join(f'<td class="num has">{n}</td>' if (n := counts.get(o, 0)) else '<td class="num"></td>'
                          for o in outlets))  # fmt: skip


def _asset(name: str) -> str:
    return resources.files("newsprism.report").joinpath("templates", name).read_text(encoding="utf-8")


def _with_offsets(pieces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pos = 0
    for p in pieces:
        p["start"] = pos
        pos += len(p["text"])
    return pieces


def _esc(value: str) -> str:
    """What ``markupsafe.escape`` does to a string, with the same entities, as plain ``str``
    replacements (no ``Markup`` object per piece: half the time of building the text)."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))  # fmt: skip


def _text_html(article_id: str, pieces: list[dict[str, Any]]) -> Markup:
    """An article's text as the report shows it: one span per piece, with its segment kind,
    the ids of the spans it belongs to and the anchors that start in it.  Built here, not
    in the template: the text is most of the page, and the template loop took seconds.
    Every piece of content is escaped here (``_esc``: markupsafe's escaping, byte for byte)."""
    out: list[str] = []
    aid = _esc(article_id)
    for p in pieces:
        for r in p["anchors"]:
            extra = f"-{aid}-{p['start']}" if r[0] in "cxm" else ""
            out.append(f'<span class="anchor" id="span-{_esc(r.replace(":", "-"))}{extra}"></span>')
        kind = p.get("kind")
        cls = (f"seg seg-{_esc(kind)}" if kind else "") + "".join(f" r-{_esc(r[0])}" for r in p["refs"])
        attrs = f' data-kind="{_esc(kind)}" data-label="{_esc(SEGMENT_LABELS.get(kind, kind))}"' if kind else ""
        if p["refs"]:
            attrs += f' data-refs="{_esc(" ".join(p["refs"]))}"'
        out.append(f'<span class="{cls}"{attrs}>{_esc(p["text"])}</span>')
    return Markup("".join(out))


@lru_cache(maxsize=1)
def _template() -> Any:
    """The page template, compiled once per process (a fifth of a second each time)."""
    return _env().from_string(_asset("report.html.j2"))


def start_render(data: dict[str, Any], pool: Any = None) -> Callable[[], str]:
    """Begin rendering ``data``'s report and return the call that yields the page.

    When the encoder processes are up and idle (the end of ``analyze``), two of them render
    the page while this process writes ``analysis.json`` and saves the analysis: one builds
    the articles' texts (half the work), the other the page around them, with a marker
    where each text goes; the call puts the texts in.  Otherwise the returned call renders
    here.  The page is the same either way, byte for byte.  ``pool``: the processes to use
    (default: the lent encoder pool)."""
    from newsprism.workers import lent_pool

    pool = pool if pool is not None else lent_pool()
    if pool is None:
        return lambda: render_report(data)
    texts = pool.apply_async(article_texts, (data,))
    shell = pool.apply_async(render_shell, (data,))
    return lambda: fill_shell(str(shell.get()), texts.get()) or render_report(data)


# Where an article's text goes in ``render_shell``'s page: private-use characters that the
# escaping leaves alone; a page where one does not occur exactly once is rendered whole.
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARK = re.compile(_MARK_OPEN + r"newsprism-text-(\d+)" + _MARK_CLOSE)


def article_texts(data: dict[str, Any]) -> list[str]:
    """Each article's text as the page shows it (``_text_html``), in ``data``'s order."""
    refs = span_refs(data)
    return [str(_text_html(a["id"], _with_offsets(article_pieces(a, refs.get(a["id"], [])))))
            for a in data.get("articles", [])]  # fmt: skip


def render_shell(data: dict[str, Any]) -> str:
    """The page with a marker in place of each article's text (see ``fill_shell``)."""
    marks = {a["id"]: Markup(f"{_MARK_OPEN}newsprism-text-{i}{_MARK_CLOSE}")
             for i, a in enumerate(data.get("articles", []))}  # fmt: skip
    return _render(data, marks)


def fill_shell(shell: str, texts: list[str]) -> str:
    """``shell`` with every marker replaced by its text; "" when the markers are not each
    there exactly once (an article that itself holds such a marker, say)."""
    parts: list[str] = []
    seen: set[int] = set()
    pos = 0
    for m in _MARK.finditer(shell):
        k = int(m.group(1))
        if k in seen or k >= len(texts):
            return ""
        seen.add(k)
        parts += [shell[pos : m.start()], texts[k]]
        pos = m.end()
    if len(seen) != len(texts):
        return ""
    parts.append(shell[pos:])
    return "".join(parts)


def render_report(data: dict[str, Any]) -> str:
    """The whole report page for one analysis."""
    articles = data.get("articles", [])
    return _render(data, {a["id"]: Markup(t) for a, t in zip(articles, article_texts(data), strict=True)})


def _render(data: dict[str, Any], texts: dict[str, Markup]) -> str:
    """The page template over ``data``, with ``texts`` as the articles' texts."""
    articles = data.get("articles", [])
    kinds = Counter(s["kind"] for a in articles for s in a.get("segments", []))
    js = _asset("report.js")
    return _template().render(
        data=data,
        articles=articles,
        texts=texts,
        v=build_views(data),
        kind_counts=kinds,
        outlets=sorted({a["outlet"] for a in articles if a.get("outlet")}),
        css=_asset("report.css"),
        js=js,
        script_hash=base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii"),
        version=__version__,
    )
