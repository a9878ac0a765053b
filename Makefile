# newsprism: every target sets up what it needs first (a .venv with pinned dependencies).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup example test lint bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Set up, then analyse the bundled example: out/report.html and out/analysis.json
example: setup
	$(BIN)/newsprism analyze examples/prague-2024 --db out/example.db --out out

## Set up, then run the whole test suite (what .ci/run runs)
test: setup
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -q -n 2

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## Speed and memory benchmarks (writes bench/RESULTS.md)
bench: setup
	$(BIN)/python -m bench.run

## Accuracy on the external benchmarks in ../shared/bench
eval: setup
	for s in zyte lines quotes ner clustering msrp framing summary; do $(BIN)/newsprism eval $$s || exit 1; done

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
