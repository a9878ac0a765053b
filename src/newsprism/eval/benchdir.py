"""Where the external benchmark data is: ``../shared/bench`` beside the checkout, by default.

The data is never copied into the project; a user's clone usually has none, and every
scorer then says so plainly instead of failing deep inside.
"""

from __future__ import annotations

import os
from pathlib import Path


def locate(explicit: str | os.PathLike[str] | None, rel: str, require: tuple[str, ...] = ()) -> Path | None:
    """The dataset at ``BENCH/rel``, or ``None`` when it cannot be found (or lacks one of the
    ``require`` entries, so a half-copied folder is not scored).

    ``explicit`` (else ``$NEWSPRISM_BENCH``) may name the bench root or the dataset folder
    itself, and is then the only place looked at: a typo must not silently score other
    data.  Otherwise a ``shared/bench`` beside any parent of the working directory or of
    this file is used.
    """
    found = _find(explicit, rel)
    if found is None or not all((found / r).exists() for r in require):
        return None
    return found


def _find(explicit: str | os.PathLike[str] | None, rel: str) -> Path | None:
    given = explicit or os.environ.get("NEWSPRISM_BENCH")
    if given:
        base = Path(given)
        if (base / rel).exists():
            return base / rel
        # The dataset folder itself (``--bench ../shared/bench/clustering``).
        return base if base.is_dir() and base.name == Path(rel).name else None
    here = Path(__file__).resolve()
    for parent in (Path.cwd(), *Path.cwd().parents, *here.parents):
        found = parent / "shared" / "bench" / rel
        if found.exists():
            return found
    return None


def root(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The bench folder itself: ``explicit`` (only it, when given), else ``$NEWSPRISM_BENCH``,
    else a ``shared/bench`` beside any parent of the working directory or of this file."""
    given = explicit or os.environ.get("NEWSPRISM_BENCH")
    if given:
        return Path(given) if Path(given).is_dir() else None
    here = Path(__file__).resolve()
    for parent in (Path.cwd(), *Path.cwd().parents, *here.parents):
        found = parent / "shared" / "bench"
        if found.is_dir():
            return found
    return None
