"""Drafts → articles: label plain-text lines, fill in title, outlet and language, assign ids.

Done in batches rather than one draft at a time because the boilerplate labeller uses
lines that repeat across articles of the same outlet (a newsletter blurb, a comment
form), which only a batch shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from newsprism.ids import article_id
from newsprism.ingest.infer import date_from_url, outlet_from_text, outlet_from_url
from newsprism.ingest.language import identify
from newsprism.ingest.reader import Draft
from newsprism.model import CONTENT_KINDS, Article, Rejected, Segment


def _label(text: str, repeated: frozenset[str]) -> list[Segment]:
    from newsprism.clean.boilerplate import label_text

    return label_text(text, repeated_lines=repeated)


def _infer_outlet(d: Draft) -> tuple[str | None, str | None]:
    """(outlet, how it was inferred) for a draft without one: from its URL, else its text."""
    name, how = outlet_from_url(d.meta.get("url"))
    if not name:
        name, how = outlet_from_text(d.text)
    return name, how


def _id(d: Draft) -> str:
    return article_id(d.text, d.meta.get("url") or d.meta.get("outlet") or "")


def expected_id(d: Draft) -> str:
    """The id ``finalize`` will give ``d`` (when it keeps it), without labelling its lines:
    a caller can look an article up before its batch is finalized."""
    if d.meta.get("url") or d.meta.get("outlet"):
        return _id(d)
    name, how = _infer_outlet(d)
    return article_id(d.text, name if name and how else "")


# ids → the articles with those ids that the caller already holds (a store's, by id).
Held = Callable[[list[str]], dict[str, Article]]


# One draft's labelling: (text, its own segments or None, the lines its outlet repeats, whether
# its language is wanted) → (segments, language or None).
LabelJob = tuple[str, list[Segment] | None, frozenset[str], bool]
Labels = tuple[list[Segment], str | None]
# How a batch's jobs are run: ``[fn(job) for job in jobs]``, in order (``workers.shared_map``
# with the document workers' pool, say).
LabelMap = Callable[[Callable[[LabelJob], Labels], list[LabelJob]], list[Labels]]


def label_draft(job: LabelJob) -> Labels:
    """A draft's segments (its own, or its lines labelled) and, when asked, the language of
    its content (None when there is too little to tell, or no content at all)."""
    text, segments, repeated, want_language = job
    if segments is None:
        segments = _label(text, repeated)
    language = None
    if want_language:
        prose = " ".join(text[s.start : s.end] for s in segments if s.kind in CONTENT_KINDS)
        if prose:
            language, _p = identify(prose)
    return segments, language


def _one_by_one(fn: Callable[[LabelJob], Labels], jobs: list[LabelJob]) -> list[Labels]:
    return [fn(job) for job in jobs]


def finalize(drafts: list[Draft], held: Held | None = None, label_map: LabelMap | None = None,
             ) -> list[Article | Rejected]:  # fmt: skip
    """Articles (or ``no_content`` rejections) for a batch of drafts, in the same order.

    ``held``: a draft whose article id it answers for is not labelled again; the held
    article stands in its place (the same text and source, so the same id: re-reading a
    stored pile costs the reading only).  The batch's other drafts are labelled exactly as
    without it: the repetition signal still counts every draft's lines.  ``label_map``: how
    the drafts' labelling jobs are run (default: here, one after another); the articles are
    the same either way."""
    # Outlet first: the labeller's repetition signal is per outlet.
    for d in drafts:
        if not d.meta.get("outlet"):
            name, how = _infer_outlet(d)
            if name and how:
                d.meta["outlet"] = name
                d.inferred["outlet"] = how
        if not d.meta.get("published"):
            day, how = date_from_url(d.meta.get("url"))
            if day and how:
                d.meta["published"] = day
                d.inferred["published"] = how

    ids = [_id(d) for d in drafts]
    have = held(ids) if held is not None else {}
    by_outlet: dict[str, list[str]] = defaultdict(list)
    for d in drafts if len(have) < len(ids) else []:
        if d.segments is None and d.meta.get("outlet"):
            by_outlet[d.meta["outlet"]].append(d.text)
    from newsprism.clean.boilerplate import repeated_lines_by_outlet

    repeated = repeated_lines_by_outlet(by_outlet) if by_outlet else {}

    todo = [k for k, i in enumerate(ids) if i not in have]
    jobs = [(d.text, d.segments, repeated.get(d.meta.get("outlet", ""), frozenset()), not d.meta.get("language"))
            for d in (drafts[k] for k in todo)]  # fmt: skip
    labels = dict(zip(todo, (label_map or _one_by_one)(label_draft, jobs), strict=True))

    out: list[Article | Rejected] = []
    for k, (d, i) in enumerate(zip(drafts, ids, strict=True)):
        if i in have:
            out.append(have[i])
            continue
        segments, found_language = labels[k]
        content = [s for s in segments if s.kind in CONTENT_KINDS]
        if not content:
            out.append(Rejected(d.source_path, "no_content", "every line is boilerplate; no article text remains"))
            continue
        title = d.meta.get("title")
        inferred = dict(d.inferred)
        if not title:
            head = next((s for s in segments if s.kind == "headline"), None)
            if head is not None:
                title = d.text[head.start : head.end]
                inferred["title"] = "headline-line"
        language = d.meta.get("language")
        if not language:
            language = found_language
            if language:
                inferred["language"] = "langid"
        outlet = d.meta.get("outlet")
        out.append(
            Article(
                id=i,
                source_path=d.source_path,
                text=d.text,
                outlet=outlet,
                url=d.meta.get("url"),
                title=title,
                published=d.meta.get("published"),
                language=language,
                author=d.meta.get("author"),
                segments=list(segments),
                inferred=inferred,
                input_format=d.input_format,
            )
        )
    return out
