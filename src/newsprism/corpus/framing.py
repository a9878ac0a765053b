"""Framing per outlet within one story: distinctive terms, naming choices, loaded words, voices.

``frame_story(story_id, articles, quotes)`` returns one ``OutletFraming`` per outlet.  Everything
is computed over the outlet's **own wording** (``framing_terms.own_spans``): content segments
minus quoted speech and its quotation marks, so a word a speaker said is never counted as the
outlet's choice.

* distinctive terms — Monroe et al. (2008) weighted log-odds, informative Dirichlet prior from
  the story, each outlet against the rest of the story; unigrams + bigrams; z > 1.96, top k.
* naming — the curated concept table (``data/framing_naming.toml``) plus generic "X-led Y" /
  "so-called X" constructions; a concept is reported only when the story's outlets use at least
  two different forms of it.
* loaded — hedging / loaded / evaluative lexicon hits, each an exact span of ``article.text``.
* voices — the outlet's quotes grouped by speaker name, with an affiliation read off the words
  next to the speaker mention ("Kremlin spokesman Dmitry Peskov" → "Kremlin spokesman").

Articles without an outlet are grouped under ``"? " + file name``.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsprism.corpus.framing_lexicon import (
    Lexicon,
    NameUse,
    NamingTable,
    TokenLike,
    _data_text,
    count_plain,
    find_constructions,
)
from newsprism.corpus.framing_terms import count_terms, log_odds, own_spans
from newsprism.model import Article, Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc

Z_MIN = 1.96  # two-sided 95%: the usual cut for "distinctive" in fightin'-words analyses
TOP_K = 20
# With one short article per outlet few terms pass z > 1.96; the list is then filled up to
# MIN_TERMS with the next best terms above Z_FLOOR (each item keeps its z, so a reader can
# tell strong from weak evidence).
MIN_TERMS = 15
Z_FLOOR = 1.0
UNATTRIBUTED = "(unattributed)"


@dataclass(slots=True)
class OutletFraming:
    """How one outlet framed one story (all spans index the named article's ``text``)."""

    outlet: str
    distinctive_terms: list[dict[str, Any]] = field(default_factory=list)  # {term, z, count}, highest z first
    naming: list[dict[str, Any]] = field(default_factory=list)  # {concept, form, count, spans}
    loaded: list[dict[str, Any]] = field(default_factory=list)  # {article, start, end, term, category}
    voices: list[dict[str, Any]] = field(default_factory=list)  # {speaker, affiliation, quotes}
    story: str = ""

    def to_json(self) -> dict[str, Any]:
        """The export contract's framing item plus the extra keys (naming, scores, loaded terms)."""
        return {
            "outlet": self.outlet,
            "story": self.story,
            "distinctive_terms": [t["term"] for t in self.distinctive_terms],
            "loaded": [{"article": h["article"], "start": h["start"], "end": h["end"]} for h in self.loaded],
            "voices": [
                {"speaker": v["speaker"], "quotes": v["quotes"], "affiliation": v["affiliation"]} for v in self.voices
            ],
            "naming": [dict(n) for n in self.naming],
            "distinctive_scores": [dict(t) for t in self.distinctive_terms],
            "loaded_terms": [dict(h) for h in self.loaded],
        }


def outlet_key(article: Article) -> str:
    """The outlet an article is grouped under: its outlet, or ``"? " + file name``."""
    return article.outlet or "? " + Path(article.source_path).name


# --- voices --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _role_pattern() -> re.Pattern[str]:
    roles = tomllib.loads(_data_text("framing_lexicon.toml"))["roles"]["words"]
    alt = "|".join(re.escape(r) for r in sorted(roles, key=len, reverse=True))
    return re.compile(r"(?<![\w\-])(?:" + alt + r")(?![\w\-])", re.I)


# A title-case or role word run right before a name: "Kremlin spokesman", "Russian Foreign Minister".
_LEFT_RUN = re.compile(r"((?:(?:[A-Z][\w’'.\-]*|[a-z]+)\s+){1,5})$")
# An appositive right after a name: ", the Kremlin's top spokesman," / ", chairman of the RNC,".
_APPOSITIVE = re.compile(r"^,\s+(?:the\s+|a\s+|an\s+)?([^,.;:“”\"\n]{2,70}?)\s*[,.;)]")
_ABBREV = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Z][a-z]{0,3}\.")  # U.S., Gen., Sen., Rep.
_LOWER_STOP = frozenset({"the", "a", "an", "and", "or", "of", "to", "by", "said", "says", "told", "as", "that",
                         "with", "for", "in", "on", "at", "from", "but", "while", "when"})  # fmt: skip


_CONNECTORS = frozenset({"of", "for", "the", "and", "on", "to"})
_LEADING_SKIP = (
    _CONNECTORS | _LOWER_STOP | {"according", "meanwhile", "also", "then", "asked", "earlier", "later", "now"}
)


def _title_chain(words: list[str]) -> str | None:
    """The title right against a name, from the words before it: "Kremlin spokesman",
    "US Secretary of State", "NATO chief"; None when the words hold no role word.

    Walk back from the name over capitalized words, role words and connectors ("of"), drop
    leading connectors, and end at the last role word unless an "of …" continues it (so a
    first name — "Foreign Minister Jan" — is left out).
    """
    roles = _role_pattern()
    keep: list[str] = []
    for w in reversed(words):
        if w[:1].isupper() or roles.fullmatch(w) or w.lower() in _CONNECTORS:
            keep.insert(0, w)
        else:
            break
    # Sentence-initial words are capitalized too: drop function words and connectors at either end.
    while keep and (keep[0].lower() in _LEADING_SKIP):
        keep = keep[1:]
    while keep and keep[-1].lower() in _CONNECTORS:
        keep = keep[:-1]
    role_at = [i for i, w in enumerate(keep) if roles.fullmatch(w.rstrip(".,")) or roles.fullmatch(w)]
    if not role_at:
        return None
    last = role_at[-1]
    if last + 1 < len(keep) and keep[last + 1].lower() != "of":
        keep = keep[: last + 1]
    phrase = " ".join(keep)
    return phrase if _ABBREV.fullmatch(keep[-1]) else phrase.rstrip(".,")


def affiliation(text: str, start: int, end: int) -> str | None:
    """A role/organisation phrase next to a speaker mention ``text[start:end]``, or None.

    Rule: the title chain right before the mention (same line, after any sentence end; see
    ``_title_chain``) if it holds a role word; else the appositive after the mention if that
    contains a role word.
    """
    roles = _role_pattern()
    line_start = text.rfind("\n", 0, start) + 1
    m = _LEFT_RUN.search(text[max(line_start, start - 80) : start])
    if m:
        words = m.group(1).split()
        # Start after the last sentence end inside the run ("Ukraine. Foreign Minister Lavrov").
        ends = [i for i, w in enumerate(words) if w.endswith(".") and not _ABBREV.fullmatch(w)]
        if ends:
            words = words[ends[-1] + 1 :]
        phrase = _title_chain(words)
        if phrase:
            return phrase
    m2 = _APPOSITIVE.match(text[end : end + 90])
    if m2 and roles.search(m2.group(1)):
        return m2.group(1).strip()
    return None


def _word_char(ch: str) -> bool:
    r"""``ch`` matches ``[\w\-]`` (``re``'s ``\w`` on ``str`` is ``isalnum`` or ``_``)."""
    return ch.isalnum() or ch in "_-"


def name_spans(text: str, name: str) -> list[tuple[int, int]]:
    r"""Where ``name`` stands free in ``text``: the matches of
    ``(?<![\w\-])NAME(?![\w\-])`` (literal, case-sensitive, left to right, not
    overlapping), found with ``str.find``.  Why not the regex: a speaker's pattern was
    compiled once per outlet and story (~1 ms each), most of ``outlet_voices``' time.
    """
    out: list[tuple[int, int]] = []
    if not name:
        return out
    n = len(name)
    i = text.find(name)
    while i != -1:
        end = i + n
        if (i == 0 or not _word_char(text[i - 1])) and (end == len(text) or not _word_char(text[end])):
            out.append((i, end))
            i = text.find(name, end)
        else:
            i = text.find(name, i + 1)
    return out


def outlet_voices(articles: Sequence[Article], quotes: Sequence[Quote]) -> list[dict[str, Any]]:
    """The outlet's quotes grouped by speaker name: most-quoted first.

    A quote without a speaker counts under ``"(unattributed)"``.  The affiliation is the one
    most often found next to that speaker's mentions: the quotes' speaker spans and every
    place the speaker's name is written out in the outlet's articles (None when never found).
    """
    texts = {a.id: a.text for a in articles}
    counts: Counter[str] = Counter()
    mentions: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    for q in quotes:
        if q.article not in texts:
            continue
        name = q.speaker.name if q.speaker and q.speaker.name else UNATTRIBUTED
        counts[name] += 1
        if q.speaker and q.speaker.end > q.speaker.start:
            mentions[name].add((q.article, q.speaker.start, q.speaker.end))
    affs: dict[str, Counter[str]] = defaultdict(Counter)
    for name in counts:
        if name == UNATTRIBUTED:
            continue
        for aid, text in texts.items():
            mentions[name].update((aid, st, en) for st, en in name_spans(text, name))
        # In text order: a tie between two affiliations then goes to the one written first,
        # the same in every run (a set's order changes with string hashing).
        for aid, st, en in sorted(mentions[name]):
            aff = affiliation(texts[aid], st, en)
            if aff:
                affs[name][aff] += 1
    out = []
    for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        best = affs[name].most_common(1)
        out.append({"speaker": name, "affiliation": best[0][0] if best else None, "quotes": n})
    return out


# --- naming --------------------------------------------------------------------------------


def story_naming(texts: Mapping[str, list[tuple[Article, list[tuple[int, int]]]]],
                 table: NamingTable | None = None) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """Per outlet, the naming choices of concepts whose form differs across the story.

    ``texts`` maps outlet → [(article, own spans)].  Returns outlet → [{concept, form, count,
    spans: [{article, start, end}]}], sorted by concept then count.
    """
    if len(texts) < 2:  # one outlet: nothing to contrast
        return {o: [] for o in texts}
    table = table or NamingTable.default()
    uses: dict[str, list[tuple[str, NameUse]]] = defaultdict(list)  # outlet → (article id, use)
    constructions: dict[str, list[tuple[str, NameUse]]] = defaultdict(list)
    for outlet, items in texts.items():
        for art, spans in items:
            uses[outlet] += [(art.id, u) for u in table.find(art.text, spans)]
            constructions[outlet] += [(art.id, u) for u in find_constructions(art.text, spans)]
    # Generic constructions: each qualified head is also counted where it stands bare.
    heads = {u.concept for items in constructions.values() for _, u in items}
    for outlet, items in texts.items():
        own = constructions[outlet]
        uses[outlet] += own
        for head in heads:
            for art, spans in items:
                qualified = [(u.start, u.end) for aid, u in own if aid == art.id]
                for s, e in count_plain(art.text, spans, head, qualified):
                    uses[outlet].append((art.id, NameUse(head, head, s, e)))
    forms_by_concept: dict[str, set[str]] = defaultdict(set)
    for outlet_uses in uses.values():
        for _, u in outlet_uses:
            forms_by_concept[u.concept].add(u.form)
    out: dict[str, list[dict[str, Any]]] = {}
    for outlet in texts:
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for aid, u in uses[outlet]:
            if len(forms_by_concept[u.concept]) >= 2:
                grouped[(u.concept, u.form)].append({"article": aid, "start": u.start, "end": u.end})
        rows: list[dict[str, Any]] = []
        for (concept, form), sp in grouped.items():
            sp.sort(key=lambda d: (d["article"], d["start"]))
            rows.append({"concept": concept, "form": form, "count": len(sp), "spans": sp})
        rows.sort(key=lambda r: (str(r["concept"]).lower(), -int(r["count"]), str(r["form"])))
        out[outlet] = rows
    return out


# --- the stage -----------------------------------------------------------------------------


def frame_story(story_id: str, articles: list[Article], quotes: list[Quote],
                docs: Mapping[str, Doc | Iterable[TokenLike]] | None = None, top_k: int = TOP_K,
                z_min: float = Z_MIN, use_vader: bool = True,
                quoted_speech: bool = False) -> list[OutletFraming]:  # fmt: skip
    """Framing of each outlet covering story ``story_id``, sorted by outlet.

    ``quotes`` may include quotes of articles outside the story (they are ignored).  ``docs``
    maps article id → spaCy ``Doc`` of ``article.masked_text()`` (as ``stages.nlp.parse``
    makes), or the evaluative tokens the document stage kept (``DocResult.eval_tokens``); a
    missing one is parsed here when ``use_vader`` needs it.  With a single outlet
    there is nothing to contrast: its distinctive terms and naming lists are empty, while
    loaded words and voices are still reported.  ``quoted_speech=True`` keeps the words inside
    quotation marks that no quote in ``quotes`` covers (for scoring against annotations that
    mark bias inside quotes too); the product never sets it.
    """
    # Only this story's quotes matter (the contract ignores the others); the pipeline passes
    # every quote of the corpus, and each article and outlet below scanned all of them.
    ids = {a.id for a in articles}
    quotes = [q for q in quotes if q.article in ids]
    by_outlet: dict[str, list[tuple[Article, list[tuple[int, int]]]]] = defaultdict(list)
    for art in articles:
        by_outlet[outlet_key(art)].append((art, own_spans(art, quotes, marked=not quoted_speech)))
    counts = {o: sum((count_terms(a.text, sp) for a, sp in items), Counter()) for o, items in by_outlet.items()}
    scores = log_odds(counts)
    naming = story_naming(by_outlet)
    lexicon = Lexicon.default()
    out = []
    for outlet in sorted(by_outlet):
        items = by_outlet[outlet]
        ranked = scores.get(outlet, [])
        chosen = [t for t in ranked if t.z > z_min][:top_k]
        if len(chosen) < min(MIN_TERMS, top_k):
            chosen += [t for t in ranked if Z_FLOOR < t.z <= z_min][: min(MIN_TERMS, top_k) - len(chosen)]
        distinctive = [{"term": t.term, "z": round(t.z, 3), "count": t.count} for t in chosen]
        loaded = []
        for art, spans in items:
            doc = _doc_for(art, docs) if use_vader else None
            for h in lexicon.find(art.text, spans, doc=doc, use_vader=use_vader):
                loaded.append({"article": art.id, "start": h.start, "end": h.end, "term": h.term,
                               "category": h.category, "source": h.source})  # fmt: skip
        out.append(
            OutletFraming(
                outlet=outlet,
                distinctive_terms=distinctive,
                naming=naming.get(outlet, []),
                loaded=loaded,
                voices=outlet_voices([a for a, _ in items], quotes),
                story=story_id,
            )
        )
    return out


def _doc_for(article: Article, docs: Mapping[str, Doc | Iterable[TokenLike]] | None) -> Doc | Iterable[TokenLike]:
    if docs is not None and article.id in docs:
        return docs[article.id]
    from newsprism.stages.nlp import parse  # spaCy loads only when a parse is needed

    return parse(article)


FramingJob = tuple[str, list[Article], list[Quote], dict[str, list[Any]]]
# Below this many articles (about 15 ms of framing each) handing the stories to the worker
# processes costs more than framing them in parallel saves.  Set when a worker's first
# framing imported scikit-learn (1.5 s); framing has had its own TF-IDF since 2026-12-06
# and its import takes 0.18 s, so the threshold could be lower: not re-measured yet.
POOL_MIN_ARTICLES = 100


def _frame_job(job: FramingJob) -> list[OutletFraming]:
    story_id, articles, quotes, tokens = job
    return frame_story(story_id, articles, quotes, docs=tokens)


class StoryFramings:
    """``frame_story`` for many stories, in ``pool``'s processes while the caller goes on.

    ``jobs``: (story id, its articles, its quotes, evaluative tokens per article id).
    ``get()`` returns every story's outlet framings, concatenated in the jobs' order; the
    same as framing the stories one by one here (the stories are independent).  Without a
    pool, or with fewer than ``min_articles`` articles in all, ``get()`` does the work.
    """

    def __init__(self, jobs: list[FramingJob], pool: Any = None, min_articles: int = POOL_MIN_ARTICLES) -> None:
        from newsprism.workers import PoolMap

        self.jobs = jobs
        big = sum(len(articles) for _, articles, _, _ in jobs) >= min_articles
        self._map = PoolMap(_frame_job, jobs, pool if big else None)
        self._pending = self._map.pending

    def get(self) -> list[OutletFraming]:
        return [f for part in self._map.get() for f in part]

