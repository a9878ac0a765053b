"""Entities: the gazetteer/fixer around NER, in-article canonical names, cross-article merging, CoNLL scorer."""

from __future__ import annotations

import pytest

from newsprism.corpus.entity_merge import merge_entities
from newsprism.eval import conll
from newsprism.model import Mention
from newsprism.stages.entities import ArticleEntity, extract_entities, skeleton, translit


@pytest.fixture(scope="module")
def nlp():
    from newsprism.stages.nlp import load_nlp

    return load_nlp()


def _ents(nlp, text: str) -> dict[str, ArticleEntity]:
    found = extract_entities(nlp(text), "a1")
    for e in found:
        for m in e.mentions:
            assert text[m.start : m.end] == m.text  # offsets are exact
    return {e.key: e for e in found}


def test_pipeline_has_ruler_before_ner_and_fixer_after(nlp):
    names = nlp.pipe_names
    assert names.index("newsprism_gazetteer") < names.index("ner") < names.index("newsprism_entity_fixer")


def test_kiev_is_a_place_and_blinken_stoltenberg_are_people(nlp):
    text = ("The Kremlin accused NATO of provoking Kiev into prolonging the conflict. "
            "In Prague, Blinken said Kyiv must decide. Stoltenberg agreed with Blinken.")
    doc = nlp(text)
    labels = {(e.text, e.label_) for e in doc.ents}
    assert ("Kiev", "GPE") in labels and ("Kyiv", "GPE") in labels
    assert not any(e.label_ == "PERSON" and e.text in ("Kiev", "Kyiv") for e in doc.ents)
    assert ("Blinken", "PERSON") in labels
    assert ("Stoltenberg", "PERSON") in labels


def test_gazetteer_does_not_split_a_longer_name(nlp):
    doc = nlp("Dynamo Kiev beat Bayern Munich on Tuesday.")
    assert not any(e.text == "Kiev" for e in doc.ents)


def test_title_becomes_role_and_surname_takes_full_name(nlp):
    text = ("US Secretary of State Antony Blinken met Kremlin spokesman Dmitry Peskov. "
            "Peskov said the talks failed. Later the Kremlin spokesman declined to comment.")
    ents = _ents(nlp, text)
    blinken = ents["Antony Blinken"]
    assert blinken.type == "PERSON" and blinken.roles == ["US Secretary of State"]
    assert [(m.start, m.end) for m in blinken.mentions] == [(22, 36)]
    peskov = ents["Dmitry Peskov"]
    assert peskov.roles == ["Kremlin spokesman"]
    spans = [(m.text, m.start, m.label) for m in peskov.mentions]
    assert spans[0] == ("Dmitry Peskov", text.index("Dmitry Peskov"), "PERSON")
    assert spans[1] == ("Peskov", text.index("Peskov said"), "PERSON")
    # "the Kremlin spokesman" refers back to the one person given that role
    assert spans[2] == ("Kremlin spokesman", text.index("Kremlin spokesman declined"), "ROLE")
    assert "Kremlin" in ents and ents["Kremlin"].type == "ORG"


def test_possessive_stripped_and_variant_keyed_to_gazetteer_name(nlp):
    text = "Ukraine’s allies met in Kiev on Thursday."
    ents = _ents(nlp, text)
    (m,) = ents["Ukraine"].mentions
    assert (m.start, m.end, m.text) == (0, 7, "Ukraine")
    kyiv = ents["Kyiv"]
    assert kyiv.type == "GPE" and kyiv.mentions[0].text == "Kiev"


def test_mislabelled_surname_joins_the_person(nlp):
    text = "NATO Secretary General Jens Stoltenberg spoke. According to Stoltenberg, there is no risk."
    ents = _ents(nlp, text)
    st = ents["Jens Stoltenberg"]
    assert [m.text for m in st.mentions] == ["Jens Stoltenberg", "Stoltenberg"]
    assert st.roles == ["NATO Secretary General"]


def test_transliteration_keys():
    assert translit("Zelenskyy") == translit("Zelensky")
    assert skeleton("Kyiv") == skeleton("Kiev") == skeleton("Kiew")
    assert skeleton("Zelensky") == skeleton("Zelenskyy") == skeleton("Selenskyj")
    assert skeleton("Lavorov") == skeleton("Lavrov")
    assert skeleton("Kharkiv") == skeleton("Kharkov")
    assert skeleton("Syrskyi") == skeleton("Syrsky")


def _ae(article: str, key: str, typ: str = "PERSON", texts: list[str] | None = None,
        roles: list[str] | None = None) -> ArticleEntity:
    texts = texts or [key]
    ms = [Mention(article, i * 100, i * 100 + len(t), t, typ) for i, t in enumerate(texts)]
    return ArticleEntity(key=key, type=typ, mentions=ms, roles=roles or [])


def _by_name(entities):
    return {e.name: e for e in entities}


def test_merge_translation_garble_and_spellings():
    per = {
        "a": [_ae("a", "Sergei Lavrov", texts=["Sergei Lavrov", "Lavrov"], roles=["Russian Foreign Minister"])],
        "b": [_ae("b", "Lavorov")],
        "c": [_ae("c", "Anthony Blinken"), _ae("c", "Volodymyr Zelensky", texts=["Volodymyr Zelensky", "Zelensky"])],
        "d": [_ae("d", "Antony Blinken", roles=["US Secretary of State"]), _ae("d", "Volodymyr Zelenskyy"),
              _ae("d", "Tarasil Blinken")],
        "e": [_ae("e", "Selenskyj")],
    }
    got = _by_name(merge_entities(per))
    lavrov = got["Sergei Lavrov"]
    assert "Lavorov" in lavrov.aliases and len(lavrov.mentions) == 3
    assert lavrov.roles == ["Russian Foreign Minister"]
    blinken = got["Antony Blinken"]
    assert "Anthony Blinken" in blinken.aliases and blinken.roles == ["US Secretary of State"]
    assert "Tarasil Blinken" in got  # a different first name is a different person
    zel = got["Volodymyr Zelenskyy"]
    assert {"Volodymyr Zelensky", "Zelensky", "Selenskyj"} <= set(zel.aliases)
    assert len(zel.mentions) == 4
    assert zel.id.startswith("e") and len({e.id for e in got.values()}) == len(got)


def test_two_people_sharing_a_surname_stay_apart_and_bare_surname_is_left_alone():
    per = {"a": [_ae("a", "Anna Kowalski"), _ae("a", "Piotr Kowalski")], "b": [_ae("b", "Kowalski")]}
    got = _by_name(merge_entities(per, use_defaults=False))
    assert set(got) == {"Anna Kowalski", "Piotr Kowalski", "Kowalski"}
    # the gazetteer's public figure takes the bare surname when the other namesake is unknown
    per = {"a": [_ae("a", "Joe Biden"), _ae("a", "Hunter Biden")], "b": [_ae("b", "Biden")]}
    got = _by_name(merge_entities(per, use_defaults=False))
    assert set(got) == {"Joe Biden", "Hunter Biden"} and "Biden" in got["Joe Biden"].aliases


def test_chirsky_joins_syrskyi_through_the_default_alias_file():
    per = {"a": [_ae("a", "Oleksandr Chirsky")], "b": [_ae("b", "Oleksandr Syrskyi", texts=["Oleksandr Syrskyi"])],
           "c": [_ae("c", "Syrsky")]}
    got = _by_name(merge_entities(per))
    assert set(got) == {"Oleksandr Syrskyi"}
    assert {"Oleksandr Chirsky", "Syrsky"} <= set(got["Oleksandr Syrskyi"].aliases)
    # without the defaults, Chirsky stays apart (no spelling route joins them)
    assert "Oleksandr Chirsky" in _by_name(merge_entities(per, use_defaults=False))


def test_places_merge_across_labels_but_persons_do_not():
    per = {"a": [_ae("a", "Moscow", "GPE"), _ae("a", "Washington", "PERSON", texts=["Washington"])],
           "b": [_ae("b", "Moscow", "ORG"), _ae("b", "Washington", "GPE")]}
    got = merge_entities(per, use_defaults=False)
    assert sorted((e.name, e.type) for e in got) == [("Moscow", "GPE"), ("Washington", "GPE"),
                                                     ("Washington", "PERSON")]


def test_conll_gold_spans_iob1_and_iob2():
    assert conll.gold_spans(["I-PER", "I-PER", "O", "I-LOC"]) == {("PER", 0, 2), ("LOC", 3, 4)}
    assert conll.gold_spans(["B-ORG", "I-ORG", "B-ORG", "O"]) == {("ORG", 0, 2), ("ORG", 2, 3)}
    assert conll.gold_spans(["I-MISC", "B-MISC"]) == {("MISC", 0, 1), ("MISC", 1, 2)}


@pytest.mark.bench_data
def test_conll_ruler_does_not_hurt():
    bench = conll.find_bench()
    if bench is None or not (bench / conll.DEV_FILE).is_file():
        pytest.skip("shared/bench CoNLL++ data absent")
    res = conll.run(bench, limit=600)
    assert res["model"]["micro"]["f1"] > 0.5
    assert res["pipeline"]["micro"]["f1"] >= res["model"]["micro"]["f1"] - 0.005
