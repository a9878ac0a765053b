"""Load: 100 concurrent clients against a real ``newsprism serve`` process on loopback.

Reads (stories, quotes, claims, search, a story page and its JSON twin) mix with ingests
(``POST /api/articles``, one small distinct article each) and one deliberate bad request per
client.  Every response must have its expected status (200 reads, 201 ingests, 422 for the bad
request), every ingested article must be stored, and the p50/p99 latencies are printed and
written to ``load.json``.

The duration is 60 s by default, as the reliability brief asks; ``NEWSPRISM_LOAD_SECONDS=20`` is a quicker run.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import sqlite3
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from conftest import EXAMPLE, run_cli
from test_api import start_server

CLIENTS = 100
DURATION = float(os.environ.get("NEWSPRISM_LOAD_SECONDS", "60"))
MAX_REQUESTS_PER_CLIENT = 5000  # a hard cap beside the time bound
INGEST_EVERY = 10  # one request in ten is an ingest, staggered so clients do not all ingest at once
OUTLET = "Load Test Wire"


@dataclass
class Result:
    kind: str
    status: int  # 0 when the request itself failed
    ms: float
    error: str = ""


@dataclass
class Client:
    n: int
    results: list[Result] = field(default_factory=list)
    ingested: list[str] = field(default_factory=list)  # article ids the server returned


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str]]:
    tmp = tmp_path_factory.mktemp("load")
    db = tmp / "load.db"
    res = run_cli("analyze", str(EXAMPLE), "--db", str(db), "--out", str(tmp / "out"), "--quiet")
    assert res.returncode == 0, res.stderr
    proc, base = start_server(db)
    try:
        sid = httpx.get(f"{base}/api/stories", timeout=60).json()[0]["id"]
        # Warm up: the first ingest loads the analysis models (several seconds, once per process).
        warm = httpx.post(f"{base}/api/articles", json=_article(-1, 0, random.Random(0)), timeout=300)
        assert warm.status_code == 201, warm.text
        yield base, db, sid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _article(client: int, seq: int, rng: random.Random) -> dict[str, str]:
    words = ["harbour", "strike", "council", "budget", "rail", "bridge", "vote", "mayor", "union", "court"]
    topic = " ".join(rng.choice(words) for _ in range(4))
    title = f"Load report {client}-{seq}: {topic}"
    body = (f"Officials in district {client} said on Tuesday that the {topic} plan number {seq} would go ahead.\n"
            f"“We expect a decision soon,” spokesman Jan Novak {client}-{seq} said.\n")  # fmt: skip
    return {"title": title, "outlet": OUTLET, "published": "2024-06-01", "text": f"{title}\n{body}"}


def _run_client(c: Client, base: str, sid: str, stop_at: float) -> None:
    """One client on one keep-alive connection: a seeded mix of requests until ``stop_at``."""
    rng = random.Random(1000 + c.n)
    reads = ["/api/stories", "/api/quotes", "/api/claims?status=corroborated", "/api/search?q=NATO",
             f"/stories/{sid}", f"/stories/{sid}.json"]  # fmt: skip
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        for seq in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= stop_at:
                break
            if seq == 3:
                kind, expect = "bad_request", 422  # deliberate: an unknown claim status
            elif (seq + c.n) % INGEST_EVERY == INGEST_EVERY - 1:  # staggered across clients
                kind, expect = "ingest", 201
            else:
                kind, expect = rng.choice(reads), 200
            t = time.perf_counter()
            try:
                if kind == "ingest":
                    body = json.dumps(_article(c.n, seq, rng)).encode()
                    conn.request("POST", "/api/articles", body=body, headers={"Content-Type": "application/json"})
                else:
                    conn.request("GET", "/api/claims?status=maybe" if kind == "bad_request" else kind)
                resp = conn.getresponse()
                data = resp.read()
                ms = (time.perf_counter() - t) * 1000
                ok = resp.status == expect
                c.results.append(Result(kind, resp.status, ms, "" if ok else data[:200].decode(errors="replace")))
                if kind == "ingest" and ok:
                    got = json.loads(data)
                    if got["new_articles"] != 1:
                        c.results[-1].error = f"new_articles={got['new_articles']}"
                    c.ingested.extend(a["id"] for a in got["articles"])
            except (OSError, http.client.HTTPException) as exc:
                c.results.append(Result(kind, 0, (time.perf_counter() - t) * 1000, repr(exc)))
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=120)
    finally:
        conn.close()


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    xs = sorted(values)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs)) - 1))]


def test_hundred_clients_read_and_ingest(server: tuple[str, Path, str], tmp_path: Path) -> None:
    base, db, sid = server
    clients = [Client(i) for i in range(CLIENTS)]
    started = time.monotonic()
    stop_at = started + DURATION
    threads = [threading.Thread(target=_run_client, args=(c, base, sid, stop_at), daemon=True) for c in clients]
    for t in threads:
        t.start()
    join_by = stop_at + 180  # queued ingests may finish after the deadline; a hung client fails the test
    for t in threads:
        t.join(timeout=max(0.1, join_by - time.monotonic()))
    wall = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a client did not stop"

    results = [r for c in clients for r in c.results]
    expected = {r.kind: 200 for r in results} | {"ingest": 201, "bad_request": 422}
    errors = [r for r in results if r.error or r.status != expected[r.kind]]
    ingested = [i for c in clients for i in c.ingested]
    lat = [r.ms for r in results]
    by_kind = {}
    for kind in sorted({r.kind for r in results}):
        ms = [r.ms for r in results if r.kind == kind]
        by_kind[kind] = {"n": len(ms), "p50_ms": round(_pct(ms, 50), 1), "p99_ms": round(_pct(ms, 99), 1)}
    figures = {
        "duration_s": DURATION, "wall_s": round(wall, 1), "clients": CLIENTS, "requests": len(results),
        "errors": len(errors), "ingests": len(ingested), "rps": round(len(results) / wall, 1),
        "p50_ms": round(_pct(lat, 50), 1), "p99_ms": round(_pct(lat, 99), 1),
        "mean_ms": round(statistics.fmean(lat), 1) if lat else 0.0, "max_ms": round(max(lat, default=0.0), 1),
        "by_kind": by_kind, "first_errors": [r.__dict__ for r in errors[:5]],
    }  # fmt: skip

    # Everything ingested is stored (and nothing else from this outlet), and the file is intact.
    health = httpx.get(f"{base}/api/health", timeout=60)
    assert health.status_code == 200, "the server survived the load"
    conn = sqlite3.connect(db)
    try:
        stored = {r[0] for r in conn.execute("SELECT id FROM articles WHERE outlet = ?", (OUTLET,))}
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    figures["ingests_stored"] = len(stored & set(ingested))
    figures["integrity"] = integrity

    out = tmp_path / "load.json"
    out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures, indent=2))
    print(f"LOAD duration={DURATION:g}s clients={CLIENTS} requests={len(results)} errors={len(errors)} "
          f"ingests={len(ingested)} stored={figures['ingests_stored']} p50_ms={figures['p50_ms']} "
          f"p99_ms={figures['p99_ms']} rps={figures['rps']} json={out}")  # fmt: skip

    assert not errors, figures["first_errors"]
    assert len(results) >= CLIENTS, "every client made at least one request"
    assert ingested and len(ingested) == len(set(ingested))
    assert set(ingested) <= stored
    warm_up = 1  # the fixture's warm-up article
    assert len(stored) == len(ingested) + warm_up
    assert integrity == "ok"
