"""The report renderer: exact text round-trip, highlights, escaping — on hand-built analyses."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

from hypothesis import given, settings
from hypothesis import strategies as st

from newsprism.report.pieces import article_pieces
from newsprism.report.render import render_report

TEXT_A = "Talks in Prague\n“We will adapt,” Blinken said on Wednesday.\nPhoto: Agency/Someone\n"
TEXT_B = "Ministers met in Prague\nBlinken said the US had adapted and adjusted.\n<script>alert('x')</script>\n"


def _data() -> dict:
    a_quote = TEXT_A.index("We will adapt")
    b_claim = TEXT_B.index("Blinken said")
    return {
        "schema_version": 1,
        "articles": [
            {"id": "a1", "source_path": "a.txt", "outlet": "Alpha", "url": None, "title": "Talks in Prague",
             "published": "2024-05-30", "language": "en", "input_format": "text", "inferred": {}, "text": TEXT_A,
             "segments": [{"start": 0, "end": 15, "kind": "headline"},
                          {"start": 16, "end": TEXT_A.index("\nPhoto"), "kind": "body"},
                          {"start": TEXT_A.index("Photo"), "end": len(TEXT_A) - 1, "kind": "credit"}]},
            {"id": "b2", "source_path": "b.txt", "outlet": None, "url": None, "title": "<b>Ministers</b>",
             "published": None, "language": "en", "input_format": "text", "inferred": {}, "text": TEXT_B,
             "segments": [{"start": 0, "end": 23, "kind": "headline"},
                          {"start": 24, "end": len(TEXT_B) - 1, "kind": "body"}]},
        ],
        "rejected": [{"source_path": "bad<img src=x onerror=alert(1)>.txt", "code": "empty", "reason": "empty"}],
        "entities": [{"id": "e1", "name": "Antony Blinken", "type": "PERSON", "aliases": ["Blinken"], "roles": [],
                      "mentions": [{"article": "a1", "start": TEXT_A.index("Blinken"), "end": TEXT_A.index("Blinken") + 7}]}],
        "quotes": [
            {"id": "q1", "article": "a1", "start": a_quote, "end": a_quote + len("We will adapt,"), "type": "direct",
             "speaker": {"name": "Antony Blinken", "entity": "e1", "start": TEXT_A.index("Blinken"),
                         "end": TEXT_A.index("Blinken") + 7},
             "cue": {"start": TEXT_A.index("said"), "end": TEXT_A.index("said") + 4}, "confidence": 0.9,
             "group": "g1", "altered": True},
            {"id": "q2", "article": "b2", "start": TEXT_B.index("the US"), "end": TEXT_B.index(".\n<script"),
             "type": "indirect", "speaker": {"name": "Antony Blinken", "entity": "e1", "start": b_claim,
                                             "end": b_claim + 7},
             "cue": None, "confidence": 0.7, "group": "g1", "altered": False},
        ],
        "families": [],
        "stories": [{"id": "s1", "title": "Talks in Prague", "articles": ["a1", "b2"], "independent_sources": 2}],
        "claims": [{"id": "c1", "story": "s1", "text": "Blinken said the US adapts", "status": "conflicting",
                    "independent_sources": 2,
                    "support": [{"article": "a1", "start": 16, "end": TEXT_A.index("\nPhoto")}],
                    "conflicts": [{"article": "b2", "start": b_claim, "end": TEXT_B.index("\n<script"),
                                   "kind": "date"}]}],
        "timeline": [], "framing": [], "summaries": [],
    }  # fmt: skip


def test_pieces_round_trip_and_cover_refs() -> None:
    art = _data()["articles"][0]
    refs = [(16, 40, "q:x"), (30, 50, "c:y")]
    pieces = article_pieces(art, refs)
    assert "".join(p["text"] for p in pieces) == TEXT_A
    pos = 0
    for p in pieces:
        end = pos + len(p["text"])
        want = {r for s, e, r in refs if s <= pos and end <= e}
        assert set(p["refs"]) == want
        pos = end


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(min_size=1, max_size=60),
    raw=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=6),
)
def test_pieces_property_concatenation_is_identity(text: str, raw: list[tuple[int, int]]) -> None:
    spans = [(min(a, b), max(a, b), f"q:{i}") for i, (a, b) in enumerate(raw)]
    art = {"text": text, "segments": [{"start": 0, "end": len(text), "kind": "body"}]}
    pieces = article_pieces(art, spans)
    assert "".join(p["text"] for p in pieces) == text
    assert all(p["text"] for p in pieces)


def test_report_sections_and_escaping() -> None:
    html = render_report(_data())
    # Hostile strings from the input appear only escaped.
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(" in html
    assert "<img src=x" not in html and "<b>Ministers</b>" not in html
    # One inline script only: ours, allowed by its hash in the CSP.
    assert len(re.findall(r"<script\b", html)) == 1
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", html)
    for section in ('id="stories"', 'id="claims"', 'id="quotes"', 'id="entities"', 'id="articles"'):
        assert section in html
    # The claims matrix: Alpha supports, the unnamed outlet (shown by file name) conflicts.
    assert 'aria-label="Alpha: support"' in html and 'aria-label="? b.txt: conflict"' in html
    assert "Direct-quote wording differs" in html
    # Every article's text is on the page exactly (tags stripped, entities unescaped).
    texts = re.findall(r'<div class="text">(.*?)</div>', html, re.S)
    assert [unescape(re.sub(r"<[^>]+>", "", t)) for t in texts] == [TEXT_A, TEXT_B]
    # Anchors exist for the links the sections make.
    assert 'id="span-q-q1"' in html and 'href="#span-q-q1"' in html
    assert f'id="span-x-c1-b2-{TEXT_B.index("Blinken said")}"' in html


def test_template_lookup_on_dicts_reads_keys_but_keeps_dict_methods() -> None:
    from newsprism.report.render import _env

    page = _env().from_string("{{ d.a }}|{{ d.missing }}|{{ d.get('x', 1) }}|{{ d.values()|list|length }}|{{ c.get('a') }}")
    # A key named like a dict method does not hide the method, as in Jinja's own lookup.
    assert page.render(d={"a": 2, "get": 5, "values": 7}, c=Counter(a=3)) == "2||1|3|3"


def test_page_rendered_in_two_processes_is_the_same_page() -> None:
    """``start_render`` with a pool: the texts and the page around them come from two
    worker processes and are joined here; the page is byte for byte ``render_report``'s.
    An article whose title holds a text marker gets the whole page rendered in one piece,
    still the same page (a marker inside an article's text is never looked for)."""
    import multiprocessing

    from newsprism.report.render import _MARK_CLOSE, _MARK_OPEN, fill_shell, render_shell, start_render

    data = _data()
    hostile = _data()
    hostile["articles"][1]["title"] = f"{_MARK_OPEN}newsprism-text-0{_MARK_CLOSE}"
    hostile["articles"][0]["text"] = TEXT_A.replace("Talks", f"{_MARK_OPEN}newsprism-text-1{_MARK_CLOSE}")
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        for d in (data, hostile):
            assert start_render(d, pool)() == render_report(d)
    assert fill_shell(render_shell(hostile), ["x", "y"]) == ""  # the marker shows twice: not filled
    assert fill_shell(render_shell(data), ["x", "y"]).count("x") >= 1


# The template loops that ``_claim_row`` and ``_count_row`` replaced, kept here as the
# reference they must match byte for byte.
_CLAIM_ROW_LOOP = (
    '<tr class="claim-row status-{{ c.status }}" id="claim-{{ c.id }}">\n'
    '        <td><button type="button" class="claim-btn" data-ref="c:{{ c.id }}" data-xref="x:{{ c.id }}" '
    'aria-controls="evidence-{{ c.id }}" aria-expanded="false">{{ c.text }}</button>\n'
    '          <div class="evidence" id="evidence-{{ c.id }}" hidden>\n'
    "            {% for ev in c.evidence %}<p class=\"ev ev-{{ ev.role }}\"><a href=\"#span-{{ 'c' if ev.role == "
    "'support' else 'x' }}-{{ c.id }}-{{ ev.article }}-{{ ev.start }}\">{{ ev.outlet }}</a>{% if ev.kind and "
    "ev.role == 'conflict' %} <span class=\"badge\">{{ ev.kind }}</span>{% endif %}: “{{ ev.text }}”</p>"
    "{% endfor %}\n"
    "          </div></td>\n"
    "        <td><span class=\"status status-{{ c.status }}\">{{ c.status|replace('_', ' ') }}</span><br>"
    '<span class="meta">{{ c.independent_sources }} indep.{% if c.first_reported_by %}<br>first: '
    "{{ v.outlet_of.get(c.first_reported_by, c.first_reported_by) }}{% endif %}</span></td>\n"
    "        {{ cell_row(s.outlets, c.cells) }}\n"
    "      </tr>"
)
_COUNT_ROW_LOOP = ("{% for o in outlets %}{% set n = counts.get(o, 0) %}<td class=\"num{% if n %} has{% endif %}\">"
                   "{{ n or '' }}</td>{% endfor %}")  # fmt: skip


def test_rows_built_in_python_match_the_template_loops_they_replaced() -> None:
    from newsprism.report.render import _claim_row, _count_row, _env

    hostile = "<b>\"it's\" & 'that'</b>"
    evidence = [
        {"role": "support", "article": "a<1>", "start": 16, "outlet": hostile, "text": hostile},
        {"role": "conflict", "article": "b2", "start": 0, "outlet": "Beta", "text": "x", "kind": "number<>"},
        {"role": "conflict", "article": "b3", "start": 5, "outlet": "Gamma", "text": "", "kind": None},
        {"role": "support", "article": "b4", "start": 9, "outlet": "Delta", "text": "y", "kind": "date"},
    ]
    claims = [
        {"id": "c&1", "status": "single_source", "text": hostile, "independent_sources": 1, "evidence": evidence,
         "cells": {hostile: "support", "Beta": "conflict"}, "first_reported_by": "a<1>"},
        {"id": "c2", "status": "corroborated", "text": "plain", "independent_sources": 3, "evidence": [],
         "cells": {}, "first_reported_by": "unknown-article"},
        {"id": "c3", "status": "conflicting", "text": "", "independent_sources": 0, "evidence": evidence[:1],
         "cells": {"Beta": "support"}},
        {"id": "c4", "status": "corroborated", "text": "t", "independent_sources": 2, "evidence": [],
         "cells": {}, "first_reported_by": None},
    ]  # fmt: skip
    outlets = [hostile, "Beta", "Gamma"]
    outlet_of = {"a<1>": hostile}
    loop = _env().from_string(_CLAIM_ROW_LOOP)
    for c in claims:
        want = loop.render(c=c, s={"outlets": outlets}, v={"outlet_of": outlet_of})
        assert str(_claim_row(c, outlets, outlet_of)) == want
    counts = Counter({hostile: 2, "Gamma": 1})
    assert str(_count_row(outlets, counts)) == _env().from_string(_COUNT_ROW_LOOP).render(outlets=outlets,
                                                                                            counts=counts)
