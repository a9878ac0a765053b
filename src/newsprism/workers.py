"""Where newsprism's worker processes come from: one fork server that has the models loaded.

Contract: ``worker_context()`` is the ``multiprocessing`` context every pool of ours uses
(the document stages' workers, the encoder processes).  Its processes are forked from a
server process started fresh on first use, which imports ``newsprism.worker_preload``
first: the spaCy pipeline and the sentence encoder load there once.

Why: a spawned worker starts an interpreter, imports spaCy and loads the pipeline (about
2.5 CPU-seconds, measured) and the encoder (about 0.9), and each pool's every worker did it
again.  A worker forked from the server starts with both in memory, shared page by page
with its siblings until written.  The server itself is a clean single-threaded process, so
forking from it is as safe as spawning, whatever threads the caller runs (a server, say):
the reason the pools were spawned rather than forked from the caller.
"""

from __future__ import annotations

from typing import Any

PRELOAD = "newsprism.worker_preload"


def worker_context() -> Any:
    """The ``multiprocessing`` context for newsprism's pools (see the module docstring).

    Where the platform has no fork server (Windows), processes are spawned and each loads
    its models itself, as they all did before."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # Only our module: the caller's __main__ (a test runner, a server) has no business in
    # the server, and importing it there would run its top level a second time.
    ctx.set_forkserver_preload([PRELOAD])
    return ctx
