"""Configuration: limits and options, with defaults a user rarely needs to change."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newsprism.errors import NewsprismError

MB = 1024 * 1024

# The fields a JSON record may carry, and the article attribute each fills.
JSON_FIELDS = ("text", "html", "title", "url", "outlet", "published", "language", "author")


@dataclass
class Config:
    """Everything a run depends on; stored (as JSON) with each run for provenance."""

    db_path: Path = Path("newsprism.db")
    # One article's text: news articles are kilobytes; 10 MB is generous and bounds NLP work.
    max_text_bytes: int = 10 * MB
    max_html_bytes: int = 20 * MB
    # Feeds and JSONL hold many articles, so their files may be larger.
    max_feed_bytes: int = 50 * MB
    max_jsonl_bytes: int = 2048 * MB
    max_json_bytes: int = 200 * MB
    max_record_bytes: int = 10 * MB
    # What a .gz may expand to, whatever is inside it.
    max_gunzip_bytes: int = 200 * MB
    field_map: dict[str, str] = field(default_factory=dict)  # our field -> the record's field
    sidecar: Path | None = None
    alias_file: Path | None = None
    n_process: int = 1
    # Reuse the corpus-stage results of an earlier run over exactly the same articles.
    reuse_analysis: bool = True

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in d.items()}


def parse_field_map(spec: str | None) -> dict[str, str]:
    """Parse ``--fields text=body,title=headline`` into ``{"text": "body", "title": "headline"}``."""
    if not spec:
        return {}
    out: dict[str, str] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise NewsprismError(f"--fields: {part!r} should look like ours=theirs, e.g. text=body")
        ours, theirs = (p.strip() for p in part.split("=", 1))
        if ours not in JSON_FIELDS:
            raise NewsprismError(f"--fields: {ours!r} is not one of {', '.join(JSON_FIELDS)}")
        if not theirs:
            raise NewsprismError(f"--fields: no record field given for {ours!r}")
        out[ours] = theirs
    return out
