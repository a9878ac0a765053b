"""Peak memory and CPU of a whole process tree, read from /proc while it runs (Linux).

Why not ``wait4``'s ``ru_maxrss``: newsprism's workers are forked from a fork server, a
child of the measured process that is never waited for, so the kernel's accounting of the
measured process leaves them out (their CPU as well).  The sampler walks the tree every
``interval`` seconds: the largest resident set of any one process in it (what
``ru_maxrss`` meant before), the largest sum over the tree, and the CPU seconds of every
process it saw, as last read.  A process that ends between two samples loses at most
one interval of CPU.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds, resident bytes) of ``pid``, or None once it has gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
        rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK, rss_pages * _PAGE


def _pss_bytes(pid: int) -> int:
    """Proportional set size of ``pid``: its resident pages, each shared page divided among
    the processes sharing it (0 once it has gone).  Forked workers share the fork server's
    model pages, which their resident set counts in full."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeSampler:
    """``with TreeSampler(pid) as s: ...`` then ``s.peak_mb``, ``s.peak_total_mb``, ``s.cpu_s``;
    per process: ``s.rss_mb[pid]`` and ``s.pss_mb[pid]``, the largest seen (MB)."""

    def __init__(self, root: int, interval: float = 0.1) -> None:
        self.root = root
        self.interval = interval
        self.peak_mb = 0.0
        self.peak_total_mb = 0.0
        self._cpu: dict[int, float] = {}
        self.rss_mb: dict[int, float] = {}
        self.pss_mb: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu_s(self) -> float:
        return sum(self._cpu.values())

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        stats: dict[int, tuple[int, float, int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                st = _stat(int(entry))
                if st is not None:
                    stats[int(entry)] = st
        tree, frontier = {self.root}, [self.root]
        children: dict[int, list[int]] = {}
        for pid, (ppid, _cpu, _rss) in stats.items():
            children.setdefault(ppid, []).append(pid)
        while frontier:
            for child in children.get(frontier.pop(), []):
                if child not in tree:
                    tree.add(child)
                    frontier.append(child)
        total = 0
        for pid in tree & stats.keys():
            _ppid, cpu, rss = stats[pid]
            self._cpu[pid] = cpu
            self.peak_mb = max(self.peak_mb, rss / 2**20)
            self.rss_mb[pid] = max(self.rss_mb.get(pid, 0.0), rss / 2**20)
            self.pss_mb[pid] = max(self.pss_mb.get(pid, 0.0), _pss_bytes(pid) / 2**20)
            total += rss
        self.peak_total_mb = max(self.peak_total_mb, total / 2**20)
