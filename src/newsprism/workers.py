"""Where newsprism's worker processes come from: one fork server that has the models loaded.

Contract: ``worker_context()`` is the ``multiprocessing`` context every pool of ours uses
(the document stages' workers, the encoder processes).  Its processes are forked from a
server process started fresh on first use, which imports ``newsprism.worker_preload``
first: the spaCy pipeline and the sentence encoder load there once.  ``lent_pool()`` is the
running pool (the encoder processes) that other work may borrow while it is idle; the
report and framing use it without depending on the module that owns it.

Why: a spawned worker starts an interpreter, imports spaCy and loads the pipeline (about
2.5 CPU-seconds, measured) and the encoder (about 0.9), and each pool's every worker did it
again.  A worker forked from the server starts with both in memory, shared page by page
with its siblings until written.  The server itself is a clean single-threaded process, so
forking from it is as safe as spawning, whatever threads the caller runs (a server, say):
the reason the pools were spawned rather than forked from the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PRELOAD = "newsprism.worker_preload"

# The running pool that other work may borrow (see ``lend_pool``), or None.
_LENT: dict[str, Any] = {"pool": None}


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


def lend_pool(pool: Any) -> None:
    """Offer a running pool of ours (the encoder processes) to other work, or withdraw the
    offer with ``None`` (before the pool is terminated)."""
    _LENT["pool"] = pool


def lent_pool() -> Any:
    """The pool on offer (a ``multiprocessing`` pool), or None when none is running.

    Work handed to it runs while its processes have nothing of their own to do (framing,
    the report's rendering): it must be a picklable top-level function, and it waits
    behind whatever the pool has already queued."""
    return _LENT["pool"]


class PoolMap:
    """``[fn(job) for job in jobs]``, worked out in ``pool``'s processes while the caller
    goes on; ``get()`` returns the list, in the jobs' order.  Without a pool (or with no
    jobs) ``get()`` does the work here, with the same result.  ``fn`` must be a picklable
    top-level function, and the jobs independent of one another."""

    def __init__(self, fn: Callable[[Any], Any], jobs: list[Any], pool: Any = None) -> None:
        self._fn = fn
        self.jobs = jobs
        self.pending = pool.map_async(fn, jobs, chunksize=1) if pool is not None and jobs else None

    def get(self) -> list[Any]:
        if self.pending is not None:
            return list(self.pending.get())
        return [self._fn(job) for job in self.jobs]
