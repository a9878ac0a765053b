"""A faster drop-in for spaCy's greedy entity recognizer: same model, same entities.

Contract: ``install(nlp)`` puts ``FastEntityRecognizer`` in place of the pipe ``ner`` (same
name, same place), wrapping the model's own ``EntityRecognizer``.  For every Doc it sets
exactly the entity annotation the stock component would (IOB, type and knowledge-base id of
every token): the same network computes the same numbers, and the same transition rules
choose the same actions.  Anything outside what is reproduced here (beam search, another
feature set, classes the model never saw, a preset label the model has no actions for, a
state where no action is valid) goes to the stock component, for that group of Docs, so the
result is the stock one.

Why it is faster.  spaCy's greedy decoder walks every Doc one token at a time; at each step
it scores the state's three feature tokens with the network's last layer and asks every one
of the model's 74 actions, one call each, whether it is valid.  Those validity calls were
about half of the recognizer's time and a fifth of the whole parse (profiled on 100 real
articles).  But the features only depend on where the walk is while no entity is open:
``(B0, none, none)``, so the scores of the closed state at every token are one batch of
array arithmetic, and so is which actions are valid there (the rules read the token, the
next token and the presets).  The walk then only steps token by token inside an entity,
where just the entity's own ``I`` and ``L`` actions can be valid.

Exactness.  Every sum is done in the order spaCy's C code does it, in float32: the three
feature rows added to zero one after the other, then the bias; the max over the maxout
pieces; the last layer's products accumulated over the hidden units in order with one
rounding per product and per sum (as BLIS's reference kernel does: it is what this CPU
gets), then the output bias.  Ties go to the lowest class number, as in spaCy's
``arg_max_if_valid``.  The recognizer's own tok2vec and feature layer run unchanged, on
the same sub-batches as the stock ``pipe`` forms, so their output is the stock one bit for
bit.  A test compares the annotation with the stock component's on real articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from newsprism.stages.fast_rules import Unsupported, swap_component

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

NER = "ner"
_FACTORY = "newsprism_fast_ner"

# spaCy's BILUO move numbers (spacy/pipeline/_parser_internals/ner.pyx)
_BEGIN, _IN, _LAST, _UNIT, _OUT = 1, 2, 3, 4, 5
_MOVE_OF = {"B": _BEGIN, "I": _IN, "L": _LAST, "U": _UNIT}
# Token IOB codes as Doc.to_array gives them
_IOB_MISSING, _IOB_I, _IOB_O, _IOB_B = 0, 1, 2, 3


class _Net(NamedTuple):
    """The recognizer's numbers for one group of Docs."""

    feats: np.ndarray  # (tokens + 1, 3 features, hidden * pieces): each token's feature rows; row 0 pads
    n_pieces: int
    bias: np.ndarray  # (hidden * pieces,)
    weights: np.ndarray  # (classes, hidden): the output layer
    out_bias: np.ndarray  # (classes,)


class _Tokens(NamedTuple):
    """What the validity rules read of each token of a Doc, and of the one after it."""

    iob: np.ndarray
    etype: np.ndarray
    iob1: np.ndarray
    sent1: np.ndarray


class _Fallback(Exception):
    """This group of Docs needs the stock decoder (a rare state; see the module docstring)."""


class FastEntityRecognizer:
    """The pipe ``ner``, decoding with the stock component's model and rules (module docstring)."""

    def __init__(self, stock: Any) -> None:
        from spacy.pipeline import EntityRecognizer

        if not isinstance(stock, EntityRecognizer):
            raise Unsupported(f"not an EntityRecognizer: {type(stock).__name__}")
        if stock.cfg.get("beam_width", 1) != 1:
            raise Unsupported("beam search")
        model = stock.model
        if not model.attrs.get("has_upper") or model.attrs.get("unseen_classes"):
            raise Unsupported("no output layer, or classes the model never saw")
        lower = model.get_ref("lower")
        if lower.get_dim("nF") != 3 or lower.get_dim("nP") < 2:
            raise Unsupported("another feature set")
        if not _rows_independent():
            raise Unsupported("BLIS rounds a row differently among others on this CPU")
        self.stock = stock
        self.name = stock.name
        self.vocab = stock.vocab
        self.model = model
        self.fallbacks = 0  # groups of Docs handed to the stock decoder
        self._moves_for = -1
        self._kind = np.zeros(0, dtype=np.int8)
        self._label = np.zeros(0, dtype=np.uint64)
        self._in_of: dict[int, int] = {}
        self._last_of: dict[int, int] = {}
        self._known: frozenset[int] = frozenset()

    # ----- the pipe protocol, as the stock component has it -----
    def __call__(self, doc: Doc) -> Doc:
        try:
            self._annotate([doc])
        except Exception as e:  # handed to spaCy's error handler, as the stock component does
            self.stock.get_error_handler()(self.name, self, [doc], e)
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        """As ``Parser.pipe``: batches of ``batch_size``, decoded in sub-batches of a quarter
        of that (at least two) after sorting by length; Docs come out in input order."""
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            in_order = list(batch)
            try:
                by_length = sorted(in_order, key=len)
                for sub in minibatch(by_length, size=max(batch_size // 4, 2)):
                    self._annotate(list(sub))
                yield from in_order
            except Exception as e:  # as above
                self.stock.get_error_handler()(self.name, self, in_order, e)

    def __getattr__(self, attr: str) -> Any:
        # labels, cfg, moves, to_disk, ...: the stock component's
        if attr == "stock" or attr.startswith("__"):
            raise AttributeError(attr)  # not set yet (a copy being made): no recursion
        return getattr(self.stock, attr)

    # ----- decoding -----
    def _annotate(self, docs: list[Doc]) -> None:
        stock = self.stock
        self._refresh_moves()
        if not any(len(d) for d in docs):
            return  # the stock decoder changes nothing on Docs without tokens
        if self._new_labels(docs) and stock._ensure_labels_are_added(docs):
            self._stock(docs)  # the model just grew classes for a preset label: its own way
            return
        tokvecs = self.model.get_ref("tok2vec").predict(docs)
        lower, upper = self.model.get_ref("lower"), self.model.get_ref("upper")
        cached = lower.predict(tokvecs)  # (tokens + 1, 3, nO, nP); row 0 is the padding
        n_pieces = lower.get_dim("nP")
        width = lower.get_dim("nO") * n_pieces
        net = _Net(
            feats=cached.reshape(cached.shape[0], 3, width),
            n_pieces=n_pieces,
            bias=np.ascontiguousarray(lower.get_param("b"), dtype=np.float32).reshape(width),
            weights=np.ascontiguousarray(upper.get_param("W"), dtype=np.float32),  # (classes, hidden)
            out_bias=np.ascontiguousarray(upper.get_param("b"), dtype=np.float32),
        )
        try:
            found = []
            offset = 0
            for doc in docs:
                found.append(self._decode(doc, net, offset))
                offset += len(doc)
        except _Fallback:
            self._stock(docs)
            return
        for doc, ents in zip(docs, found, strict=True):
            self._set(doc, ents)

    def _new_labels(self, docs: list[Doc]) -> bool:
        """Whether a preset entity label is one the model has no actions for (the stock
        component then adds them: ``Parser._ensure_labels_are_added``, which walks every
        token of every Doc to find out)."""
        from spacy.attrs import ENT_TYPE

        return any(not self._known.issuperset(set(np.unique(d.to_array(ENT_TYPE)).tolist()) - {0}) for d in docs)

    def _stock(self, docs: list[Doc]) -> None:
        self.fallbacks += 1
        self.stock.set_annotations(docs, self.stock.predict(docs))

    def _refresh_moves(self) -> None:
        moves = self.stock.moves
        if moves.n_moves == self._moves_for:
            return
        kind = np.zeros(moves.n_moves, dtype=np.int8)
        label = np.zeros(moves.n_moves, dtype=np.uint64)
        strings = self.vocab.strings
        for c in range(moves.n_moves):
            name = moves.get_class_name(c)
            if name == "O":
                kind[c] = _OUT
            elif len(name) >= 2 and name[1] == "-" and name[0] in _MOVE_OF:
                kind[c] = _MOVE_OF[name[0]]
                label[c] = strings.as_int(name[2:]) if name[2:] else 0
            else:
                raise Unsupported(f"unknown move {name!r}")
        self._kind, self._label = kind, label
        self._in_of = {int(label[c]): c for c in range(len(kind)) if kind[c] == _IN and label[c] != 0}
        self._last_of = {int(label[c]): c for c in range(len(kind)) if kind[c] == _LAST and label[c] != 0}
        # labels with all four of their actions (a preset label without them makes the stock
        # component add them)
        self._known = frozenset.intersection(*(frozenset(label[kind == k].tolist()) for k in _MOVE_OF.values()))
        self._moves_for = moves.n_moves

    def _decode(self, doc: Doc, net: _Net, offset: int) -> list[tuple[int, int, int]]:
        """The entities ``(start, end, label)`` the greedy decoder finds in ``doc``, whose
        tokens are rows ``offset + 1 …`` of ``net.feats``."""
        from spacy.attrs import ENT_IOB, ENT_TYPE, IS_SPACE, SENT_START

        n = len(doc)
        if n == 0:
            return []
        arr = doc.to_array([ENT_IOB, ENT_TYPE, SENT_START, IS_SPACE]).reshape(n, 4)
        iob = arr[:, 0].astype(np.int64)
        etype = arr[:, 1].astype(np.uint64)
        space = arr[:, 3].astype(bool)
        # the token after each one; past the end spaCy reads an empty token (all zeros)
        sent1 = np.append(arr[1:, 2].astype(np.int64), 0)
        toks = _Tokens(iob=iob, etype=etype, iob1=np.append(iob[1:], 0), sent1=sent1)
        rows = net.feats[1 + offset : 1 + offset + n]
        kind, label = self._kind, self._label

        # Validity while no entity is open, for every token and class (ner.pyx's is_valid).
        lab = label[None, :]
        preset = (iob == _IOB_B)[:, None]
        not_last = np.arange(n) < n - 1
        # where nothing is preset, an entity may not begin on a space, right before a preset
        # beginning, or at the end of a sentence
        free_begin = ((toks.iob1 != _IOB_B) & (toks.sent1 != 1) & ~space)[:, None]
        preset_begin = (lab == etype[:, None]) & (toks.iob1 == _IOB_I)[:, None]
        begin_ok = (not_last & (iob != _IOB_I))[:, None] & (lab != 0) & np.where(preset, preset_begin, free_begin)
        unit_ok = np.where(
            lab == 0,
            preset & (etype == 0)[:, None],  # the label-less Unit: only on a token preset as blocked
            (toks.iob1 != _IOB_I)[:, None] & np.where(preset, lab == etype[:, None], ~space[:, None]),
        )
        out_ok = ((iob != _IOB_B) & (iob != _IOB_I))[:, None]
        valid = np.where(kind == _BEGIN, begin_ok, np.where(kind == _UNIT, unit_ok, (kind == _OUT) & out_ok))

        # Closed-state scores: features (B0, none, none), added in spaCy's order.
        summed = rows[:, 0] + net.feats[0, 1]
        summed += net.feats[0, 2]
        summed += net.bias
        scores = _scores(summed, net.n_pieces, net.weights, net.out_bias)
        best = np.argmax(np.where(valid, scores, -np.inf), axis=1)  # the first of the highest
        best[~valid.any(axis=1)] = -1  # no valid action: spaCy would stop the walk there

        ents: list[tuple[int, int, int]] = []
        # Only the tokens where the closed state does something other than Out need a look.
        todo = np.flatnonzero((best < 0) | (kind[best] != _OUT)).tolist()
        k = 0
        while k < len(todo):
            i = todo[k]
            k += 1
            c = int(best[i])
            if c < 0:
                raise _Fallback
            if kind[c] == _UNIT:
                ents.append((i, i + 1, int(label[c])))  # label 0 on a blocked token: set_ents skips it
                continue
            # Begin: the entity's tokens, one step each, until its Last.
            start, ent_label = i, int(label[c])
            i += 1
            while True:
                if i >= n:
                    raise _Fallback  # cannot happen (In needs two tokens left): spaCy's way if it does
                c = self._inside(net, rows, toks, i, start, ent_label)
                i += 1
                if kind[c] == _LAST:
                    ents.append((start, i, ent_label))
                    break
            # closed again at token i: skip the closed-state decisions the entity covered
            while k < len(todo) and todo[k] < i:
                k += 1
        return ents

    def _inside(self, net: _Net, rows: np.ndarray, toks: _Tokens, i: int, start: int, ent_label: int) -> int:
        """The class chosen at token ``i`` inside an entity opened at ``start``: only its label's
        In, or a Last, can be valid there (ner.pyx's In.is_valid and Last.is_valid; the
        label-less Unit of a blocked token cannot come up: no entity may run up to a token
        preset as a beginning, which a blocked one is)."""
        t_iob, t_type, n_iob = int(toks.iob[i]), int(toks.etype[i]), int(toks.iob1[i])
        if len(rows) - i < 2 or t_iob == _IOB_B or n_iob == _IOB_B:
            in_ok = False
        elif t_iob == _IOB_I:
            in_ok = n_iob not in (_IOB_MISSING, _IOB_O) and ent_label == t_type
        else:
            in_ok = int(toks.sent1[i]) != 1
        if t_iob == _IOB_I and n_iob != _IOB_I:
            last = self._last_of.get(t_type)  # a preset entity ends here: its label closes
        else:
            last = self._last_of.get(ent_label) if n_iob != _IOB_I else None
        candidates = sorted(c for c in (self._in_of.get(ent_label) if in_ok else None, last) if c is not None)
        if not candidates:
            raise _Fallback
        # features (B0, the entity's first token, B0 - 1), added in spaCy's order
        summed = rows[i, 0] + rows[start, 1]
        summed += rows[i - 1, 2]
        summed += net.bias
        scores = _scores(summed[None, :], net.n_pieces, net.weights[candidates], net.out_bias[candidates])[0]
        return candidates[int(np.argmax(scores))]  # the first of the highest

    @staticmethod
    def _set(doc: Doc, ents: list[tuple[int, int, int]]) -> None:
        """What ``BiluoPushDown.set_annotations`` does: the entities (keeping the first token's
        knowledge-base id), and "outside" for every token whose annotation is still missing."""
        from spacy.attrs import ENT_IOB, ENT_KB_ID
        from spacy.tokens import Span

        arr = doc.to_array([ENT_IOB, ENT_KB_ID])
        spans = [Span(doc, s, e, label=lab, kb_id=int(arr[s, 1])) for s, e, lab in ents]
        covered = np.zeros(len(doc), dtype=bool)
        for s, e, _ in ents:
            covered[s:e] = True
        missing = (arr[:, 0] == _IOB_MISSING) & ~covered
        outside = [Span(doc, int(s), int(e)) for s, e in _runs(missing)]
        doc.set_ents(spans, outside=outside, default="unmodified")


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def _scores(summed: np.ndarray, n_pieces: int, weights: np.ndarray, out_bias: np.ndarray) -> np.ndarray:
    """Class scores from the summed feature rows ``(m, hidden * pieces)``, as spaCy's C code
    computes them: the maxout, then the output layer through BLIS's ``sgemm`` (the function
    spaCy calls, so the same rounding on any CPU: on this one, BLIS's reference kernel adds
    each class's products over the hidden units in order), then the output bias."""
    import blis.py

    hidden = np.ascontiguousarray(summed.reshape(summed.shape[0], -1, n_pieces).max(axis=2))
    out: np.ndarray = blis.py.gemm(hidden, weights, trans2=True)
    out += out_bias
    return out


def _rows_independent() -> bool:
    """Whether BLIS gives a row of a product the same bits alone as among other rows (spaCy
    scores a step's few states together; ``_scores`` scores all tokens of a Doc at once)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((37, 64)).astype(np.float32)
    w = rng.standard_normal((74, 64)).astype(np.float32)
    whole = _scores(a, 1, w, np.zeros(74, dtype=np.float32))
    return all(np.array_equal(whole[r], _scores(a[r : r + 1], 1, w, np.zeros(74, dtype=np.float32))[0])
               for r in range(len(a)))  # fmt: skip


def install(nlp: Language) -> bool:
    """Swap in ``FastEntityRecognizer`` for pipe ``ner`` where supported; whether it did."""
    from spacy.language import Language

    if not Language.has_factory(_FACTORY):
        Language.factory(_FACTORY, default_config={"source": NER},
                         func=lambda nlp, name, source: FastEntityRecognizer(nlp.get_pipe(source)))  # fmt: skip
    return swap_component(nlp, NER, _FACTORY, FastEntityRecognizer)
