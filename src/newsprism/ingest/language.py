"""Offline language identification (py3langid's bundled model)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True)


def identify(text: str, sample: int = 4000) -> tuple[str | None, float]:
    """(ISO 639-1 code, probability) for ``text``; (None, 0.0) when there is too little to tell."""
    snippet = text[:sample]
    if sum(ch.isalpha() for ch in snippet) < 20:
        return None, 0.0
    lang, prob = _identifier().classify(snippet)
    return str(lang), float(prob)
