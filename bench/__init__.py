"""Speed and memory benchmarks: ``python -m bench.run`` (or ``make bench``)."""
