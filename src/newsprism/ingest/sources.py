"""Turn what the user named (files, folders, globs, ``-`` for stdin, loopback URLs) into inputs.

Contract: ``discover`` yields, in a stable order, one ``Source`` per input file or an
``errors.InputRejected``-style ``Rejected`` record for a name that cannot be read — it
never raises for a bad path, so one bad name never hides the good ones beside it.
Folders are walked recursively without following symlinked folders (no loops); hidden
files and metadata sidecars are skipped.
"""

from __future__ import annotations

import glob
import ipaddress
import os
import socket
import stat
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsprism.errors import InputRejected
from newsprism.model import Rejected

# File names that hold metadata for the folder's articles rather than articles.
SIDECAR_NAMES = frozenset({"metadata.csv", "metadata.json", "_metadata.csv", "_metadata.json"})


@dataclass(frozen=True, slots=True)
class Source:
    """One input to read: a file, stdin, or a URL (loopback only)."""

    name: str  # what we show the user and store as source_path
    path: Path | None = None
    url: str | None = None
    stdin: bool = False

    def read_bytes(self, limit: int) -> bytes:
        """The input's bytes; raises InputRejected('too_large'/'unreadable') as needed.

        ``limit`` is checked before reading (``stat``) where possible, so a huge file is
        never loaded just to be refused.
        """
        if self.stdin:
            data = sys.stdin.buffer.read(limit + 1)
            if len(data) > limit:
                raise InputRejected("too_large", f"standard input is larger than {limit:,} bytes")
            return data
        if self.url is not None:
            return fetch_loopback(self.url, limit)
        assert self.path is not None
        try:
            size = self.path.stat().st_size
            if size > limit:
                raise InputRejected("too_large", f"{size:,} bytes is over the {limit:,}-byte limit")
            with self.path.open("rb") as fh:
                data = fh.read(limit + 1)
        except InputRejected:
            raise
        except OSError as exc:
            raise InputRejected("unreadable", exc.strerror or str(exc)) from None
        if len(data) > limit:
            raise InputRejected("too_large", f"over the {limit:,}-byte limit")
        return data

    @property
    def suffixes(self) -> list[str]:
        base = self.path.name if self.path is not None else urllib.parse.urlparse(self.url or "").path
        return [s.lower() for s in Path(base).suffixes]


def _is_glob(name: str) -> bool:
    return any(ch in name for ch in "*?[")


def _walk(folder: Path) -> Iterator[Path]:
    # followlinks=False: a symlinked folder (possibly a loop) is never entered.
    for root, dirs, files in os.walk(folder, followlinks=False, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.startswith(".") or f.lower() in SIDECAR_NAMES:
                continue
            yield Path(root) / f


def _regular(path: Path) -> Source | Rejected:
    """A Source for a regular file (or a link to one); a rejection for pipes, sockets, devices.

    Reading a FIFO or a device would block or never end, so those are refused by type.
    """
    try:
        st = path.stat()
    except OSError:
        # A broken or looping link: still the user's input; reading it reports why.
        return Source(name=str(path), path=path)
    if not stat.S_ISREG(st.st_mode):
        return Rejected(str(path), "unsupported", "not a regular file (a pipe, socket or device)")
    return Source(name=str(path), path=path)


def _resolved(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return str(path)


def discover(names: list[str], skip: frozenset[Path] = frozenset()) -> Iterator[Source | Rejected]:
    """Expand ``names`` into sources (see module docstring).  Each file is yielded once.

    ``skip`` holds resolved paths that a folder walk or glob passes over: newsprism's own
    database and its journal files, when the user keeps them beside the articles.  A file
    named explicitly is always read.
    """
    seen: set[str] = set()
    for p in skip:
        seen.add(str(p))

    def once(item: Source | Rejected) -> Iterator[Source | Rejected]:
        if isinstance(item, Rejected):
            key = item.source_path
        else:
            try:
                key = str(item.path.resolve()) if item.path is not None else item.name
            except (OSError, RuntimeError):  # a symlink loop cannot be resolved
                key = item.name
        if key not in seen:
            seen.add(key)
            yield item

    for name in names:
        if name == "-":
            yield from once(Source(name="<stdin>", stdin=True))
            continue
        if name.startswith(("http://", "https://", "file://", "ftp://")):
            yield from once(Source(name=name, url=name))
            continue
        path = Path(name)
        if path.is_dir():
            for p in _walk(path):
                yield from once(_regular(p))
        elif path.exists() or path.is_symlink():
            seen.discard(_resolved(path))  # named explicitly: read it, even if it is in ``skip``
            yield from once(_regular(path))
        elif _is_glob(name):
            matches = sorted(glob.glob(name, recursive=True))
            if not matches:
                yield Rejected(name, "unreadable", "the pattern matches no file")
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    for p in _walk(mp):
                        yield from once(_regular(p))
                elif mp.name.lower() not in SIDECAR_NAMES:
                    yield from once(_regular(mp))
        else:
            yield Rejected(name, "unreadable", "no such file or folder")


def _is_loopback_host(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    addrs = {str(info[4][0]) for info in infos}
    return bool(addrs) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addrs)


def fetch_loopback(url: str, limit: int, timeout: float = 10.0) -> bytes:
    """GET ``url`` when it is http(s) on a loopback address; refuse anything else.

    newsprism runs offline: the only network it ever touches is this machine's loopback
    (a local feed server, say).  Redirects are not followed, so a loopback URL cannot
    bounce the request elsewhere.
    """
    parts = urllib.parse.urlparse(url)
    if parts.scheme not in ("http", "https"):
        raise InputRejected("unsupported", f"only http(s) URLs are read, not {parts.scheme!r}")
    host = parts.hostname or ""
    if not _is_loopback_host(host):
        raise InputRejected(
            "unsupported",
            f"{host!r} is not a loopback address; newsprism works offline and only reads URLs on this machine",
        )

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as resp:
            data: bytes = resp.read(limit + 1)
    except OSError as exc:
        raise InputRejected("unreadable", f"cannot fetch: {exc}") from None
    if len(data) > limit:
        raise InputRejected("too_large", f"the response is over the {limit:,}-byte limit")
    return data
