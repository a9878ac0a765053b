"""Server-rendered pages for the live UI: story index, search results, API docs.

Self-contained like the report: no CDN, no remote loads, every value escaped by Jinja2.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, select_autoescape

from newsprism import __version__


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def _template(name: str) -> str:
    return resources.files("newsprism.web").joinpath("templates", f"{name}.html.j2").read_text(encoding="utf-8")


def _css() -> str:
    return resources.files("newsprism.report").joinpath("templates", "report.css").read_text(encoding="utf-8")


def _page(title: str, subtitle: str, body: str, twin: str, q: str | None = None) -> str:
    return _env().from_string(_template("page")).render(title=title, subtitle=subtitle, body=body, twin=twin, q=q,
                                            css=_css(), version=__version__)  # fmt: skip


def index_page(stories: list[dict[str, Any]], n_articles: int, n_rejected: int) -> str:
    body = _env().from_string(_template("index")).render(stories=stories)
    sub = f"{n_articles} article(s), {len(stories)} story(ies), {n_rejected} rejected input(s)"
    return _page("Stories", sub, body, "/api/stories")


def search_page(q: str, hits: list[dict[str, Any]]) -> str:
    body = _env().from_string(_template("search")).render(q=q, hits=hits)
    return _page(f"Search: {q}", f"{len(hits)} result(s)", body, f"/api/search?q={quote(q)}", q=q)


def docs_page(spec: dict[str, Any]) -> str:
    body = _env().from_string(_template("docs")).render(spec=spec)
    return _page("API", "Routes and parameters", body, "/openapi.json")
