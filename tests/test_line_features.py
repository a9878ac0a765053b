"""The key tests in front of the slow line cues: a line they turn away never matches the cue."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsprism.clean import line_features as lf

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "prague-2024"

# At least one match of every alternative of each pattern, in mixed case, some with the
# letters that case-insensitive matching folds to i and s (ſ, ı) and ``str.lower`` does not.
MATCHES = {
    "caption": (lf._CAPTION_CUE, lf._CAPTION_KEYS, [
        "Putin (Left) and Xi", "(pictured) the PM", "(second right)", "(FILE)", "The minister, PICTURED in May",
        "Crowds are seen near", "He was Shown on TV", "She is pictured", "A file photo of", "A HANDOUT image",
        "In this Picture, a man", "this image from", "this handout", "As SEEN HERE", "Photo shows the square",
        "The image shows", "a data visualisation", "VISUALIZATION", "An undated photo", "the man pictured in",
        "Crowds are ſeen near", "A file photo of", "In thıs image"]),
    "standards": (lf._STANDARDS, lf._STANDARDS_KEYS, [
        "our Editorial Standards", "OUR STANDARDS", "Trust Principles", "committed to truth", "committed to accuracy",
        "for accuracy", "Corrections policy", "Correction: an earlier", "Clarification: the", "Editor's note:",
        "Editor’s Note", "editors note", "This article was amended on", "It was corrected to", "was updated on",
        "An earlier version of this", "fact-check policy", "Fact checking policy", "ethics policy", "Disclosure:",
        "we disclose", "affiliate links", "Produced with the help of", "produced with the assistance of",
        "editorially independent", "support our journalism", "Editor'ſ note", "for accuracy"]),
    "reporting": (lf._REPORTING, lf._REPORTING_KEYS, [
        "he said", "SAYS", "she told", "Added", "According to", "stated", "warned", "explained", "announced",
        "REPORTED", "he ſaid", "ſtated", "explaıned"]),
    "ad": (lf._AD, lf._AD_KEYS, [
        "Subscribe now", "subscribe to", "Sign up for", "SIGN UP HERE", "our newsletters", "Donate today",
        "Paid content", "paid partnership", "Free trial", "Unlock the full story", "Get 50% off", "support our journalism",
        "support independent investigative journalism", "in your inbox", "Story continues below",
        "Get in touch with our news team", "Partner content", "Advertise with us", "Start advertising",
        "Sponsored post", "ſubscribe now", "newſletter"]),
    "ad_weak": (lf._AD_WEAK, lf._AD_KEYS, [
        "Advertisement", "ADVERTIZING", "Sponsored by", "Subscribers only", "sign up", "Donations", "Promoted",
        "promo", "Affiliate", "ſponsor", "ſubſcribe", "advertıſement"]),
}


@pytest.mark.parametrize("cue", sorted(MATCHES))
def test_every_alternative_passes_its_key_test(cue: str) -> None:
    pattern, keys, lines = MATCHES[cue]
    for line in lines:
        assert pattern.search(line), (cue, line)  # the example itself is a match
        assert lf._may_match(lf._lowered(line), keys), (cue, line)


def test_lines_without_a_key_are_turned_away() -> None:
    assert not lf._may_match(lf._lowered("The talks in Prague ended on Friday."), lf._CAPTION_KEYS)
    assert lf._lowered("ıt") is None  # a fold ``lower`` does not make: no key test


def _plain_cues(text: str) -> dict[str, bool]:
    """What the cues are by their regexes alone, with no key test in front."""
    nw = len(lf._WORD.findall(text))
    weak = lf._AD_WEAK.search(text)
    return {
        "caption_cue": bool(lf._CAPTION_CUE.search(text)),
        "standards": nw <= 45 and bool(lf._STANDARDS.search(text)),
        "reporting": bool(lf._REPORTING.search(text)),
        "date": bool(lf._DATE.search(text)),
        "time": bool(lf._TIME.search(text)),
        "ad": nw <= 40 and (bool(lf._AD.search(text)) or (weak is not None and (nw <= 6 or weak.start() <= 2))),
        "has_quote": any(c in lf._QUOTES for c in text if c not in "'’") or " '" in text,
    }


def test_shape_gives_the_plain_regex_answers_on_the_example() -> None:
    lines = [ln.strip() for p in sorted(EXAMPLE.iterdir()) if p.is_file()
             for ln in p.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]  # fmt: skip
    lines += [line for _, _, examples in MATCHES.values() for line in examples]
    lines += ["On 12 March 2024 at 10:30 GMT", "On ١٢ March", "“No,” he ſaid."]
    assert len(lines) > 200
    for line in lines:
        shape = lf.shape(line)
        assert {name: getattr(shape, name) for name in _plain_cues(line)} == _plain_cues(line), line
    assert any(lf.shape(line).caption_cue for line in lines) and any(lf.shape(line).date for line in lines)

