"""Faster drop-in replacements for the model's ``attribute_ruler`` and ``lemmatizer``.

Contract: ``install(nlp)`` swaps spaCy's ``AttributeRuler`` (pipe ``attribute_ruler``) and
rule-mode ``Lemmatizer`` (pipe ``lemmatizer``) for ``FastAttributeRuler`` and
``FastLemmatizer``, under the same pipe names and at the same places in the pipeline.  Both
are built from the original components' own patterns and tables (loaded from the model), and
set exactly the same token attributes to exactly the same values as the originals would,
for every token: the ruler's POS, MORPH, LEMMA, TAG and DEP, then the lemmatizer's LEMMA.
A component whose configuration falls outside what is reproduced here (pattern operators,
other attributes, extension attributes, another lemmatizer mode or class) is left as it is.

Why they are faster, with the same semantics:

- ``AttributeRuler`` runs one ``Matcher`` over the Doc, sorts the matches by pattern number
  and sets each match's attributes in turn, so for every token and attribute the value of the
  highest-numbered matching pattern that sets it wins; all patterns see the Doc as it was
  before the ruler ran.  Nearly every pattern matches one token by the attributes it tests
  (for this model TAG, LOWER, DEP and IS_SPACE), so a token's winning values depend only on
  its values of those: they are worked out once per distinct combination (cached across
  Docs, trying only the patterns that combination can match) and written back in one
  ``Doc.from_array``.
  The few multi-token patterns are matched over the same per-token tests, vectorised, and
  merged by the same highest-pattern-number rule.
- The rule lemmatizer's lemma is a function of the token's text, POS and morphology only
  (its own cache is keyed on the same three), and it only fills tokens without a lemma;
  ``FastLemmatizer`` caches the lemma's hash per ``(ORTH, POS, MORPH)`` and writes all
  lemmas back in one ``Doc.from_array``.  On a miss it runs spaCy's own ``rule_lemmatize``
  on a twin of the original (same class and tables) whose ``lemma_index`` word lists are
  frozensets: the rules only ask whether a form is in the index, which the original answers
  by scanning a list of up to 57,000 words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

ATTRIBUTE_RULER = "attribute_ruler"
LEMMATIZER = "lemmatizer"
_FAST_RULER_FACTORY = "newsprism_fast_attribute_ruler"
_FAST_LEMMATIZER_FACTORY = "newsprism_fast_lemmatizer"
_STOCK_SUFFIX = "__stock"

# Token attributes a pattern may test here: read with Doc.to_array exactly as the Matcher
# reads them (token fields, or the lexeme's for LOWER/ORTH/NORM and the IS_* flags).
_TESTABLE = ("ORTH", "LOWER", "NORM", "TAG", "DEP", "POS", "LEMMA", "IS_SPACE", "IS_PUNCT", "IS_ALPHA",
             "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_STOP", "LIKE_NUM")  # fmt: skip
# The attributes that best narrow down which patterns a token may match, best first.
_ANCHOR_ORDER = ("ORTH", "LOWER", "NORM", "LEMMA", "TAG", "DEP", "POS")
# Those whose value is a string's hash (a REGEX tests the string).
_STRING_ATTRS = ("ORTH", "LOWER", "NORM", "TAG", "DEP", "LEMMA")
# Attributes a pattern may set: those AttributeRuler writes to the token alone (its write to
# the lexeme is a no-op for all five), which Doc.from_array writes the same way.
_SETTABLE = ("POS", "MORPH", "LEMMA", "TAG", "DEP")
# Lemmatizer classes whose rule lemma depends on (ORTH, POS, MORPH) alone.
_PURE_LEMMATIZERS = ("spacy.pipeline.lemmatizer.Lemmatizer", "spacy.lang.en.lemmatizer.EnglishLemmatizer")
_LEMMA_CACHE_MAX = 1_000_000
_RULER_CACHE_MAX = 1 << 20


class Unsupported(ValueError):
    """The original component uses something this module does not reproduce exactly."""


Key = tuple[int, ...]


class _TokenTest:
    """One Matcher token spec as a test on a token's key (its values of the tested
    attributes), with the Matcher's own value handling: a string is ``strings.add``-ed, a
    bool becomes an int, ``IN``/``NOT_IN`` compare ``get_string_id`` of each listed string,
    ``REGEX`` searches the attribute's string."""

    def __init__(self, spec: dict[Any, Any], vocab: Any, cols: dict[int, int]) -> None:
        from spacy.attrs import IDS
        from spacy.strings import get_string_id

        self.strings = vocab.strings
        self.equal: list[tuple[int, int]] = []
        self.member: list[tuple[int, frozenset[int], bool]] = []
        self.regex: list[tuple[int, re.Pattern[str]]] = []
        for raw_attr, value in spec.items():
            if not isinstance(raw_attr, str):
                raise Unsupported(f"attribute key {raw_attr!r}")
            name = raw_attr.upper()
            name = "ORTH" if name == "TEXT" else name
            if name not in _TESTABLE:
                raise Unsupported(f"pattern attribute {raw_attr!r}")
            col = cols.setdefault(IDS[name], len(cols))
            if isinstance(value, bool):
                self.equal.append((col, int(value)))
            elif isinstance(value, str):
                self.equal.append((col, vocab.strings.add(value)))
            elif isinstance(value, int):
                self.equal.append((col, value))
            elif isinstance(value, dict):
                for op, arg in value.items():
                    if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
                        self.member.append((col, frozenset(get_string_id(a) for a in arg), op == "IN"))
                    elif op == "REGEX" and isinstance(arg, str) and name in _STRING_ATTRS:
                        self.regex.append((col, re.compile(arg)))
                    else:
                        raise Unsupported(f"predicate {op!r} on {raw_attr!r}")
            else:
                raise Unsupported(f"value {value!r} for {raw_attr!r}")

    def __call__(self, key: Key) -> bool:
        for c, v in self.equal:
            if key[c] != v:
                return False
        for c, s, inside in self.member:
            if (key[c] in s) != inside:
                return False
        return all(r.search(self.strings[key[c]]) for c, r in self.regex)

    def anchor(self, names: list[str]) -> tuple[int, frozenset[int]] | None:
        """An attribute and the values it must have for the test to pass (None: no such
        constraint), preferring the most selective attribute: ``names`` gives each key
        position's attribute name."""
        choices = [(c, frozenset((v,))) for c, v in self.equal]
        choices += [(c, s) for c, s, inside in self.member if inside]
        if not choices:
            return None

        def rank(choice: tuple[int, frozenset[int]]) -> tuple[int, int]:
            name = names[choice[0]]
            return (_ANCHOR_ORDER.index(name) if name in _ANCHOR_ORDER else len(_ANCHOR_ORDER), len(choice[1]))

        return min(choices, key=rank)


class FastAttributeRuler:
    """``AttributeRuler`` with identical output (see the module docstring)."""

    def __init__(self, original: Any) -> None:
        from spacy.attrs import IDS, NAMES

        self.name = ATTRIBUTE_RULER
        self.vocab = original.vocab
        self.original = original
        settable = {IDS[a] for a in _SETTABLE}
        cols: dict[int, int] = {}  # attribute id -> position in the key tuple
        specs: list[_TokenTest] = []  # one test per token spec, numbered in pattern order
        # Single-token patterns: (pattern number, test number); multi-token alternatives:
        # (pattern number, test numbers, target offset).
        self._single: list[tuple[int, int]] = []
        self._multi: list[tuple[int, tuple[int, ...], int]] = []
        self._rule_attrs: list[dict[int, int]] = []
        for n, entry in enumerate(original.patterns):
            attrs = original.attrs[n]
            if not all(isinstance(a, int) and a in settable for a in attrs):
                raise Unsupported(f"pattern {n} sets {original._attrs_unnormed[n]!r}")
            self._rule_attrs.append(dict(attrs))
            index = original.indices[n]
            for alt in entry["patterns"]:
                if not alt or any(not isinstance(s, dict) or "OP" in s or "op" in s for s in alt):
                    raise Unsupported(f"pattern {n}: {alt!r}")
                target = index + len(alt) if index < 0 else index
                if not 0 <= target < len(alt):
                    raise Unsupported(f"pattern {n}: index {index} outside {alt!r}")
                ids = []
                for spec in alt:
                    specs.append(_TokenTest(spec, self.vocab, cols))
                    ids.append(len(specs) - 1)
                if len(alt) == 1:
                    self._single.append((n, ids[0]))
                else:
                    self._multi.append((n, tuple(ids), target))
        self._specs = specs
        key_order = sorted(cols, key=cols.__getitem__)
        self._key_attrs: list[int | str] = list(key_order)
        self._multi_specs = sorted({i for _, ids, _ in self._multi for i in ids})
        self._multi_pos = {t: j for j, t in enumerate(self._multi_specs)}
        self._single_rule = {t: n for n, t in self._single}
        # Which tests a key can pass: each test is filed under one value it requires
        # (equality, or every value of an IN list) of one attribute; tests that require
        # none are tried on every key.
        self._buckets: dict[tuple[int, int], list[int]] = {}
        self._always: list[int] = []
        names = [NAMES[a] for a in key_order]
        for t, test in enumerate(specs):
            anchor = test.anchor(names)
            if anchor is None:
                self._always.append(t)
            else:
                for v in anchor[1]:
                    self._buckets.setdefault((anchor[0], v), []).append(t)
        self._out_attrs: list[int | str] = sorted({a for attrs in self._rule_attrs for a in attrs})
        self._out_col: dict[int | str, int] = {a: j for j, a in enumerate(self._out_attrs)}
        self._reset()

    def _reset(self) -> None:
        """Empty the per-key tables: row ``r`` of each describes the key ``self._row`` maps
        to ``r``: per output column the winning value (``_vals``), whether there is one
        (``_has``) and the number of the pattern that set it (``_src``, -1: none); and which
        multi-token tests the key passes (``_passes``)."""
        import numpy as np

        n_out, n_multi = len(self._out_attrs), len(self._multi_specs)
        self._row: dict[Key, int] = {}
        self._vals: Any = np.zeros((1024, n_out), dtype=np.uint64)
        self._has: Any = np.zeros((1024, n_out), dtype=bool)
        self._src: Any = np.full((1024, n_out), -1, dtype=np.int64)
        self._passes: Any = np.zeros((1024, n_multi), dtype=bool)

    def _add(self, key: Key) -> int:
        """Work out ``key``'s row: every single-token pattern it matches, in pattern order,
        each overwriting the attributes it sets; and the multi-token tests it passes."""
        import numpy as np

        # A test is filed under one attribute, and a key has one value per attribute, so
        # no test is listed twice.
        candidates = list(self._always)
        for bucket in map(self._buckets.get, enumerate(key)):
            if bucket:
                candidates += bucket
        vals = [0] * len(self._out_attrs)
        src = [-1] * len(self._out_attrs)
        passes = [False] * len(self._multi_specs)
        # Tests are numbered in pattern order, so a later pattern overwrites an earlier one.
        candidates.sort()
        for t in candidates:
            if not self._specs[t](key):
                continue
            if t in self._multi_pos:
                passes[self._multi_pos[t]] = True
            if t in self._single_rule:
                n = self._single_rule[t]
                for attr, value in self._rule_attrs[n].items():
                    j = self._out_col[attr]
                    vals[j], src[j] = value, n
        row = len(self._row)
        if row == len(self._vals):
            grow = [(0, row), (0, 0)]
            self._vals = np.pad(self._vals, grow)
            self._has = np.pad(self._has, grow)
            self._src = np.pad(self._src, grow, constant_values=-1)
            self._passes = np.pad(self._passes, grow)
        self._vals[row] = vals
        self._has[row] = [n >= 0 for n in src]
        self._src[row] = src
        self._passes[row] = passes
        self._row[key] = row
        return row

    def __call__(self, doc: Doc) -> Doc:
        import numpy as np

        n_tok = len(doc)
        if n_tok == 0:
            return doc
        if len(self._row) + n_tok > _RULER_CACHE_MAX:  # bound the memory; never mid-Doc
            self._reset()
        arr = doc.to_array(self._key_attrs)
        keys = list(zip(*([arr.tolist()] if arr.ndim == 1 else arr.T.tolist()), strict=True))
        get = self._row.get
        rows = [get(k, -1) for k in keys]
        if -1 in rows:
            for i, r in enumerate(rows):
                if r < 0:
                    r = get(keys[i], -1)  # the same new key may come twice
                    rows[i] = r if r >= 0 else self._add(keys[i])
        ix = np.asarray(rows, dtype=np.intp)
        out_attrs = self._out_attrs
        current = doc.to_array(out_attrs).reshape(n_tok, len(out_attrs))
        out: Any = np.where(self._has[ix], self._vals[ix], current)
        if self._multi:
            self._apply_multi(out, ix)
        doc.from_array(out_attrs, out)
        return doc

    def _apply_multi(self, out: Any, ix: Any) -> None:
        """Merge the multi-token patterns' matches: per token and attribute, the highest
        pattern number among all its matches (single- and multi-token) wins."""
        import numpy as np

        n_tok = len(ix)
        passed = self._passes[ix]  # token x multi-token test
        hits: list[tuple[int, int]] = []
        for n, ids, target in self._multi:
            length = len(ids)
            if length > n_tok:
                continue
            ok = np.ones(n_tok - length + 1, dtype=bool)
            for k, spec in enumerate(ids):
                ok &= passed[k : n_tok - length + 1 + k, self._multi_pos[spec]]
            hits.extend((n, int(s) + target) for s in np.flatnonzero(ok))
        if not hits:
            return
        won: dict[int, list[int]] = {}
        for n, tok in sorted(hits):
            src = won.get(tok)
            if src is None:
                src = won[tok] = self._src[ix[tok]].tolist()
            for attr, value in self._rule_attrs[n].items():
                j = self._out_col[attr]
                if n >= src[j]:
                    out[tok, j], src[j] = value, n


class FastLemmatizer:
    """Rule-mode ``Lemmatizer`` with identical output (see the module docstring)."""

    def __init__(self, original: Any) -> None:
        cls = type(original)
        if f"{cls.__module__}.{cls.__qualname__}" not in _PURE_LEMMATIZERS or original.mode != "rule":
            raise Unsupported(f"{cls.__qualname__} in mode {original.mode!r}")
        self.name = LEMMATIZER
        self.vocab = original.vocab
        self.original = original
        self.overwrite = bool(original.overwrite)
        self._cache: dict[tuple[int, int, int], int] = {}
        self._lemmatizer = _with_set_index(original)

    def __call__(self, doc: Doc) -> Doc:
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        if len(doc) == 0:
            return doc
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()
        cache = self._cache
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma == 0 or self.overwrite:
                key = (orth, pos, morph)
                lemma = cache.get(key)
                if lemma is None:
                    lemma = self._miss(doc, i, key)
            lemmas.append(lemma)
        import numpy as np

        out: Any = np.asarray(lemmas, dtype=np.uint64)
        doc.from_array([LEMMA], out)
        return doc

    def _miss(self, doc: Doc, i: int, key: tuple[int, int, int]) -> int:
        # What Lemmatizer.__call__ does for the token: token.lemma_ = lemmatize(token)[0].
        lemma: int = self.vocab.strings.add(self._lemmatizer.lemmatize(doc[i])[0])
        self._lemmatizer.cache.clear()  # ours has the same keys
        if len(self._cache) >= _LEMMA_CACHE_MAX:
            self._cache.clear()
        self._cache[key] = lemma
        return lemma

    @contextmanager
    def memory_zone(self, mem: Any = None) -> Iterator[None]:
        """Lemma strings added inside ``nlp.memory_zone()`` are dropped at its end, so are
        the cached hashes."""
        try:
            yield
        finally:
            self._cache.clear()


def _with_set_index(original: Any) -> Any:
    """A twin of the rule lemmatizer ``original``: same class, settings and tables, except
    that ``lemma_index``'s word lists (tens of thousands of words per POS) are frozensets.
    ``rule_lemmatize`` only tests ``form in index`` and the index's truth value, which a
    frozenset answers the same as the list, without scanning it (the cold-cache cost)."""
    from spacy.lookups import Lookups, Table

    twin = type(original)(original.vocab, original.model, original.name, mode=original.mode,
                          overwrite=original.overwrite)  # fmt: skip
    lookups = Lookups()
    for name in original.lookups.tables:
        table = original.lookups.get_table(name)
        if name == "lemma_index":
            fast = Table(name=name)
            for key, words in table.items():  # keys are already hashes: stored as they are
                if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                    raise Unsupported(f"lemma_index entry {key}: {type(words).__name__}")
                fast[key] = frozenset(words)
            table = fast
        lookups.set_table(name, table)
    twin.lookups = lookups
    return twin


def _register_factories() -> None:
    from spacy.language import Language

    if not Language.has_factory(_FAST_RULER_FACTORY):
        Language.factory(_FAST_RULER_FACTORY, default_config={"source": ATTRIBUTE_RULER},
                         func=lambda nlp, name, source: FastAttributeRuler(nlp.get_pipe(source)))  # fmt: skip
    if not Language.has_factory(_FAST_LEMMATIZER_FACTORY):
        Language.factory(_FAST_LEMMATIZER_FACTORY, default_config={"source": LEMMATIZER},
                         func=lambda nlp, name, source: FastLemmatizer(nlp.get_pipe(source)))  # fmt: skip


def swap_component(nlp: Language, name: str, factory: str, build: Callable[[Any], Any]) -> bool:
    """Put ``factory``'s component in place of pipe ``name``, keeping the name and position,
    unless ``build(original)`` raises ``Unsupported``; whether it did."""
    if name not in nlp.pipe_names:
        return False
    try:
        build(nlp.get_pipe(name))  # check it is supported before touching the pipeline
    except Unsupported:
        return False
    stock = name + _STOCK_SUFFIX
    nlp.rename_pipe(name, stock)
    nlp.add_pipe(factory, name=name, before=stock, config={"source": stock})
    nlp.remove_pipe(stock)
    return True


def install(nlp: Language) -> list[str]:
    """Swap in the fast components where the originals are supported; the swapped names."""
    from spacy.pipeline import AttributeRuler, Lemmatizer

    _register_factories()
    done = []
    if isinstance(nlp.get_pipe(ATTRIBUTE_RULER) if ATTRIBUTE_RULER in nlp.pipe_names else None, AttributeRuler) \
            and swap_component(nlp, ATTRIBUTE_RULER, _FAST_RULER_FACTORY, FastAttributeRuler):  # fmt: skip
        done.append(ATTRIBUTE_RULER)
    if isinstance(nlp.get_pipe(LEMMATIZER) if LEMMATIZER in nlp.pipe_names else None, Lemmatizer) \
            and swap_component(nlp, LEMMATIZER, _FAST_LEMMATIZER_FACTORY, FastLemmatizer):  # fmt: skip
        done.append(LEMMATIZER)
    return done
