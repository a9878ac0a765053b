"""The alias file: loading, validation errors with file and line, defaults, and merges it forces or forbids."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsprism.aliases import AliasFile
from newsprism.corpus.entity_merge import merge_entities
from newsprism.errors import NewsprismError
from newsprism.model import Mention
from newsprism.stages.entities import ArticleEntity

GOOD = """\
# my aliases
[[entity]]
name = "Oleksandr Syrskyi"
type = "PERSON"
aliases = ["Syrsky", "Chirsky", "Oleksandr Chirsky"]

[[forbid]]
names = ["Jens Stoltenberg", "Jens Stoltenberg Jr."]
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "aliases.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_load_good_file(tmp_path):
    a = AliasFile.load(_write(tmp_path, GOOD))
    (e,) = a.entities
    assert (e.name, e.type, e.aliases, e.line) == ("Oleksandr Syrskyi", "PERSON", ("Syrsky", "Chirsky", "Oleksandr Chirsky"), 2)
    assert a.forbids == [("Jens Stoltenberg", "Jens Stoltenberg Jr.")]
    assert a.forced()["chirsky"].name == "Oleksandr Syrskyi"
    assert frozenset({"jens stoltenberg", "jens stoltenberg jr"}) in a.forbidden_pairs()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[[entity]]\ntype = "PERSON"\naliases = ["A"]\n', 1, "needs name"),
        ('[[entity]]\nname = "A"\n\n[[entity]]\nname = "B"\ntype = "ALIEN"\n', 4, "type 'ALIEN'"),
        ('[[entity]]\nname = "A"\naliases = "B"\n', 1, "aliases must be a list"),
        ('[[entity]]\nname = "A"\nalias = ["B"]\n', 1, "unknown key 'alias'"),
        ('[[forbid]]\nnames = ["Only One"]\n', 1, "two or more names"),
        ('[[entities]]\nname = "A"\n', 1, "unknown table 'entities'"),
        ('[[entity]]\nname = "A\n', 2, "not valid TOML"),
    ],
)
def test_errors_name_file_line_and_problem(tmp_path, text, line, words):
    p = _write(tmp_path, text)
    with pytest.raises(NewsprismError) as exc:
        AliasFile.load(p)
    msg = str(exc.value)
    assert str(p) in msg and words in msg
    assert f":{line}:" in msg or f"line {line}" in msg


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(NewsprismError, match="cannot read the alias file"):
        AliasFile.load(tmp_path / "nope.toml")


def test_default_file_ships_and_user_file_overrides_it():
    d = AliasFile.default()
    assert d.forced()["chirsky"].name == "Oleksandr Syrskyi"
    assert d.forced()["kiev"].name == "Kyiv"
    mine = AliasFile.loads('[[entity]]\nname = "Kiev"\ntype = "GPE"\naliases = ["Kyiv"]\n', "mine.toml")
    both = d.combine(mine)
    assert both.forced()["kyiv"].name == "Kiev"
    assert both.sources[-1] == "mine.toml"


def _ae(article: str, key: str, typ: str = "PERSON") -> ArticleEntity:
    return ArticleEntity(key=key, type=typ, mentions=[Mention(article, 0, len(key), key, typ)])


def test_forced_and_forbidden_merges_are_honoured():
    per = {"a": [_ae("a", "Jens Stoltenberg"), _ae("a", "Mr Smith")], "b": [_ae("b", "Jens Stoltenberg Jr.")],
           "c": [_ae("c", "Johnny Smithers")]}
    # by default the two Stoltenbergs merge (same given name and surname)
    names = {e.name for e in merge_entities(per, use_defaults=False)}
    assert "Jens Stoltenberg Jr." not in names
    user = AliasFile.loads('[[forbid]]\nnames = ["Jens Stoltenberg", "Jens Stoltenberg Jr."]\n'
                           '[[entity]]\nname = "John Smith"\naliases = ["Mr Smith", "Johnny Smithers"]\n')
    got = {e.name: e for e in merge_entities(per, user, use_defaults=False)}
    assert {"Jens Stoltenberg", "Jens Stoltenberg Jr.", "John Smith"} == set(got)
    assert sorted(m.article for m in got["John Smith"].mentions) == ["a", "c"]
    assert set(got["John Smith"].aliases) == {"Mr Smith", "Johnny Smithers"}
