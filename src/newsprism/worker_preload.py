"""Imported once, by the fork server of ``newsprism.workers``: loads the models every worker needs.

Importing this module loads the spaCy pipeline (``stages.nlp.load_nlp``), the sentence
encoder (``corpus.embeddings._model``), the line classifier and the language identifier
(ingest's labelling) into the importing process; nothing else should
import it.  A model that fails to load here is simply not preloaded: each worker then
loads it itself, and reports the failure where it is used.
"""

from __future__ import annotations

import contextlib
import gc

with contextlib.suppress(Exception):
    from newsprism.stages.nlp import load_nlp

    load_nlp()

with contextlib.suppress(Exception):
    from newsprism.corpus.embeddings import _model

    _model()

# Ingest's labelling runs in the document workers too (``DocumentWorkers.share``): the line
# classifier and the language identifier.
with contextlib.suppress(Exception):
    from newsprism.clean.boilerplate import load_model
    from newsprism.ingest.language import _identifier

    load_model()
    _identifier()

# Every object loaded so far moves to the collector's permanent generation: a worker's
# garbage collections then never write to (and so never copy) the pages these objects
# share with the fork server and the other workers.
gc.freeze()
