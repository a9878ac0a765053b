"""The command line: a thin shell over the library.

Exit codes (stable, documented in the README):
  0  everything read and done
  1  an error stopped the command (the message says how to fix it)
  2  the command line itself was wrong (usage)
  3  done, but some inputs were rejected (listed on stderr and stored in the database)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from newsprism import __version__
from newsprism.config import Config, parse_field_map
from newsprism.errors import NewsprismError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3

db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("newsprism.db"),
    show_default=True, help="The SQLite file to use (created if missing).",
)  # fmt: skip
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bars or summaries; errors only.")


def _config(db_path: Path, fields: str | None = None, sidecar: Path | None = None,
            aliases: Path | None = None, jobs: int = 1) -> Config:  # fmt: skip
    return Config(db_path=db_path, field_map=parse_field_map(fields), sidecar=sidecar, alias_file=aliases,
                  n_process=jobs or usable_cores())  # fmt: skip


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers narrow)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _report_rejections(rejected: list[Any], quiet: bool) -> None:
    if not rejected:
        return
    click.echo(f"{len(rejected)} input(s) rejected:", err=True)
    for r in rejected[:50]:
        click.echo(f"  {r.source_path}: {r.code}: {r.reason}", err=True)
    if len(rejected) > 50:
        click.echo(f"  … and {len(rejected) - 50} more (newsprism export --table rejected)", err=True)


input_options = [
    click.option("--fields", help="Map JSON field names: ours=theirs,… (ours: text, html, title, url, outlet, "
                 "published, language, author). Example: --fields text=body,published=date"),
    click.option("--sidecar", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="A CSV/JSON file of path → outlet, url, published, title for bare text files. "
                 "A metadata.csv/metadata.json inside an input folder is used automatically."),
]  # fmt: skip


def _with_input_options(fn: Any) -> Any:
    for opt in reversed(input_options):
        fn = opt(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="newsprism")
def cli() -> None:
    """newsprism: see one news story through every outlet that covers it.

    Reads plain text, HTML (also .gz), JSON/JSONL and RSS/Atom feeds, fully offline, and
    finds stories, copies and translations, who said what, claims that are corroborated,
    single-source or conflicting, framing, a timeline and cited summaries.

    Start with:  newsprism analyze examples/prague-2024 --out out/
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@db_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for analysis.json and report.html.")  # fmt: skip
@click.option("--aliases", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Your alias file (TOML) to force or forbid entity merges.")  # fmt: skip
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=0,
              help="Processes for the document stages; 0 (the default) uses every core available.")  # fmt: skip
@click.option("--recompute", is_flag=True,
              help="Run the corpus stages again even when these exact articles were analysed before.")  # fmt: skip
@_with_input_options
@quiet_option
def analyze(inputs: tuple[str, ...], db_path: Path, out_dir: Path, aliases: Path | None, jobs: int,
            recompute: bool, fields: str | None, sidecar: Path | None, quiet: bool) -> None:  # fmt: skip
    """Ingest INPUTS (files, folders, globs, - for stdin), analyse them, write the report.

    Writes OUT/analysis.json (the export contract) and OUT/report.html (one self-contained
    page). Already-stored articles are not stored again.
    """
    from newsprism.export import write_json_atomic, write_text_atomic
    from newsprism.pipeline import Analysis, stderr_progress
    from newsprism.pipeline import analyze as run_analyze
    from newsprism.report.render import start_render
    from newsprism.store.db import Store

    config = _config(db_path, fields, sidecar, aliases, jobs)
    config.reuse_analysis = not recompute
    started: dict[str, Any] = {}

    def begin_report(analysis: Analysis) -> None:
        # The report renders in an idle worker when there is one, while the analysis is
        # saved and analysis.json written.
        started["data"] = data = analysis.to_json()
        started["page"] = start_render(data)

    with Store(config.db_path) as store:
        analysis, report = run_analyze(list(inputs), store, config, stderr_progress(quiet), ready=begin_report)
    data = started["data"] if "data" in started else analysis.to_json()
    page = started["page"] if "page" in started else start_render(data)
    write_json_atomic(out_dir / "analysis.json", data)
    write_text_atomic(out_dir / "report.html", page())
    _report_rejections(report.rejected, quiet)
    if not quiet:
        c = report.counts
        click.echo(
            f"{c['articles']} article(s) ({c['new_articles']} new), {c['rejected']} rejected; "
            f"wrote {out_dir / 'analysis.json'} and {out_dir / 'report.html'}",
            err=True,
        )
    if report.rejected:
        sys.exit(EXIT_REJECTED)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@db_option
@_with_input_options
@quiet_option
def ingest(inputs: tuple[str, ...], db_path: Path, fields: str | None, sidecar: Path | None, quiet: bool) -> None:
    """Read INPUTS into the database without analysing them."""
    from newsprism.pipeline import ingest as run_ingest
    from newsprism.pipeline import stderr_progress
    from newsprism.store.db import Store

    config = _config(db_path, fields, sidecar)
    with Store(config.db_path) as store:
        report = run_ingest(list(inputs), store, config, progress=stderr_progress(quiet))
    _report_rejections(report.rejected, quiet)
    if not quiet:
        c = report.counts
        click.echo(f"{c['articles']} article(s) read, {c['new_articles']} new; {c['rejected']} rejected", err=True)
    if report.rejected:
        sys.exit(EXIT_REJECTED)


@cli.command()
@db_option
@click.option("--outlet", help="Only this outlet's articles.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
def articles(db_path: Path, outlet: str | None, limit: int, as_json: bool) -> None:
    """List stored articles."""
    from newsprism.store.db import Store

    with Store(db_path) as store:
        for a in store.iter_articles(outlet=outlet, limit=limit):
            if as_json:
                d = a.to_json()
                d.pop("text")
                d.pop("segments")
                click.echo(json.dumps(d, ensure_ascii=False))
            else:
                click.echo(f"{a.id}  {a.published or '----------'}  {(a.language or '??'):2}  "
                           f"{(a.outlet or '?')[:24]:24}  {(a.title or '')[:70]}")  # fmt: skip


@cli.command()
@click.argument("article_id")
@db_option
@click.option("--json", "as_json", is_flag=True, help="The whole article as JSON.")
@click.option("--segments/--no-segments", default=True, help="Mark each line's segment kind.")
def show(article_id: str, db_path: Path, as_json: bool, segments: bool) -> None:
    """Show one article (ID or a unique prefix of it), its metadata and labelled segments."""
    from newsprism.store.db import Store

    with Store(db_path) as store:
        a = store.get_article(article_id)
    if a is None:
        raise NewsprismError(f"no article with id {article_id!r} (list them with: newsprism articles)")
    if as_json:
        click.echo(json.dumps(a.to_json(), ensure_ascii=False, indent=1))
        return
    for key in ("id", "outlet", "title", "published", "language", "url", "author", "source_path"):
        value = getattr(a, key)
        how = f"  (inferred: {a.inferred[key]})" if key in a.inferred else ""
        click.echo(f"{key:12} {value if value is not None else '—'}{how}")
    click.echo("")
    for s in a.segments:
        label = f"[{s.kind}]".ljust(13) if segments else ""
        click.echo(f"{label}{a.text[s.start:s.end]}")


@cli.command()
@click.argument("query")
@db_option
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
def search(query: str, db_path: Path, limit: int) -> None:
    """Full-text search over headlines and body text (boilerplate excluded)."""
    from newsprism.store.db import Store

    with Store(db_path) as store:
        hits = store.search(query, limit)
    if not hits:
        click.echo("no match", err=True)
    for h in hits:
        click.echo(f"{h['article_id']}  {(h['outlet'] or '?')[:20]:20}  {h['snippet']}")


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "csv", "parquet"]), default="json",
              show_default=True)  # fmt: skip
@click.option("--table", type=click.Choice(["articles", "rejected", "entities", "quotes", "claims", "stories",
                                             "families"]), default="articles", show_default=True,
              help="For jsonl/csv/parquet: which table.")  # fmt: skip
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (default: newsprism-TABLE.FORMAT, or analysis.json).")  # fmt: skip
@click.option("--aliases", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@quiet_option
def export(db_path: Path, fmt: str, table: str, out_path: Path | None, aliases: Path | None, quiet: bool) -> None:
    """Export everything stored: analysis.json (json) or one table (jsonl, csv, parquet)."""
    from newsprism.export import table_rows, write_json_atomic, write_table
    from newsprism.pipeline import analyze_articles, stderr_progress
    from newsprism.store.db import Store

    config = _config(db_path, aliases=aliases)
    with Store(db_path) as store:
        arts = list(store.iter_articles())
        data = analyze_articles(arts, store.rejected(), store, config, stderr_progress(quiet)).to_json()
    if fmt == "json":
        path = out_path or Path("analysis.json")
        write_json_atomic(path, data)
        n = len(data["articles"])
    else:
        path = out_path or Path(f"newsprism-{table}.{fmt}")
        n = write_table(table_rows(data, table), path, fmt)
    if not quiet:
        click.echo(f"wrote {n} row(s) to {path}", err=True)


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; loopback by default.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--token", envvar="NEWSPRISM_TOKEN", help="Require 'Authorization: Bearer TOKEN' (env NEWSPRISM_TOKEN). "
              "Bound to a non-loopback address without one, a token is generated and printed.")  # fmt: skip
@click.option("--max-body", type=click.IntRange(1024), default=20 * 1024 * 1024, show_default=True,
              help="Largest request body accepted, in bytes.")  # fmt: skip
def serve(db_path: Path, host: str, port: int, token: str | None, max_body: int) -> None:
    """Serve the web UI and the JSON API over the database (docs at /api/docs)."""
    import uvicorn

    from newsprism.api import LOOPBACK_HOSTS, create_app, make_token

    if host not in LOOPBACK_HOSTS and not token:
        token = make_token()
        click.echo(f"bound to {host}: every request needs 'Authorization: Bearer {token}'", err=True)
    app = create_app(db_path, token=token, max_body=max_body)
    click.echo(f"newsprism serving {db_path} at http://{host}:{port}/ (API docs: /api/docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@cli.group(name="eval")
def eval_group() -> None:
    """Score newsprism on external benchmarks (../shared/bench by default)."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the CLI and maps errors to the documented exit codes."""
    from newsprism.eval.commands import register

    register(eval_group)
    try:
        cli.main(args=argv, prog_name="newsprism", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_ERROR
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else EXIT_ERROR
    except NewsprismError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_ERROR
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_ERROR
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except Exception as exc:  # a bug in newsprism, not in the input: say so plainly
        if os.environ.get("NEWSPRISM_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                   "This is a newsprism bug; rerun with NEWSPRISM_DEBUG=1 for the traceback and report it.", err=True)
        return EXIT_ERROR
    return EXIT_OK
