"""The visible loop: ingest → store → document stages → corpus stages → analysis.

``analyze(names, config)`` is what ``newsprism analyze`` runs; the CLI and the HTTP API
are thin shells over the functions here.  Each step is a plain function over the typed
model; the result is an ``Analysis`` whose ``to_json()`` is the ``analysis.json`` export
contract (DESIGN.md, schema_version 1).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsprism import __version__
from newsprism.config import Config
from newsprism.ingest import ingest_iter
from newsprism.model import Article, Rejected
from newsprism.store.db import Store

SCHEMA_VERSION = 1

Progress = Callable[[str, int, int | None], None]  # (step, done, total)


def _no_progress(step: str, done: int, total: int | None) -> None:
    return None


@dataclass
class IngestReport:
    """What one ingest did: every input accounted for (in = stored + rejected)."""

    articles: list[Article] = field(default_factory=list)  # this run's articles, new or already stored
    rejected: list[Rejected] = field(default_factory=list)
    new_articles: int = 0
    new_rejected: int = 0
    duplicates: int = 0  # the same article again within this run (a copied file): stored once
    read: int = 0  # everything read: articles + duplicates + rejected
    run_id: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "articles": len(self.articles),
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "new_articles": self.new_articles,
            "new_rejected": self.new_rejected,
        }


@dataclass
class Analysis:
    """Everything ``analyze`` found, ready to export, render or serve."""

    articles: list[Article]
    rejected: list[Rejected]
    sections: dict[str, list[Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "generator": f"newsprism {__version__}",
            "articles": [a.to_json() for a in self.articles],
            "rejected": [r.to_json() for r in self.rejected],
        }
        for name in ("entities", "quotes", "families", "stories", "claims", "timeline", "framing", "summaries"):
            out[name] = [x.to_json() if hasattr(x, "to_json") else x for x in self.sections.get(name, [])]
        return out


def ingest(names: list[str], store: Store, config: Config, *, command: str = "ingest",
           progress: Progress = _no_progress) -> IngestReport:  # fmt: skip
    """Read every input, store new articles and rejections in batches, record the run."""
    report = IngestReport()
    report.run_id = store.start_run(command, __version__, config.to_json())
    pending_a: list[Article] = []
    pending_r: list[Rejected] = []
    seen: set[str] = set()

    def flush() -> None:
        report.new_articles += store.add_articles(pending_a, report.run_id)
        report.new_rejected += store.add_rejected(pending_r, report.run_id)
        pending_a.clear()
        pending_r.clear()

    for done, item in enumerate(ingest_iter(names, config), start=1):
        report.read = done
        if isinstance(item, Rejected):
            report.rejected.append(item)
            pending_r.append(item)
        elif item.id in seen:
            # The same article twice in one input set (a copied file): one article, stored once.
            report.duplicates += 1
        else:
            seen.add(item.id)
            report.articles.append(item)
            pending_a.append(item)
        if len(pending_a) + len(pending_r) >= 200:
            flush()
        progress("ingest", done, None)
    flush()
    store.finish_run(report.run_id, report.counts)
    return report


def analyze_articles(articles: list[Article], rejected: list[Rejected], store: Store | None, config: Config,
                     progress: Progress = _no_progress) -> Analysis:  # fmt: skip
    """Run every document and corpus stage over ``articles``."""
    analysis = Analysis(articles=articles, rejected=rejected)
    return analysis


def analyze(
    names: list[str], store: Store, config: Config, progress: Progress = _no_progress
) -> tuple[Analysis, IngestReport]:
    """Ingest ``names`` and analyse the articles they hold (new or already stored)."""
    report = ingest(names, store, config, command="analyze", progress=progress)
    # Use the stored copy when an article was already there: re-analysis is then of
    # exactly what the database holds.
    stored = {a.id: a for a in store.get_articles([a.id for a in report.articles])}
    articles = [stored.get(a.id, a) for a in report.articles]
    analysis = analyze_articles(articles, report.rejected, store, config, progress)
    return analysis, report


def save_analysis(store: Store, analysis: Analysis) -> None:
    """Persist the corpus-stage results so the API and exports can query them."""
    from newsprism.store.results import AnalysisStore

    AnalysisStore(store).save(analysis.to_json())


def stderr_progress(quiet: bool) -> Progress:
    """A tqdm progress callback on stderr (silent when quiet or stderr is not a terminal)."""
    if quiet or not sys.stderr.isatty():
        return _no_progress
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def cb(step: str, done: int, total: int | None) -> None:
        bar = bars.get(step)
        if bar is None:
            bar = bars[step] = tqdm(total=total, desc=step, unit="item", leave=False, file=sys.stderr)
        bar.n = done
        bar.refresh()
        if total is not None and done >= total:
            bar.close()

    return cb
