"""Token lookups by character offset agree with walking the whole Doc."""

from __future__ import annotations

import spacy

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
