"""One article text from labelled blocks: the layout every structured reader produces.

``join_blocks([(kind, block), ...])`` strips each block, skips empty ones, joins the rest
with a blank line between them and returns ``(text, segments)``, one segment per block,
so ``text[s.start:s.end]`` is exactly that block.  HTML pages and feed entries both go
through it, so their offsets follow one convention.
"""

from __future__ import annotations

from collections.abc import Iterable

from newsprism.model import Segment

SEPARATOR = "\n\n"


def join_blocks(items: Iterable[tuple[str, str]]) -> tuple[str, list[Segment]]:
    """(text, segments) for ``(kind, block)`` items (see the module docstring)."""
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    for kind, raw in items:
        block = raw.strip()
        if not block:
            continue
        if parts:
            parts.append(SEPARATOR)
            pos += len(SEPARATOR)
        parts.append(block)
        segments.append(Segment(pos, pos + len(block), kind))
        pos += len(block)
    return "".join(parts), segments
