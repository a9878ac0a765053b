"""``newsprism eval …``: one subcommand per external benchmark, each a thin shell over a scorer.

Every scorer module exposes ``main(argv) -> int`` (its own argument parser, so
``newsprism eval NAME --help`` and ``python -m newsprism.eval.MODULE --help`` are the same
thing) and finds ``../shared/bench`` by itself: ``--bench DIR`` or ``$NEWSPRISM_BENCH``
names it explicitly.  The subcommand passes every argument through unchanged.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from newsprism.errors import NewsprismError

# name -> (module, what it scores)
SCORERS: dict[str, tuple[str, str]] = {
    "zyte": ("newsprism.eval.zyte", "HTML main-text extraction: Zyte AEB, 4-gram shingle F1"),
    "lines": ("newsprism.eval.lines", "the plain-text boilerplate labeller on our own held-out labelled lines"),
    "quotes": ("newsprism.eval.polnear", "quote attribution on PolNeAR: source/cue/content P/R/F1"),
    "ner": ("newsprism.eval.conll", "named entities on CoNLL++ dev: micro-F1 over PER/ORG/LOC/MISC"),
    "clustering": ("newsprism.eval.clustering", "story clustering: B-cubed and pairwise F1"),
    "msrp": ("newsprism.eval.msrp", "the sentence matcher on MSRP (cross-validated F1)"),
    "framing": ("newsprism.eval.basil", "loaded-wording spans against BASIL lexical-bias spans: span F1"),
    "summary": ("newsprism.eval.neus", "the cited summarizer on NeuS/AllSides val: ROUGE-1/2/L and a lead baseline"),
}


def _make(name: str, module: str, helptext: str) -> click.Command:
    @click.command(
        name=name,
        help=f"Score {helptext}.  Every option is the scorer's own: see `newsprism eval {name} --help`.",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
        add_help_option=False,
    )
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def cmd(args: tuple[str, ...]) -> None:
        mod: Any = importlib.import_module(module)
        try:
            code = mod.main([*args])
        except FileNotFoundError as exc:
            # Missing benchmark data is the user's to fix, not a newsprism bug.
            raise NewsprismError(str(exc)) from None
        if code:
            # The scorer already said why (no benchmark data, a bad option); keep its exit code.
            raise SystemExit(code)

    return cmd


def register(group: click.Group) -> None:
    """Add every scorer whose module is installed as a subcommand of ``group``."""
    for name, (module, helptext) in SCORERS.items():
        if name in group.commands:
            continue
        if importlib.util.find_spec(module) is None:
            raise NewsprismError(f"the scorer module {module} is missing from this install")
        group.add_command(_make(name, module, helptext))
