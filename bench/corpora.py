"""Benchmark corpora, built at run time from data outside the repository (never committed).

- ``example``: the bundled five articles.
- ``real``: about 1,300 real news articles — the clustering sets' texts plus PolNeAR's — written
  as one JSONL file (title, text, outlet, published) into a scratch folder.
- ``synthetic(n)``: ``n`` articles made from the real ones by perturbing copies (sentences
  dropped and reordered, numbers changed, fresh outlets and dates), for the corpus stages at
  a scale no real set here reaches.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "prague-2024"


def bench_data() -> Path:
    """../shared/bench beside the checkout (or $NEWSPRISM_BENCH)."""
    import os

    env = os.environ.get("NEWSPRISM_BENCH")
    p = Path(env) if env else ROOT.parent / "shared" / "bench"
    if not p.is_dir():
        raise SystemExit(f"benchmark data not found at {p}: set NEWSPRISM_BENCH")
    return p


def real_records() -> Iterator[dict[str, str]]:
    """The real articles: clustering sets (title + text) and PolNeAR texts (with their metadata)."""
    bench = bench_data()
    for f in sorted((bench / "clustering").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            yield {"title": rec.get("title") or "", "text": rec["text"], "outlet": rec.get("source") or f.stem}
    meta: dict[str, dict[str, str]] = {}
    tsv = bench / "quotes" / "polnear" / "metadata.tsv"
    if tsv.exists():
        lines = tsv.read_text(encoding="utf-8").splitlines()
        cols = lines[0].split("\t")
        for ln in lines[1:]:
            row = dict(zip(cols, ln.split("\t"), strict=False))
            meta[row.get("filename", "")] = row
    for split in ("train", "dev"):
        for f in sorted((bench / "quotes" / "polnear" / split / "text").glob("*.txt")):
            m = meta.get(f.stem, {})
            yield {"title": m.get("title", ""), "text": f.read_text(encoding="utf-8"),
                   "outlet": m.get("publisher", ""), "published": m.get("publication_date", "")}  # fmt: skip


def write_real(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "real.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for rec in real_records():
            fh.write(json.dumps({k: v for k, v in rec.items() if v}, ensure_ascii=False) + "\n")
    return out


_NUM = re.compile(r"\b\d+\b")


def perturb(text: str, rng: random.Random) -> str:
    """A plausible rewrite: some paragraphs dropped or swapped, numbers changed."""
    paras = [p for p in text.split("\n") if p.strip()]
    if len(paras) > 3:
        keep = [p for p in paras if rng.random() > 0.2] or paras[:1]
        if len(keep) > 2 and rng.random() < 0.5:
            i = rng.randrange(1, len(keep) - 1)
            keep[i], keep[i + 1] = keep[i + 1], keep[i]
        paras = keep
    out = "\n".join(paras)
    return _NUM.sub(lambda m: str(int(m.group()) + rng.randint(0, 3)), out)


def synthetic_records(n: int, seed: int = 7) -> Iterator[dict[str, str]]:
    base = list(real_records())
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    for i in range(n):
        rec = base[i % len(base)]
        yield {
            "title": rec["title"],
            "text": perturb(rec["text"], rng),
            "outlet": f"outlet-{rng.randint(1, 400)}",
            "published": (start + timedelta(days=rng.randint(0, 365))).isoformat(),
            "url": f"https://outlet-{i % 400}.example/{i}",
        }
