"""The HTTP API against a real `newsprism serve` process on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import EXAMPLE, run_cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    exe = Path(sys.executable).parent / "newsprism"
    proc = subprocess.Popen([str(exe), "serve", "--db", str(db), "--port", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server died") from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("api")
    db = tmp / "api.db"
    res = run_cli("analyze", str(EXAMPLE), "--db", str(db), "--out", str(tmp / "out"), "--quiet")
    assert res.returncode == 0, res.stderr
    proc, base = start_server(db)
    try:
        yield base, db
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_every_documented_route_answers(server: tuple[str, Path]) -> None:
    base, _ = server
    spec = httpx.get(f"{base}/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    stories = httpx.get(f"{base}/api/stories").json()
    assert stories, "the example makes at least one story"
    sid = stories[0]["id"]
    arts = httpx.get(f"{base}/api/articles").json()
    aid = arts[0]["id"]
    fill = {"story_id": sid, "article_id": aid}
    for path, ops in spec["paths"].items():
        for method in ops:
            if method != "get":
                continue
            url = base + path.format(**fill)
            if path == "/api/search":
                url += "?q=NATO"
            r = httpx.get(url)
            assert r.status_code == 200, (path, r.status_code, r.text[:200])


def test_openapi_schema_validates(server: tuple[str, Path]) -> None:
    from openapi_spec_validator import validate

    validate(httpx.get(f"{server[0]}/openapi.json").json())


def test_html_pages_and_json_twins(server: tuple[str, Path]) -> None:
    base, _ = server
    index = httpx.get(f"{base}/")
    assert index.status_code == 200 and "text/html" in index.headers["content-type"]
    sid = httpx.get(f"{base}/api/stories").json()[0]["id"]
    page = httpx.get(f"{base}/stories/{sid}")
    twin = httpx.get(f"{base}/stories/{sid}.json").json()
    assert page.status_code == 200 and twin["schema_version"] == 1
    assert all(a["id"] in page.text for a in twin["articles"])
    assert httpx.get(f"{base}/search", params={"q": "Prague"}).status_code == 200
    assert httpx.get(f"{base}/api/docs").status_code == 200
    assert "cdn" not in httpx.get(f"{base}/api/docs").text.lower()


def test_filters_and_errors_share_one_shape(server: tuple[str, Path]) -> None:
    base, _ = server
    quotes = httpx.get(f"{base}/api/quotes").json()
    assert quotes
    speaker = next(q["speaker"]["name"] for q in quotes if q.get("speaker"))
    some = httpx.get(f"{base}/api/quotes", params={"speaker": speaker.split()[-1]}).json()
    assert some and all(speaker.split()[-1].lower() in (q["speaker"]["name"] or "").lower() for q in some)
    for status in ("corroborated", "single_source", "conflicting"):
        got = httpx.get(f"{base}/api/claims", params={"status": status}).json()
        assert all(c["status"] == status for c in got)
    for url, code in ((f"{base}/api/stories/nope", 404), (f"{base}/api/claims?status=maybe", 422),
                      (f"{base}/api/articles/zzzzzzzz", 404), (f"{base}/nothing-here", 404)):  # fmt: skip
        r = httpx.get(url)
        assert r.status_code == code
        err = r.json()["error"]
        assert err["status"] == code and err["code"] and err["message"]


def test_ingest_post_size_limit_and_export(server: tuple[str, Path]) -> None:
    base, _ = server
    art = {"title": "Dockworkers end strike", "outlet": "Harbour News", "published": "2024-06-01",
           "text": "Dockworkers end strike\\nDockworkers at the port ended a strike on Tuesday after a pay deal.\\n"
                   "“This is fair,” union leader Anna de Vries said.\\n"}  # fmt: skip
    art["text"] = art["text"].replace("\\n", "\n")
    r = httpx.post(f"{base}/api/articles", json=[art, {"title": "no text"}], timeout=120)
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["articles"]) == 1 and body["new_articles"] == 1
    assert body["rejected"] == [{"index": 1, "code": "bad_record", "reason": body["rejected"][0]["reason"]}]
    again = httpx.post(f"{base}/api/articles", json=art, timeout=120).json()
    assert again["new_articles"] == 0  # content-hash ids: re-ingest is a no-op
    bad = httpx.post(f"{base}/api/articles", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_json"
    big = httpx.post(f"{base}/api/articles", content=b"x" * (21 * 1024 * 1024))
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    csv_text = httpx.get(f"{base}/api/export", params={"format": "csv", "table": "quotes"}).text
    assert csv_text.splitlines()[0].startswith("id,")
    full = httpx.get(f"{base}/api/export").json()
    assert full["schema_version"] == 1 and any(a["outlet"] == "Harbour News" for a in full["articles"])


def test_token_required_when_set(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    proc, base = start_server(db, "--token", "s3cret")
    try:
        assert httpx.get(f"{base}/api/health").status_code == 401
        ok = httpx.get(f"{base}/api/health", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json()["status"] == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_non_loopback_bind_generates_a_token(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "newsprism"
    port = _free_port()
    proc = subprocess.Popen([str(exe), "serve", "--db", str(tmp_path / "x.db"), "--host", "0.0.0.0", "--port", str(port)],
                            stderr=subprocess.PIPE, env={**os.environ, "NEWSPRISM_TOKEN": ""})  # fmt: skip
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline().decode()
        assert "Authorization: Bearer" in line
        token = line.split("Bearer ")[1].split("'")[0]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/health")
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert r.status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/api/health",
                         headers={"Authorization": f"Bearer {token}"}).status_code == 200  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_json_body_echo_is_not_html(server: tuple[str, Path]) -> None:
    """Error messages are JSON, never reflected HTML."""
    base, _ = server
    r = httpx.get(f"{base}/api/stories/<script>alert(1)</script>")
    assert r.headers["content-type"].startswith("application/json")
    json.loads(r.text)


def test_no_route_reads_files_outside_the_database(server: tuple[str, Path]) -> None:
    # No route serves files; none may be talked into one.  Raw paths (not normalised by the
    # client) reach the server exactly as written.
    base, _ = server
    probes = [
        "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/stories/..%2f..%2f..%2fetc%2fpasswd",
        "/stories/..%2f..%2f..%2fetc%2fpasswd.json", "/api/articles/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/stories/....//....//etc/passwd", "/api/export?table=../../../etc/passwd",
        "/api/export?format=../../etc/passwd", "/api/docs/../../../../etc/passwd", "/static/../../pyproject.toml",
    ]
    with httpx.Client() as client:

        def raw_get(path: str) -> httpx.Response:
            req = client.build_request("GET", base)
            req.url = req.url.copy_with(raw_path=path.encode())
            return client.send(req)

        assert raw_get("/api/health").status_code == 200  # the raw-path request really reaches routes
        for path in probes:
            r = raw_get(path)
            assert r.status_code in (400, 404, 422), (path, r.status_code)
            assert "root:" not in r.text and "[build-system]" not in r.text, path
            assert r.json()["error"]["status"] == r.status_code, path
