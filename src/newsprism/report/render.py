"""Render ``analysis.json`` data as one self-contained HTML page (no CDN, nothing loaded).

Every piece of article content goes through Jinja2's autoescaping, and the page carries a
Content-Security-Policy that forbids scripts other than our own inline one, remote
loads and plugins, so nothing from an input can run or fetch.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, select_autoescape

from newsprism import __version__

SEGMENT_LABELS = {
    "headline": "Headline", "subheading": "Subheading", "byline": "Byline", "body": "Body",
    "caption": "Caption", "credit": "Photo credit", "related": "Related link", "comment": "Comment form",
    "ad": "Advertisement", "standards": "Standards blurb", "other": "Other",
}  # fmt: skip


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals["SEGMENT_LABELS"] = SEGMENT_LABELS
    return env


def _asset(name: str) -> str:
    return resources.files("newsprism.report").joinpath("templates", name).read_text(encoding="utf-8")


def article_pieces(article: dict[str, Any]) -> list[dict[str, Any]]:
    """The article's text cut into (kind, text) pieces in order; gaps between segments kept.

    Rendering pieces in order reproduces ``text`` exactly, so what the reader sees is the
    stored text, every character of it.
    """
    text = article["text"]
    pieces: list[dict[str, Any]] = []
    pos = 0
    for seg in sorted(article.get("segments", []), key=lambda s: (s["start"], s["end"])):
        start, end = max(seg["start"], pos), seg["end"]
        if start > pos:
            pieces.append({"kind": None, "text": text[pos:start]})
        if end > start:
            pieces.append({"kind": seg["kind"], "text": text[start:end]})
            pos = end
    if pos < len(text):
        pieces.append({"kind": None, "text": text[pos:]})
    return pieces


def render_report(data: dict[str, Any]) -> str:
    """The whole report page for one analysis."""
    articles = data.get("articles", [])
    kinds = Counter(s["kind"] for a in articles for s in a.get("segments", []))
    js = _asset("report.js")
    template = _env().from_string(_asset("report.html.j2"))
    return template.render(
        data=data,
        articles=articles,
        pieces={a["id"]: article_pieces(a) for a in articles},
        kind_counts=kinds,
        outlets=sorted({a.get("outlet") or "unknown outlet" for a in articles}),
        css=_asset("report.css"),
        js=js,
        script_hash=base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii"),
        version=__version__,
    )
