"""``export.json_text``: the layout of ``analysis.json`` (outer levels indented, a record per line)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newsprism.export import json_text, write_json_atomic

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                       max_leaves=30)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_reads_back_as_the_same_value(value: object) -> None:
    assert json.loads(json_text(value)) == value


def test_each_record_on_one_line_under_indented_sections(tmp_path: Path) -> None:
    data = {"schema_version": 1, "quotes": [{"id": "q1", "text": "“Über”\nzwei"}, {"id": "q2", "speaker": None}],
            "families": [], "stories": {}}  # fmt: skip
    path = tmp_path / "analysis.json"
    write_json_atomic(path, data)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == [
        "{",
        ' "schema_version": 1,',
        ' "quotes": [',
        '  {"id": "q1", "text": "“Über”\\nzwei"},',
        '  {"id": "q2", "speaker": null}',
        " ],",
        ' "families": [],',
        ' "stories": {}',
        "}",
    ]
    assert json.loads(path.read_text(encoding="utf-8")) == data


def test_non_string_keys_are_written_as_json_writes_them() -> None:
    data = {1: "a", False: "b", None: "c", 2.5: "d"}
    assert json.loads(json_text(data)) == json.loads(json.dumps(data))


def test_written_in_pieces_of_at_most_a_record() -> None:
    from newsprism.export import iter_json

    record = {"id": "q", "text": "x" * 50}
    data = {"quotes": [record] * 2000, "claims": [record] * 2000}
    pieces = list(iter_json(data))
    assert max(map(len, pieces)) <= len(json.dumps(record)) + 10
    assert json.loads("".join(pieces)) == data
