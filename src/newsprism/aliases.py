"""The user's alias file: force or forbid entity merges (TOML, see docs/aliases.md).

```toml
[[entity]]                 # these names are one entity, called `name`
name = "Oleksandr Syrskyi"
type = "PERSON"            # optional: PERSON, ORG, GPE, LOC, NORP, ...
aliases = ["Syrsky", "Chirsky", "Oleksandr Chirsky"]

[[forbid]]                 # never merge these into one entity
names = ["Jens Stoltenberg", "Jens Stoltenberg Jr."]
```

Names are compared case- and accent-insensitively.  ``AliasFile.load(path)`` raises
``NewsprismError`` naming the file, the line and the problem.  ``AliasFile.default()`` is
the file shipped in the package (well-known transliterations); ``merge_entities`` always
applies it, with the user's file on top (``combine``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from newsprism.errors import NewsprismError

DEFAULT_FILE = "aliases.toml"
_KNOWN_TYPES = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)


def alias_key(name: str) -> str:
    """How names are compared: casefolded, accents removed, whitespace collapsed."""
    from newsprism.stages.entities import fold

    return fold(name)


@dataclass(frozen=True, slots=True)
class AliasEntity:
    """A forced merge: every name in ``aliases`` is the entity called ``name``."""

    name: str
    type: str | None
    aliases: tuple[str, ...]
    line: int = 0


@dataclass
class AliasFile:
    """Forced merges (``entities``) and forbidden merges (``forbids``) from one or more files."""

    entities: list[AliasEntity] = field(default_factory=list)
    forbids: list[tuple[str, ...]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path) -> AliasFile:
        """Read and validate an alias file; any problem raises ``NewsprismError`` with file and line."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise NewsprismError(f"{p}: cannot read the alias file ({exc.strerror or exc})") from exc
        except UnicodeDecodeError as exc:
            raise NewsprismError(f"{p}: the alias file is not UTF-8 text ({exc.reason})") from exc
        return cls.loads(text, str(p))

    @classmethod
    def loads(cls, text: str, source: str = "<aliases>") -> AliasFile:
        """Parse alias-file text; ``source`` names it in error messages."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise NewsprismError(f"{source}: not valid TOML: {exc}") from exc
        unknown = sorted(set(data) - {"entity", "forbid"})
        if unknown:
            line = _line_of(text, rf"^\s*\[*\s*{re.escape(unknown[0])}\b")
            raise NewsprismError(f"{source}:{line}: unknown table {unknown[0]!r}; expected [[entity]] or [[forbid]]")
        entity_lines = _header_lines(text, "entity")
        forbid_lines = _header_lines(text, "forbid")
        out = cls(sources=[source])
        for i, item in enumerate(_as_tables(data.get("entity", []), "entity", source, text)):
            line = entity_lines[i] if i < len(entity_lines) else 0
            out.entities.append(_parse_entity(item, source, line))
        for i, item in enumerate(_as_tables(data.get("forbid", []), "forbid", source, text)):
            line = forbid_lines[i] if i < len(forbid_lines) else 0
            names = item.get("names")
            extra = sorted(set(item) - {"names"})
            if extra:
                raise NewsprismError(f"{source}:{line}: [[forbid]] has unknown key {extra[0]!r}; "
                                     "only 'names' is allowed")
            ok = isinstance(names, list) and len(names) >= 2 and all(isinstance(n, str) and n.strip() for n in names)
            if not ok or not isinstance(names, list):
                raise NewsprismError(f'{source}:{line}: [[forbid]] needs names = ["A", "B", ...] (two or more names)')
            out.forbids.append(tuple(n.strip() for n in names))
        return out

    @classmethod
    def default(cls) -> AliasFile:
        """The alias file shipped with newsprism (``newsprism/data/aliases.toml``)."""
        try:
            text = resources.files("newsprism.data").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
        except (ModuleNotFoundError, FileNotFoundError, TypeError):
            text = (Path(__file__).resolve().parent / "data" / DEFAULT_FILE).read_text(encoding="utf-8")
        return cls.loads(text, f"newsprism/data/{DEFAULT_FILE}")

    def combine(self, other: AliasFile | None) -> AliasFile:
        """This file with ``other`` on top: ``other``'s entries win where they name the same alias."""
        if other is None:
            return AliasFile(list(self.entities), list(self.forbids), list(self.sources))
        taken = {alias_key(n) for e in other.entities for n in (e.name, *e.aliases)}
        mine = [e for e in self.entities if not ({alias_key(n) for n in (e.name, *e.aliases)} & taken)]
        return AliasFile(mine + list(other.entities), self.forbids + other.forbids, self.sources + other.sources)

    # ------------------------------------------------------------------ queries
    def forced(self) -> dict[str, AliasEntity]:
        """alias_key(name or alias) → the forced entity."""
        out: dict[str, AliasEntity] = {}
        for e in self.entities:
            for n in (e.name, *e.aliases):
                out[alias_key(n)] = e
        return out

    def forbidden_pairs(self) -> set[frozenset[str]]:
        """Every pair of alias keys that must never end up in one entity."""
        pairs: set[frozenset[str]] = set()
        for names in self.forbids:
            keys = [alias_key(n) for n in names]
            for i, a in enumerate(keys):
                for b in keys[i + 1 :]:
                    if a != b:
                        pairs.add(frozenset((a, b)))
        return pairs


def _parse_entity(item: dict[str, Any], source: str, line: int) -> AliasEntity:
    extra = sorted(set(item) - {"name", "type", "aliases"})
    if extra:
        raise NewsprismError(f"{source}:{line}: [[entity]] has unknown key {extra[0]!r}; allowed: name, type, aliases")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise NewsprismError(f'{source}:{line}: [[entity]] needs name = "Canonical Name"')
    typ = item.get("type")
    if typ is not None and (not isinstance(typ, str) or typ.upper() not in _KNOWN_TYPES):
        raise NewsprismError(f"{source}:{line}: [[entity]] {name!r}: type {typ!r} is not one of "
                             f"{', '.join(sorted(_KNOWN_TYPES))}")  # fmt: skip
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise NewsprismError(f'{source}:{line}: [[entity]] {name!r}: aliases must be a list of names, e.g. ["A", "B"]')
    return AliasEntity(name.strip(), typ.upper() if isinstance(typ, str) else None,
                       tuple(a.strip() for a in aliases), line)  # fmt: skip


def _as_tables(value: Any, kind: str, source: str, text: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        line = _line_of(text, rf"^\s*\[*\s*{kind}\b")
        raise NewsprismError(f"{source}:{line}: {kind!r} must be written as [[{kind}]] tables")
    return value


def _header_lines(text: str, kind: str) -> list[int]:
    """1-based line numbers of each ``[[kind]]`` header, in order."""
    pat = re.compile(rf"^\s*\[\[\s*{kind}\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), start=1) if pat.match(line)]


def _line_of(text: str, pattern: str) -> int:
    rx = re.compile(pattern)
    for n, line in enumerate(text.splitlines(), start=1):
        if rx.search(line):
            return n
    return 0
