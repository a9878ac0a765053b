"""``newsprism eval …``: one subcommand per external benchmark, each a thin shell over a scorer.

Every scorer module exposes ``run(bench_dir: Path, ...) -> dict``; the command prints the
figures as JSON (``--json``) or as a short table.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import click

from newsprism.errors import NewsprismError

# name -> (module, what it scores)
SCORERS: dict[str, tuple[str, str]] = {
    "zyte": ("newsprism.eval.zyte", "HTML main-text extraction: Zyte AEB, 4-gram shingle F1"),
    "lines": ("newsprism.eval.lines", "plain-text boilerplate labeller on our own held-out labelled lines"),
    "quotes": ("newsprism.eval.polnear", "quote attribution on PolNeAR: source/cue/content P/R/F1"),
    "ner": ("newsprism.eval.conll", "named entities on CoNLL++ dev: micro-F1 over PER/ORG/LOC/MISC"),
    "clustering": ("newsprism.eval.clustering", "story clustering: B-cubed and pairwise F1"),
    "msrp": ("newsprism.eval.msrp", "sentence matcher on MSRP (cross-validated F1)"),
}


def find_bench(explicit: Path | None = None) -> Path:
    """The benchmark folder: --bench, $NEWSPRISM_BENCH, or a ``shared/bench`` beside the checkout."""
    if explicit is not None:
        candidates = [explicit]
    else:
        env = os.environ.get("NEWSPRISM_BENCH")
        candidates = [Path(env)] if env else []
        here = Path(__file__).resolve()
        for parent in [Path.cwd(), *Path.cwd().parents, *here.parents]:
            candidates.append(parent / "shared" / "bench")
            candidates.append(parent.parent / "shared" / "bench")
    for c in candidates:
        if c.is_dir():
            return c
    raise NewsprismError(
        "cannot find the benchmark data (../shared/bench): pass --bench DIR or set NEWSPRISM_BENCH"
    )


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result, indent=1, default=str))
        return
    for key, value in result.items():
        if isinstance(value, float):
            value = f"{value:.4f}"
        elif isinstance(value, dict):
            value = json.dumps(value, default=str)
        click.echo(f"{key:28} {value}")


def _make(name: str, module: str, helptext: str) -> click.Command:
    @click.command(name=name, help=f"Score {helptext}.")
    @click.option("--bench", type=click.Path(file_okay=False, path_type=Path), help="Benchmark folder.")
    @click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
    def cmd(bench: Path | None, as_json: bool) -> None:
        mod = importlib.import_module(module)
        # The line scorer reads our own labelled data unless told otherwise.
        result = mod.run(bench) if name == "lines" else mod.run(find_bench(bench))
        _print(result, as_json)

    return cmd


def register(group: click.Group) -> None:
    """Add every scorer whose module is installed as a subcommand of ``group``."""
    for name, (module, helptext) in SCORERS.items():
        if name in group.commands:
            continue
        if importlib.util.find_spec(module) is None:
            continue
        group.add_command(_make(name, module, helptext))
