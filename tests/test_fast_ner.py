"""The fast entity decoder (stages/fast_ner.py) sets exactly the stock recognizer's entity
annotation: on real articles and CoNLL++ sentences through the whole pipeline, then on
hand-made preset entities, including the cases it hands back to the stock decoder."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.tokens import Doc, Span

from conftest import EXAMPLE, bench_dir
from newsprism.stages import fast_ner
from newsprism.stages.fast_ner import FastEntityRecognizer
from newsprism.stages.nlp import build_nlp, load_nlp

EDGES = [
    "",
    " ",
    "\n\n",
    "Angela Merkel",  # an entity that ends the Doc
    "Merkel.",
    "Sen. Chuck Grassley met Angela Merkel in New York with the United Nations' envoys on 3 March 2024.",
    "The European Union\n\nCommission said $4.5 million, or 12%, went to Prague's Charles University.",
    "Joe Biden\nDonald Trump\nKamala Harris\n",  # entities at line (sentence) breaks
]


@pytest.fixture(scope="module")
def pipelines() -> tuple[Any, Any]:
    return load_nlp(), build_nlp(fast_ner=False)


def _ents(doc: Doc) -> np.ndarray:
    return doc.to_array([ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID])


def _same(fast: Any, stock: Any, texts: list[str], batch_size: int = 8) -> int:
    n = 0
    for a, b in zip(fast.pipe(texts, batch_size=batch_size), stock.pipe(texts, batch_size=batch_size), strict=True):
        assert [t.text for t in a] == [t.text for t in b]
        assert np.array_equal(_ents(a), _ents(b)), [(e.text, e.label_) for e in a.ents]
        n += len(a.ents)
    return n


def test_installed_in_place_of_the_stock_component(pipelines: tuple[Any, Any]) -> None:
    fast, stock = pipelines
    assert fast.pipe_names == stock.pipe_names
    assert isinstance(fast.get_pipe("ner"), FastEntityRecognizer)
    assert type(stock.get_pipe("ner")).__name__ == "EntityRecognizer"
    assert fast.get_pipe("ner").labels == stock.get_pipe("ner").labels


def test_same_entities_on_the_example_articles_and_edge_cases(pipelines: tuple[Any, Any]) -> None:
    fast, stock = pipelines
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLE.glob("*.txt"))]
    assert len(texts) >= 5
    assert _same(*pipelines, texts + EDGES) > 100
    for text in EDGES:  # one Doc at a time: the component's __call__
        assert np.array_equal(_ents(fast(text)), _ents(stock(text)))
    assert fast.get_pipe("ner").fallbacks == 0  # all of it decoded here, none by the stock decoder


def test_same_entities_on_conll_sentences(pipelines: tuple[Any, Any]) -> None:
    from newsprism.eval.conll import DEV_FILE, read_conll

    sents = read_conll(bench_dir() / DEV_FILE)[:800]
    docs = [" ".join(w for s in sents[i : i + 10] for w in (*s.tokens, "\n")) for i in range(0, len(sents), 10)]
    assert _same(*pipelines, docs) > 500


def _preset(nlp: Any, text: str, spans: list[tuple[int, int, str]], blocked: bool = False) -> Doc:
    """``text`` run up to the recognizer, with ``spans`` preset as entities (or blocked)."""
    names = nlp.pipe_names
    doc = nlp(text, disable=names[names.index("ner") :])
    doc.set_ents([], default="missing")
    made = [Span(doc, s, e, label=lab) for s, e, lab in spans]
    if blocked:
        doc.set_ents([], blocked=made, default="unmodified")
    else:
        doc.set_ents(made, default="unmodified")
    return doc


@pytest.mark.parametrize("blocked", [False, True])
def test_same_entities_around_preset_ones(blocked: bool) -> None:
    # fresh pipelines: a preset label the model lacks makes the stock component grow its model
    fast, stock = build_nlp(), build_nlp(fast_ner=False)
    text = "Yesterday Prague police said Charles University in Prague was closed by Jan Novak and Petr Pavel."
    cases = [
        [(1, 2, "GPE")],  # Prague
        [(4, 7, "ORG")],  # Charles University in
        [(4, 6, "FAC"), (11, 13, "PERSON")],
        [(0, 1, "DATE"), (14, 16, "PERSON")],
        [(7, 8, "LOC")],
        [(4, 6, "NEWLABEL")],  # a label the model has no actions for
    ]
    ner = fast.get_pipe("ner")
    for spans in cases:
        a = ner(_preset(fast, text, spans, blocked))
        b = stock.get_pipe("ner")(_preset(stock, text, spans, blocked))
        assert np.array_equal(_ents(a), _ents(b)), (spans, [(e.text, e.label_) for e in a.ents])
        kept = {(e.start, e.end) for e in a.ents}
        if blocked:
            assert not any(s <= e.start < e_ for s, e_, _ in spans for e in a.ents)  # none inside a block
        else:
            assert {(s, e) for s, e, _ in spans} <= kept  # presets kept
    # only the label the model lacked went to the stock decoder (it grows the model)
    assert ner.fallbacks == (0 if blocked else 1)


def test_unsupported_configurations_keep_the_stock_component() -> None:
    nlp = build_nlp(fast_ner=False)
    ner = nlp.get_pipe("ner")
    ner.cfg["beam_width"] = 4
    with pytest.raises(fast_ner.Unsupported):
        FastEntityRecognizer(ner)
    assert fast_ner.install(nlp) is False
    assert type(nlp.get_pipe("ner")).__name__ == "EntityRecognizer"
