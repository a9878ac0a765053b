"""The fast attribute ruler and lemmatizer (stages/fast_rules.py) give exactly the model's own
components' annotations: the real pipeline against the stock one, then the precedence rules
on hand-made patterns."""

from __future__ import annotations

import random
from typing import Any

import pytest
import spacy
from spacy.tokens import Doc

from newsprism.stages.fast_rules import FastAttributeRuler, FastLemmatizer, install
from newsprism.stages.nlp import build_nlp, load_nlp

TEXTS = [
    # contractions and the ruler's two-token patterns
    "I ain't gonna lie: we ain't seen nothin' yet, and y'all know it. AIN'T that right?",
    "Let's go! LET'S GO. C'mon, you gotta see 'em, they're doin' fine 'n' goin' home.",
    "She'd said they'd have left; I'd rather not. We can't, won't and shan't. Don't you dare.",
    # possessive 's and 's as a verb (is / has / us), expletive there
    "The president's plan is the country's best hope, and it's what's been promised.",
    "There's a dog. There are two. He's gone and she's been here; what's he got? Here's the thing.",
    # spaces and newlines, including leading, trailing and repeated
    "  First line.\n\nSecond   paragraph\tstarts here.\n \n Third.  ",
    "\n",
    # numbers, proper nouns, comparatives and superlatives, plurals, irregular verbs
    "On 3 March 2024, 1,250 people paid $4.5 million, or 12% more than the 2nd-best offer.",
    "Sen. Chuck Grassley met Angela Merkel in New York with the United Nations' envoys.",
    "It was bigger, better and the biggest; the worst was worse, the most unusual was less so.",
    "The children saw mice, geese and women; the wolves ran, the leaves fell, the oxen stood.",
    "He went, she saw, they were, we had been, it has begun; I am, you are, it is, they did.",
    "Being there, having done it, he was being watched by those who'd seen anything or nobody.",
    "But he but tried, and that that is, is. Those that do so, do; once there, well, then.",
    "Good ol' days: somethin' for hers and ours, 'nuff said; help yourselves, themself, any1 #1 ♥ lol.",
]


@pytest.fixture(scope="module")
def pipelines() -> tuple[Any, Any]:
    return load_nlp(), build_nlp(fast_rules=False)


def _annotations(doc: Doc) -> list[tuple[Any, ...]]:
    return [(t.text, t.pos_, t.tag_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.is_sent_start,
             t.ent_iob_, t.ent_type_) for t in doc]  # fmt: skip


def test_the_fast_components_are_installed_in_place(pipelines: tuple[Any, Any]) -> None:
    fast, stock = pipelines
    assert fast.pipe_names == stock.pipe_names
    assert isinstance(fast.get_pipe("attribute_ruler"), FastAttributeRuler)
    assert isinstance(fast.get_pipe("lemmatizer"), FastLemmatizer)
    assert type(stock.get_pipe("attribute_ruler")).__name__ == "AttributeRuler"


@pytest.mark.parametrize("text", TEXTS)
def test_same_annotations_as_the_model_components(pipelines: tuple[Any, Any], text: str) -> None:
    fast, stock = pipelines
    assert _annotations(fast(text)) == _annotations(stock(text))


def test_same_annotations_over_many_docs_with_warm_caches(pipelines: tuple[Any, Any]) -> None:
    fast, stock = pipelines
    texts = TEXTS + [t.lower() for t in TEXTS] + [t.upper() for t in TEXTS] + ["", " ", "x"]
    for a, b in zip(fast.pipe(texts, batch_size=4), stock.pipe(texts, batch_size=4), strict=True):
        assert _annotations(a) == _annotations(b)


PATTERNS: list[dict[str, Any]] = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN", "MORPH": "Number=Sing"}},
    {"patterns": [[{"LOWER": "a"}, {"TAG": "NN"}]], "attrs": {"LEMMA": "A-NOUN", "POS": "PROPN"}, "index": -1},
    {"patterns": [[{"TAG": "NN", "LOWER": {"IN": ["cat", "dog"]}}]], "attrs": {"LEMMA": "pet"}},
    {"patterns": [[{"LOWER": {"REGEX": "^c"}}, {"LOWER": "a"}, {}]], "attrs": {"MORPH": "Foo=Bar"}, "index": 2},
    {"patterns": [[{"TAG": {"NOT_IN": ["NN", ""]}}]], "attrs": {"POS": "X"}},
    {"patterns": [[{"LOWER": "a"}, {"LOWER": "a"}]], "attrs": {"TAG": "ZZ", "DEP": "zz"}},
    {"patterns": [[{"IS_SPACE": True}], [{"TAG": "SP"}]], "attrs": {"POS": "SPACE"}},
]


def test_precedence_and_indices_match_attribute_ruler() -> None:
    """Later patterns win per attribute; every pattern sees the Doc as it was; negative and
    positive indices; overlapping multi-token matches; alternatives; missing tags."""
    nlp = spacy.blank("en")
    stock = nlp.add_pipe("attribute_ruler")
    stock.add_patterns(PATTERNS)  # type: ignore[attr-defined]
    fast = FastAttributeRuler(stock)
    words = ["cat", "a", "dog", "a", "a", "cat", "\n", "a", "b", "c", "a", "a", "dog"]
    for tags in (["NN", "DT", "NN", "DT", "DT", "NN", "SP", "DT", "", "NN", "DT", "NN", "NN"],
                 ["NN"] * len(words), [""] * len(words)):  # fmt: skip
        a = stock(Doc(nlp.vocab, words=list(words), tags=list(tags)))
        b = fast(Doc(nlp.vocab, words=list(words), tags=list(tags)))
        assert [(t.pos_, t.tag_, str(t.morph), t.lemma_, t.dep_) for t in a] == \
               [(t.pos_, t.tag_, str(t.morph), t.lemma_, t.dep_) for t in b]  # fmt: skip


def test_unsupported_components_are_left_alone() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "a", "OP": "+"}]], {"POS": "DET"})  # type: ignore[attr-defined]
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    assert install(nlp) == []
    assert type(nlp.get_pipe("attribute_ruler")).__name__ == "AttributeRuler"
    assert type(nlp.get_pipe("lemmatizer")).__name__ != "FastLemmatizer"


@pytest.mark.filterwarnings("ignore:.*W108")  # tokens the ruler gives no POS, as both warn
def test_random_docs_built_from_the_models_own_patterns(pipelines: tuple[Any, Any]) -> None:
    """Docs of random words, tags, labels and heads, with tokens planted to satisfy random
    patterns of the model's ruler: the stock components and the fast ones agree."""
    _, stock = pipelines
    ruler, lemmatizer = stock.get_pipe("attribute_ruler"), stock.get_pipe("lemmatizer")
    fast_ruler, fast_lemmatizer = FastAttributeRuler(ruler), FastLemmatizer(lemmatizer)
    words = ["dogs", "ran", "better", "Paris", "3", "'s", "y'", "nothin'", " ", "\n\n"]
    for p in ruler.patterns:
        for alt in p["patterns"]:
            for spec in alt:
                lower = spec.get("LOWER")
                words += [lower] if isinstance(lower, str) else lower.get("IN", []) if isinstance(lower, dict) else []
    tags = [*stock.get_pipe("tagger").labels, "_SP", "", "BES", "HVS", "NIL", "GW", '""', "#"]
    deps = [*stock.get_pipe("parser").labels, "dep"]
    rng = random.Random(3)
    for _ in range(300):
        n = rng.randint(1, 30)
        ws, ts, ds = (
            [rng.choice(words) for _ in range(n)],
            [rng.choice(tags) for _ in range(n)],
            [rng.choice(deps) for _ in range(n)],
        )
        for _ in range(rng.randint(0, 4)):
            at = rng.randrange(n)
            for k, spec in enumerate(rng.choice(rng.choice(ruler.patterns)["patterns"])[: n - at]):
                for key, dest in (("LOWER", ws), ("TAG", ts), ("DEP", ds)):
                    v = spec.get(key)
                    if isinstance(v, str) or (isinstance(v, dict) and "IN" in v):
                        dest[at + k] = v if isinstance(v, str) else rng.choice(v["IN"])
                if rng.random() < 0.3:
                    ws[at + k] = ws[at + k].upper()
                if spec.get("IS_SPACE") is True:
                    ws[at + k] = "\n"
        heads = [rng.randrange(n) for _ in range(n)]
        a = lemmatizer(ruler(Doc(stock.vocab, words=ws, tags=ts, deps=ds, heads=heads)))
        b = fast_lemmatizer(fast_ruler(Doc(stock.vocab, words=ws, tags=ts, deps=ds, heads=heads)))
        assert [(t.pos, t.tag, t.morph.key, t.lemma, t.dep) for t in a] == [
            (t.pos, t.tag, t.morph.key, t.lemma, t.dep) for t in b
        ]
