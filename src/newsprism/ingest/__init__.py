"""Ingest: any pile of news → articles and rejections (see ``ingest_all``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from newsprism.config import Config
from newsprism.ingest.finalize import Held, LabelMap, expected_id, finalize
from newsprism.ingest.reader import Draft, read_source
from newsprism.ingest.sidecar import Sidecar
from newsprism.ingest.sources import SIDECAR_NAMES, Source, discover
from newsprism.model import Article, Rejected

__all__ = ["ingest_all", "ingest_iter"]


def _sidecars_for(names: list[str], config: Config) -> dict[Path, Sidecar]:
    """The explicit --sidecar plus any metadata.csv/json found in a named folder."""
    found: dict[Path, Sidecar] = {}
    for name in names:
        p = Path(name)
        if p.is_dir():
            for sc in sorted(SIDECAR_NAMES):
                if (p / sc).is_file():
                    found[p.resolve()] = Sidecar.load(p / sc)
                    break
    if config.sidecar is not None:
        found[Path("/")] = Sidecar.load(config.sidecar)
    return found


def _sidecar_for(src: Source, sidecars: dict[Path, Sidecar]) -> Sidecar | None:
    if src.path is None or not sidecars:
        return None
    resolved = src.path.resolve()
    explicit = sidecars.get(Path("/"))
    if explicit is not None and explicit.lookup(src.path):
        return explicit
    for folder, sc in sidecars.items():
        if folder != Path("/") and folder in resolved.parents:
            return sc
    return explicit


def store_files(config: Config) -> frozenset[Path]:
    """The database file and its journals: never articles, even inside an input folder."""
    db = config.db_path.resolve() if config.db_path else None
    if db is None:
        return frozenset()
    return frozenset(db.with_name(db.name + suffix) for suffix in ("", "-wal", "-shm", "-journal"))


def ingest_iter(names: list[str], config: Config, batch_size: int = 500,
                on_read: Callable[[str], None] | None = None, held: Held | None = None,
                label_map: LabelMap | None = None) -> Iterator[Article | Rejected]:  # fmt: skip
    """Stream articles and rejections from ``names``.  Every input ends as exactly one of them
    per article it holds (a feed or JSONL file holds many).  Raises only for misuse (a bad
    sidecar file), never for bad input.

    Articles are finalized (labelled) in batches of ``batch_size``; ``on_read`` is told the
    id each one will have as soon as it is read, before its batch is finalized.  ``held``:
    articles already stored, by id, which stand in for their drafts; ``label_map``: how the
    labelling runs (see ``finalize`` for both)."""
    sidecars = _sidecars_for(names, config)
    batch: list[Draft] = []
    for item in discover(names, skip=store_files(config)):
        if isinstance(item, Rejected):
            yield item
            continue
        for res in read_source(item, config, _sidecar_for(item, sidecars)):
            if isinstance(res, Rejected):
                yield res
            else:
                batch.append(res)
                if on_read is not None:
                    on_read(expected_id(res))
                if len(batch) >= batch_size:
                    yield from finalize(batch, held, label_map)
                    batch = []
    if batch:
        yield from finalize(batch, held, label_map)


def ingest_all(names: list[str], config: Config | None = None) -> tuple[list[Article], list[Rejected]]:
    """Everything at once: (articles, rejected)."""
    articles: list[Article] = []
    rejected: list[Rejected] = []
    for res in ingest_iter(names, config or Config()):
        (rejected if isinstance(res, Rejected) else articles).append(res)  # type: ignore[arg-type]
    return articles, rejected
