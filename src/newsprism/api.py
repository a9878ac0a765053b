"""The HTTP API and live web UI: a thin shell over the store and the pipeline.

Every HTML page has a JSON twin (``/stories/ID`` and ``/stories/ID.json``).  Errors
always have one shape: ``{"error": {"status": int, "code": str, "message": str}}``.
Bound to loopback by default; bound elsewhere it requires a bearer token.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsprism import __version__
from newsprism.config import Config
from newsprism.errors import NewsprismError
from newsprism.store.db import Store
from newsprism.store.results import AnalysisStore

MAX_BODY_BYTES = 20 * 1024 * 1024
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "code": code, "message": message}}, status_code=status)


def create_app(db_path: Path, *, token: str | None = None, max_body: int = MAX_BODY_BYTES) -> FastAPI:
    """The ASGI app over the SQLite file at ``db_path`` (created if missing)."""
    app = FastAPI(
        title="newsprism",
        version=__version__,
        description="Stories, copies, quotes, claims and framing across outlets, over one SQLite file.",
        docs_url=None,  # FastAPI's docs page loads scripts from a CDN; ours is self-contained
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    write_lock = asyncio.Lock()  # one writer at a time; readers use their own connections
    Store(db_path).close()  # create and migrate once, up front

    def reader() -> Store:
        return Store(db_path, readonly=True)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if token is not None:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return _error(401, "unauthorized", "send the token as 'Authorization: Bearer TOKEN'")
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body):
            return _error(413, "too_large", f"request bodies are limited to {max_body:,} bytes")
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", []))
        return _error(422, "invalid_request", f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(NewsprismError)
    async def np_error(_: Request, exc: NewsprismError) -> JSONResponse:
        return _error(400, "bad_request", str(exc))

    # -- pages ------------------------------------------------------------------------
    from newsprism.web import pages

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        with reader() as s:
            return HTMLResponse(pages.index_page(_stories(s), s.count("articles"), s.count("rejected")))

    @app.get("/stories/{story_id}.json", tags=["stories"], summary="A story's analysis (the JSON twin of its page)")
    def story_json(story_id: str) -> dict[str, Any]:
        with reader() as s:
            return _story_analysis(s, story_id)

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: str) -> HTMLResponse:
        from newsprism.report.render import render_report

        with reader() as s:
            return HTMLResponse(render_report(_story_analysis(s, story_id)))

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_html(q: str = Query("", max_length=500)) -> HTMLResponse:
        with reader() as s:
            hits = s.search(q, 50) if q.strip() else []
        return HTMLResponse(pages.search_page(q, hits))

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(pages.docs_page(app.openapi()))

    # -- JSON API ---------------------------------------------------------------------
    @app.get("/api/health", tags=["meta"], summary="Liveness and counts")
    def health() -> dict[str, Any]:
        with reader() as s:
            return {"status": "ok", "version": __version__, "articles": s.count("articles"),
                    "rejected": s.count("rejected"), "schema_version": s.schema_version}  # fmt: skip

    @app.get("/api/stories", tags=["stories"], summary="Every story with its articles")
    def stories() -> list[dict[str, Any]]:
        with reader() as s:
            return _stories(s)

    @app.get("/api/stories/{story_id}", tags=["stories"], summary="One story's full analysis")
    def story(story_id: str) -> dict[str, Any]:
        with reader() as s:
            return _story_analysis(s, story_id)

    @app.get("/api/articles", tags=["articles"], summary="Stored articles (metadata; text with ?text=true)")
    def articles(
        outlet: str | None = None,
        limit: int = Query(50, ge=1, le=1000),
        offset: int = Query(0, ge=0),
        text: bool = False,
    ) -> list[dict[str, Any]]:
        with reader() as s:
            out = []
            for a in s.iter_articles(outlet=outlet, limit=limit, offset=offset):
                d = a.to_json()
                if not text:
                    d.pop("text")
                    d.pop("segments")
                out.append(d)
            return out

    @app.get("/api/articles/{article_id}", tags=["articles"], summary="One article with its text and segments")
    def article(article_id: str) -> dict[str, Any]:
        with reader() as s:
            a = s.get_article(article_id)
        if a is None:
            raise ApiError(404, "not_found", f"no article {article_id!r}")
        return a.to_json()

    def ingest_records(records: list[dict[str, Any]], analyze: bool) -> Any:
        with tempfile.TemporaryDirectory(prefix="newsprism-post-") as tmp:
            f = Path(tmp) / "posted.jsonl"
            f.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
            with Store(db_path) as s:
                from newsprism import pipeline

                config = Config(db_path=db_path)
                if analyze:
                    return pipeline.analyze([str(f)], s, config)[1]
                return pipeline.ingest([str(f)], s, config)

    @app.post(
        "/api/articles",
        tags=["articles"],
        status_code=201,
        summary="Ingest articles: a JSON object or list (text or html, title, url, outlet, published)",
    )
    async def post_articles(request: Request, analyze: bool = True) -> dict[str, Any]:
        body = await _read_limited(request, max_body)
        try:
            payload = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApiError(400, "bad_json", f"the body is not JSON ({exc})") from None
        records = payload if isinstance(payload, list) else [payload]
        if not records or not all(isinstance(r, dict) for r in records):
            raise ApiError(400, "bad_record", "send an article object or a list of them")
        # Ingest and analysis are blocking work: run them on a worker thread, one at a time, so the
        # event loop keeps serving reads meanwhile (a queued ingest waits on the lock, not on a thread).
        async with write_lock:
            rep = await run_in_threadpool(ingest_records, records, analyze)
        return {
            "articles": [{"id": a.id, "title": a.title, "outlet": a.outlet} for a in rep.articles],
            "new_articles": rep.new_articles,
            "rejected": [{"index": int(r.source_path.rsplit(":", 1)[-1]) - 1, "code": r.code, "reason": r.reason}
                         for r in rep.rejected],
        }

    @app.get("/api/quotes", tags=["quotes"], summary="Quotes, filtered by speaker (substring) and outlet")
    def quotes(speaker: str | None = None, outlet: str | None = None, limit: int = Query(200, ge=1, le=5000)
               ) -> list[dict[str, Any]]:  # fmt: skip
        with reader() as s:
            sql = "SELECT q.data FROM quotes q JOIN articles a ON a.id = q.article_id WHERE 1=1"
            params: list[Any] = []
            if speaker:
                sql += " AND q.speaker LIKE ? ESCAPE '\\'"
                params.append("%" + speaker.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
            if outlet:
                sql += " AND a.outlet = ?"
                params.append(outlet)
            sql += " ORDER BY q.article_id, q.start LIMIT ?"
            params.append(limit)
            return [json.loads(r[0]) for r in s.conn.execute(sql, params)]

    @app.get("/api/claims", tags=["claims"], summary="Claims, filtered by status and story")
    def claims(status: str | None = Query(None, pattern="^(corroborated|single_source|conflicting)$"),
               story: str | None = None, limit: int = Query(500, ge=1, le=5000)) -> list[dict[str, Any]]:  # fmt: skip
        with reader() as s:
            sql, params = "SELECT data FROM claims WHERE 1=1", []
            if status:
                sql += " AND status = ?"
                params.append(status)
            if story:
                sql += " AND story_id = ?"
                params.append(story)
            sql += " ORDER BY story_id, id LIMIT ?"
            return [json.loads(r[0]) for r in s.conn.execute(sql, [*params, limit])]

    @app.get("/api/entities", tags=["entities"], summary="Entities with aliases and mention counts")
    def entities(type: str | None = None, q: str | None = None, limit: int = Query(500, ge=1, le=5000)
                 ) -> list[dict[str, Any]]:  # fmt: skip
        with reader() as s:
            sql = ("SELECT e.id, e.name, e.type, e.aliases, e.roles, COUNT(m.article_id) FROM entities e"
                   " LEFT JOIN mentions m ON m.entity_id = e.id WHERE 1=1")  # fmt: skip
            params: list[Any] = []
            if type:
                sql += " AND e.type = ?"
                params.append(type)
            if q:
                sql += " AND (e.name LIKE ? OR e.aliases LIKE ?)"
                params += [f"%{q}%", f"%{q}%"]
            sql += " GROUP BY e.id ORDER BY COUNT(m.article_id) DESC, e.name LIMIT ?"
            return [{"id": r[0], "name": r[1], "type": r[2], "aliases": json.loads(r[3]), "roles": json.loads(r[4]),
                     "mentions": r[5]} for r in s.conn.execute(sql, [*params, limit])]  # fmt: skip

    @app.get("/api/search", tags=["articles"], summary="Full-text search over headlines and body text")
    def search(q: str = Query(..., min_length=1, max_length=500), limit: int = Query(20, ge=1, le=200)
               ) -> list[dict[str, Any]]:  # fmt: skip
        with reader() as s:
            return s.search(q, limit)

    @app.get("/api/export", tags=["export"], summary="Everything stored: analysis.json, or one table")
    def export(format: str = Query("json", pattern="^(json|jsonl|csv)$"),
               table: str = Query("articles", pattern="^(articles|rejected|entities|quotes|claims|stories|families)$")
               ) -> Response:  # fmt: skip
        from newsprism.export import table_rows

        with reader() as s:
            data = _full_analysis(s)
        if format == "json":
            return JSONResponse(data)
        rows = table_rows(data, table)
        if format == "jsonl":
            body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            return Response(body, media_type="application/x-ndjson")
        import csv
        import io

        buf = io.StringIO()
        cols = list(dict.fromkeys(k for r in rows for k in r))
        w = csv.DictWriter(buf, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="newsprism-{table}.csv"'})  # fmt: skip

    return app


async def _read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) past ``limit`` even without a Content-Length."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"request bodies are limited to {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _stories(s: Store) -> list[dict[str, Any]]:
    out = []
    for row in s.conn.execute("SELECT id, title, independent_sources, data FROM stories ORDER BY id"):
        d = json.loads(row[3])
        arts = s.get_articles(d["articles"])
        out.append({"id": row[0], "title": row[1], "independent_sources": row[2], "articles": d["articles"],
                    "outlets": sorted({a.outlet or "?" for a in arts}),
                    "published": sorted({a.published for a in arts if a.published})})  # fmt: skip
    return out


def _story_analysis(s: Store, story_id: str) -> dict[str, Any]:
    row = s.conn.execute("SELECT data FROM stories WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        raise ApiError(404, "not_found", f"no story {story_id!r}")
    ids = json.loads(row[0])["articles"]
    arts = s.get_articles(ids)
    results = AnalysisStore(s).load(ids)
    results["stories"] = [st for st in results["stories"] if st["id"] == story_id]
    results["claims"] = [c for c in results["claims"] if c["story"] == story_id]
    return {"schema_version": 1, "articles": [a.to_json() for a in arts], "rejected": [], **results}


def _full_analysis(s: Store) -> dict[str, Any]:
    arts = list(s.iter_articles())
    return {"schema_version": 1, "articles": [a.to_json() for a in arts],
            "rejected": [r.to_json() for r in s.rejected()], **AnalysisStore(s).load(None)}  # fmt: skip


def make_token() -> str:
    return secrets.token_urlsafe(24)
