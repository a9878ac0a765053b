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

import threading
from collections.abc import Callable, Iterator
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


def shared_map(fn: Callable[[Any], Any], items: list[Any], pool: Callable[[], Any], chunk: int = 16) -> list[Any]:
    """``[fn(x) for x in items]``, in order, with this process and a pool's processes taking
    chunks of ``items`` from one queue.

    ``pool()`` returns the pool if it is up, else None without waiting: this process works
    on, asking again after each chunk, and the pool joins in once it is there (a pool still
    loading its models costs no waiting).  The pool's processes take a chunk only when they
    are ready for it, so neither side is left holding a backlog.  ``fn`` must be a picklable
    top-level function, and the items independent of one another.

    Why: ingest labels each article's lines on one core while the document workers, started
    early so their models are loaded when the parse begins, sit idle on the other."""
    chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    lock = threading.Lock()
    queue = iter(enumerate(chunks))

    def take() -> tuple[int, list[Any]] | None:
        with lock:
            return next(queue, None)

    def feed() -> Iterator[tuple[Callable[[Any], Any], int, list[Any]]]:
        while (c := take()) is not None:
            yield fn, c[0], c[1]

    done: dict[int, list[Any]] = {}
    remote = None
    while (c := take()) is not None:
        done[c[0]] = [fn(x) for x in c[1]]
        if remote is None and (p := pool()) is not None:
            remote = p.imap_unordered(_run_chunk, feed())
    for k, out in remote if remote is not None else ():
        done[k] = out
    return [y for k in range(len(chunks)) for y in done[k]]


def _run_chunk(task: tuple[Callable[[Any], Any], int, list[Any]]) -> tuple[int, list[Any]]:
    fn, k, part = task
    return k, [fn(x) for x in part]
