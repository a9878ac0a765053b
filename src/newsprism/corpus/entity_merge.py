"""One entity per real-world thing across all articles.

``merge_entities(per_article, aliases)`` joins the in-article entities of every article
(``stages.entities.ArticleEntity``) into ``model.Entity`` records:

1. **Forced names.**  The shipped alias file (``data/aliases.toml``) and the user's on top
   of it rename an entity whose key or any mention matches an alias ("Chirsky" →
   "Oleksandr Syrskyi"), when the types are compatible.
2. **Exact keys.**  Entities with the same folded key (case, accents) and compatible types
   join: persons only with persons; places, organisations and groups with each other
   (the model calls "Moscow" a GPE here and an ORG there).
3. **Fuzzy, within blocks.**  Candidates are blocked by a transliteration skeleton (the
   surname's for persons, the whole name's otherwise), so comparisons stay near-linear.
   Persons join when their surnames agree (same skeleton and similar, or very similar)
   and their given names agree (similar, or one is an initial); a bare surname joins the
   one full name it fits, never when two different full names share it ("Antony Blinken"
   vs "Tarasil Blinken").  Other types join on a rapidfuzz ratio ≥ 88 of the
   transliterated names, but never two different gazetteer entries.
4. **Forbidden pairs** (alias file ``[[forbid]]``) are never joined, by any route.

The name of a merged entity is chosen by: a forced alias name, then the gazetteer's
name, then (persons) the most complete name, then the most frequent, then the longest.
``aliases`` are every other surface form; ``id`` hashes name and type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz.fuzz import ratio

from newsprism.aliases import AliasEntity, AliasFile, alias_key
from newsprism.ids import content_id
from newsprism.model import Entity, Mention
from newsprism.stages.entities import ROLE_LABEL, ArticleEntity, fold, name_parts, skeleton, translit
from newsprism.stages.entity_ruler import Gazetteer, load_gazetteer

_PLACE = frozenset({"GPE", "LOC", "FAC"})
_GROUPISH = frozenset({"GPE", "LOC", "FAC", "ORG", "NORP"})
_NON_PERSON_MIN_RATIO = 88.0
_SURNAME_MIN_RATIO = 70.0
_GIVEN_MIN_RATIO = 75.0


def _family(label: str) -> str:
    if label == "PERSON":
        return "PERSON"
    if label in _GROUPISH:
        return "GROUP"
    return label


def _types_compatible(a: str, b: str) -> bool:
    return _family(a) == _family(b)


@dataclass
class _Node:
    """A growing cluster of in-article entities."""

    key: str
    type: str
    members: list[ArticleEntity] = field(default_factory=list)
    forced: AliasEntity | None = None
    names: set[str] = field(default_factory=set)  # alias keys of every name and mention (for forbids)

    @property
    def n_mentions(self) -> int:
        return sum(len(m.mentions) for m in self.members)


class _Clusters:
    """Union-find over nodes that refuses unions a ``[[forbid]]`` pair rules out."""

    def __init__(self, nodes: list[_Node], forbidden: set[frozenset[str]]) -> None:
        self.nodes = nodes
        self.parent = list(range(len(nodes)))
        self.names = [set(n.names) for n in nodes]
        self.forbidden = forbidden
        self._forbid_names = {x for pair in forbidden for x in pair}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        a, b = self.find(i), self.find(j)
        if a == b:
            return True
        if self.forbidden:
            na = self.names[a] & self._forbid_names
            nb = self.names[b] & self._forbid_names
            if any(frozenset((x, y)) in self.forbidden for x in na for y in nb):
                return False
        self.parent[b] = a
        self.names[a] |= self.names[b]
        return True

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.nodes)):
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())


def merge_entities(per_article: dict[str, list[ArticleEntity]], aliases: AliasFile | None = None,
                   *, use_defaults: bool = True) -> list[Entity]:  # fmt: skip
    """Merge in-article entities across articles (see the module docstring).

    ``aliases`` is the user's alias file (or ``None``); the shipped defaults apply under it
    unless ``use_defaults`` is false.  Returns entities ordered by mention count (most
    first), each with its mentions in (article, offset) order.
    """
    alias_file = (AliasFile.default() if use_defaults else AliasFile()).combine(aliases)
    forced = alias_file.forced()
    forbidden = alias_file.forbidden_pairs()

    nodes = _initial_nodes((e for ents in per_article.values() for e in ents), forced)
    cl = _Clusters(nodes, forbidden)
    _merge_people(cl)
    _merge_others(cl)
    out = [_build(cl, [nodes[i] for i in group]) for group in cl.groups()]
    out.sort(key=lambda e: (-len(e.mentions), e.name))
    return out


def _initial_nodes(entities: Iterable[ArticleEntity], forced: dict[str, AliasEntity]) -> list[_Node]:
    """Steps 1 and 2: forced renames, then one node per (folded key, type family)."""
    nodes: dict[tuple[str, str], _Node] = {}
    for ae in entities:
        surfaces = [ae.key, *(m.text for m in ae.mentions if m.label != ROLE_LABEL)]
        hit = None
        for s in surfaces:
            cand = forced.get(alias_key(s))
            if cand is not None and _forced_fits(cand, ae.type):
                hit = cand
                break
        key = hit.name if hit else ae.key
        typ = (hit.type or ae.type) if hit else ae.type
        slot = (fold(key), _family(typ))
        node = nodes.get(slot)
        if node is None:
            node = nodes[slot] = _Node(key=key, type=typ, forced=hit)
        node.members.append(ae)
        node.names.update(alias_key(s) for s in surfaces)
        node.names.add(alias_key(key))
    return list(nodes.values())


def _forced_fits(entry: AliasEntity, typ: str) -> bool:
    """An alias entry without a type fits any entity; with one, entities of a compatible type."""
    return entry.type is None or entry.type == typ or _types_compatible(entry.type, typ)


def _merge_people(cl: _Clusters) -> None:
    """Step 3 for persons: block on the surname skeleton, join full names, then attach surnames."""
    blocks: dict[str, list[int]] = {}
    for i, n in enumerate(cl.nodes):
        if n.type == "PERSON":
            blocks.setdefault(skeleton(name_parts(n.key)[1]), []).append(i)
    gaz = load_gazetteer()
    for members in blocks.values():
        full = [i for i in members if len(name_parts(cl.nodes[i].key)[0]) > 0]
        bare = [i for i in members if i not in full]
        for x, i in enumerate(full):
            for j in full[x + 1 :]:
                if _same_person(cl.nodes[i].key, cl.nodes[j].key):
                    cl.union(i, j)
        for x, i in enumerate(bare):
            for j in bare[x + 1 :]:
                if _surnames_agree(cl.nodes[i].key, cl.nodes[j].key):
                    cl.union(i, j)
        for i in bare:
            cands = {cl.find(j) for j in full if _surnames_agree(cl.nodes[i].key, name_parts(cl.nodes[j].key)[1])}
            if not cands:
                continue
            target = _pick_owner(cl, sorted(cands), gaz)
            if target is not None:
                cl.union(target, i)


def _pick_owner(cl: _Clusters, roots: list[int], gaz: Gazetteer) -> int | None:
    """The full-name cluster a bare surname belongs to: the only one, the known one, or a dominant one."""
    if len(roots) == 1:
        return roots[0]
    members = {r: _members_of(cl, r) for r in roots}
    known = [r for r in roots if any(gaz.canonical(cl.nodes[k].key) == cl.nodes[k].key for k in members[r])]
    if len(known) == 1:
        return known[0]
    weight = sorted(((sum(cl.nodes[k].n_mentions for k in members[r]), r) for r in roots), reverse=True)
    if weight[0][0] >= 2 * weight[1][0]:
        return weight[0][1]
    return None


def _members_of(cl: _Clusters, root: int) -> list[int]:
    return [k for k in range(len(cl.nodes)) if cl.find(k) == root]


def _surnames_agree(a: str, b: str) -> bool:
    sa, sb = name_parts(a)[1], name_parts(b)[1]
    ta, tb = translit(sa), translit(sb)
    if ta == tb:
        return True
    r = ratio(ta, tb)
    return (skeleton(sa) == skeleton(sb) and r >= _SURNAME_MIN_RATIO) or r >= 88.0


def _same_person(a: str, b: str) -> bool:
    """Two full names of one person: surnames agree and given names agree (or one is an initial)."""
    if not _surnames_agree(a, b):
        return False
    ga, gb = translit(name_parts(a)[0]).split(), translit(name_parts(b)[0]).split()
    if not ga or not gb:
        return True
    fa, fb = ga[0], gb[0]
    if fa == fb:
        return True
    if len(fa) == 1 or len(fb) == 1:
        return fa[0] == fb[0]
    return ratio(fa, fb) >= _GIVEN_MIN_RATIO


def _merge_others(cl: _Clusters) -> None:
    """Step 3 for everything but persons: exact folded keys across compatible types, then fuzzy within blocks."""
    gaz = load_gazetteer()
    blocks: dict[tuple[str, str], list[int]] = {}
    for i, n in enumerate(cl.nodes):
        if n.type != "PERSON":
            blocks.setdefault((_family(n.type), skeleton(n.key)), []).append(i)
    for members in blocks.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                a, b = cl.nodes[i].key, cl.nodes[j].key
                ea, eb = gaz.lookup(a), gaz.lookup(b)
                if ea is not None and eb is not None and ea.name != eb.name:
                    continue  # two different known things ("Niger" / "Nigeria")
                if translit(a) == translit(b) or ratio(translit(a), translit(b)) >= _NON_PERSON_MIN_RATIO:
                    cl.union(i, j)


def _build(cl: _Clusters, group: list[_Node]) -> Entity:
    """One ``Entity`` from a cluster: canonical name, type, aliases, mentions, roles."""
    gaz = load_gazetteer()
    types: Counter[str] = Counter()
    key_mentions: Counter[str] = Counter()
    surfaces: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    role_text: dict[str, str] = {}
    mentions: list[Mention] = []
    forced = next((n.forced for n in group if n.forced is not None), None)
    for n in group:
        for ae in n.members:
            types[ae.type] += len(ae.mentions)
            key_mentions[n.key] += len(ae.mentions)
            surfaces[ae.key] += 0
            for m in ae.mentions:
                mentions.append(m)
                if m.label != ROLE_LABEL:
                    surfaces[" ".join(m.text.split())] += 1
            for r in ae.roles:
                k = fold(r)
                roles[k] += 1
                role_text.setdefault(k, r)
    typ = forced.type if forced and forced.type else types.most_common(1)[0][0]
    if forced is not None:
        name = forced.name
    else:
        person = _family(typ) == "PERSON"

        def rank(key: str) -> tuple[int, int, int, int]:
            entry = gaz.lookup(key)
            is_gaz = int(entry is not None and entry.name == key)
            complete = len(key.split()) if person else 0
            return (is_gaz, min(complete, 2), key_mentions[key], len(key))

        name = max(key_mentions, key=rank)
        entry = gaz.lookup(name)
        if entry is not None and _types_compatible(entry.label, typ):
            typ = entry.label
    aliases = [s for s, _ in sorted(surfaces.items(), key=lambda kv: (-kv[1], kv[0])) if s and s != name]
    mentions.sort(key=lambda m: (m.article, m.start, m.end))
    role_list = [role_text[k] for k, _ in sorted(roles.items(), key=lambda kv: -kv[1])]
    return Entity(id=content_id(name, typ, prefix="e"), name=name, type=typ, aliases=aliases, mentions=mentions,
                  roles=role_list)  # fmt: skip
