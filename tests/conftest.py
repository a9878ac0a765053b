"""Shared fixtures: paths, a fresh SQLite file, the CLI run in-process or as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "prague-2024"
BENCH = Path(os.environ.get("NEWSPRISM_BENCH", ROOT.parent / "shared" / "bench"))


def bench_dir(*parts: str) -> Path:
    """A path under ../shared/bench, or skip the test when the data is absent."""
    p = BENCH.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"benchmark data not present: {p}")
    return p


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


def run_cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run the real ``newsprism`` console script as a separate process."""
    exe = Path(sys.executable).parent / "newsprism"
    return subprocess.run(
        [str(exe), *args], cwd=cwd, input=stdin.decode() if stdin else None, capture_output=True, text=True,
        timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
