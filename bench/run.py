"""Run the speed and memory benchmarks and write ``bench/RESULTS.md``.

    python -m bench.run                 # example + real (~1,300 articles) + scale (100,000)
    python -m bench.run --quick         # example + 200 real articles + 10,000 for scale

Each measurement runs in its own process, so peak memory (the largest resident set of any
process in its tree, sampled from /proc: ``bench/proctree.py``) and CPU seconds belong to
that measurement alone.  The floor — spaCy's full
pipeline over the same texts on both cores — is measured in the same run, so the ratio
holds even when the machine's speed drifts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

from bench.corpora import EXAMPLE, real_records

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
NEWSPRISM = str(Path(PY).parent / "newsprism")


def run_measured(cmd: list[str]) -> tuple[float, float, str, float]:
    """(wall seconds, peak RSS in MB of any one process of the tree, stdout, CPU seconds of
    the tree) for one command."""
    from bench.proctree import TreeSampler

    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    # The workers are forked from a fork server nobody waits for: the kernel's accounting
    # of this child misses them, so the tree is sampled while it runs (bench/proctree.py).
    with TreeSampler(proc.pid) as tree:
        _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err[-3000:]}")
    cpu = max(usage.ru_utime + usage.ru_stime, tree.cpu_s)
    return wall, max(usage.ru_maxrss / 1024, tree.peak_mb), out, cpu


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def _cold_run(inputs: list[str], db: Path, out: Path, jobs: int) -> tuple[float, float, float]:
    """(wall s, peak MB, CPU s) of one ``newsprism analyze`` into a fresh database ``db``."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    wall, rss, _, cpu = run_measured([NEWSPRISM, "analyze", *inputs, "--db", str(db), "--out", str(out),
                                      "--jobs", str(jobs), "--quiet"])  # fmt: skip
    return wall, rss, cpu


def bench_end_to_end(name: str, inputs: list[str], floor_jsonl: Path, tmp: Path, jobs: int,
                     pairs: int = 1) -> dict[str, Any]:  # fmt: skip
    """newsprism analyze (cold database) vs the spaCy floor on the same texts.

    With ``pairs`` > 1 the two are run that many times, alternately and in turns (ours
    first, then the floor first, ...), and the figures are medians: the machine's speed
    drifts by more than a third within an hour, and a ratio of two runs minutes apart
    moves with it.  Each pair's own ratio is kept, for its spread.

    Each turn also runs the floor with its matrix products in numpy's BLAS, as newsprism
    runs spaCy (``bench.floor --gemm numpy``): the stock floor is the target's definition,
    and the second one shows how much of the ratio that one setting accounts for."""
    db = tmp / f"{name}.db"
    ours: list[tuple[float, float, float]] = []
    floors: list[tuple[float, float, str, float]] = []
    tuned: list[tuple[float, float, str, float]] = []
    floor_cmd = [PY, "-m", "bench.floor", str(floor_jsonl), "--n-process", str(jobs)]
    for k in range(max(1, pairs)):
        if k % 2:
            tuned.append(run_measured([*floor_cmd, "--gemm", "numpy"]))
            floors.append(run_measured(floor_cmd))
        ours.append(_cold_run(inputs, db, tmp / name, jobs))
        if not k % 2:
            floors.append(run_measured(floor_cmd))
            tuned.append(run_measured([*floor_cmd, "--gemm", "numpy"]))
    with sqlite3.connect(db) as c:
        counts = json.loads(c.execute("SELECT counts FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
        n = c.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    rewall, _rerss, _, _ = run_measured([NEWSPRISM, "analyze", *inputs, "--db", str(db), "--out", str(tmp / name),
                                      "--jobs", str(jobs), "--quiet"])  # fmt: skip
    # Parses cached, corpus stages run again: what adding one article to the same pile costs, roughly.
    recwall, _r, _, _ = run_measured([NEWSPRISM, "analyze", *inputs, "--db", str(db), "--out", str(tmp / name),
                                   "--jobs", str(jobs), "--quiet", "--recompute"])  # fmt: skip
    with sqlite3.connect(db) as c:
        recounts = json.loads(c.execute("SELECT counts FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    # The floor's own throughput figures: from its run of median wall time.
    mid = sorted(floors, key=lambda f: f[0])[(len(floors) - 1) // 2]
    floor = json.loads(mid[2].strip().splitlines()[-1])
    wall, fwall = median([o[0] for o in ours]), median([f[0] for f in floors])
    ratios = [o[0] / f[0] for o, f in zip(ours, floors, strict=True)]
    tuned_ratios = [o[0] / f[0] for o, f in zip(ours, tuned, strict=True)]
    return {
        "corpus": name, "articles": n, "wall_s": wall, "articles_per_s": n / wall,
        "peak_mb": max(o[1] for o in ours), "cpu_s": median([o[2] for o in ours]),
        "rerun_wall_s": rewall, "recompute_wall_s": recwall, "stages": counts.get("timings", {}),
        "recompute_stages": recounts.get("timings", {}),
        "floor_wall_s": fwall, "floor_pipe_s": floor["seconds"], "floor_articles_per_s": floor["articles_per_s"],
        "floor_words_per_s": floor["words_per_s"], "floor_peak_mb": max(f[1] for f in floors),
        "words": floor["words"], "floor_cpu_s": median([f[3] for f in floors]),
        "pairs": len(ratios), "pair_ratios": ratios, "ratio_median": median(ratios),
        "tuned_floor_wall_s": median([f[0] for f in tuned]), "tuned_floor_cpu_s": median([f[3] for f in tuned]),
        "tuned_pair_ratios": tuned_ratios, "tuned_ratio_median": median(tuned_ratios),
    }  # fmt: skip


def write_jsonl(records: list[dict[str, Any]], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller corpora (a smoke run)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--scale", type=int, default=None, help="articles for the corpus-stage scale run")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    ap.add_argument("--pairs", type=int, default=1,
                    help="cold runs of ours and of the floor, alternated, per corpus (medians reported)")
    args = ap.parse_args()
    scale_n = args.scale or (10_000 if args.quick else 100_000)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="newsprism-bench-") as tmpname:
        tmp = Path(tmpname)
        ex = [{"text": p.read_text(encoding="utf-8")} for p in sorted(EXAMPLE.glob("*.txt"))]
        results.append(bench_end_to_end("example", [str(EXAMPLE)], write_jsonl(ex, tmp / "ex-floor.jsonl"), tmp,
                                        args.jobs, args.pairs))  # fmt: skip
        print(json.dumps(results[-1]), flush=True)
        real = list(real_records())
        if args.quick:
            real = real[:200]
        real_file = write_jsonl(real, tmp / "real.jsonl")
        results.append(bench_end_to_end("real", [str(real_file)], real_file, tmp, args.jobs, args.pairs))
        print(json.dumps(results[-1]), flush=True)
        swall, srss, sout, _scpu = run_measured([PY, "-m", "bench.scale", str(scale_n)])
        scale = json.loads(sout.strip().splitlines()[-1])
        scale.update({"wall_s": swall, "peak_mb": srss})
        print(json.dumps(scale), flush=True)
    args.out.write_text(render(results, scale, machine()), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def _ratio_cell(ratio: float, pair_ratios: list[float]) -> str:
    """A median ratio, with its number of pairs and their range when there are several."""
    cell = f"{ratio:.2f}"
    if len(pair_ratios) > 1:
        cell += f" (median of {len(pair_ratios)} pairs; {min(pair_ratios):.2f}–{max(pair_ratios):.2f})"
    return cell


def render(results: list[dict[str, Any]], scale: dict[str, Any], machine_desc: str) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine_desc}. Written by `python -m bench.run` on {time.strftime('%Y-%m-%d')}.",
        "Wall-clock, cold database, model loading included; the floor is spaCy's full English pipeline alone over the",
        "same texts on the same cores, measured in the same run.",
        "",
        "## End to end (`newsprism analyze --jobs 2`)",
        "",
        "| corpus | articles | words | wall s | CPU s | articles/s | peak MB | re-run s | re-run --recompute s "
        "| floor CPU s | floor articles/s | floor words/s | ratio (ours/floor time) "
        "| floor with numpy products: wall s, CPU s | ratio to it |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio_cell = _ratio_cell(r["ratio_median"], r["pair_ratios"])
        tuned_cell = _ratio_cell(r["tuned_ratio_median"], r["tuned_pair_ratios"])
        lines.append(
            f"| {r['corpus']} | {r['articles']} | {r['words']:,} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | "
            f"{r['articles_per_s']:.1f} | {r['peak_mb']:.0f} | {r['rerun_wall_s']:.1f} | {r['recompute_wall_s']:.1f} | "
            f"{r['floor_cpu_s']:.1f} | {r['floor_articles_per_s']:.1f} | "
            f"{r['floor_words_per_s']:,.0f} | {ratio_cell} | "
            f"{r['tuned_floor_wall_s']:.1f}, {r['tuned_floor_cpu_s']:.1f} | {tuned_cell} |"
        )
    lines += ["", "### Seconds per stage", "", "| corpus | " + " | ".join(sorted(results[-1]["stages"])) + " |",
              "|---|" + "---|" * len(results[-1]["stages"])]  # fmt: skip
    stage_names = sorted(results[-1]["stages"])
    for r in results:
        cells = " | ".join(f"{r['stages'].get(k, 0):.2f}" for k in stage_names)
        lines.append(f"| {r['corpus']} | {cells} |")
    lines += ["", f"## Corpus stages at scale ({scale.get('articles', 0):,} articles, no NLP)", ""]
    for k, v in scale.items():
        lines.append(f"- {k}: {v:.4g}" if isinstance(v, float) else f"- {k}: {v}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
