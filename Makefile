# Two commands on a fresh machine: `make demo` then `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint bench bench-stories bench-perf bench-extraction bench-load bench-embed clean

demo: $(VENV)/.core
	$(BIN)/remem --db .tmp/demo.db demo

test: $(VENV)/.dev
	$(BIN)/python -m pytest -q

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

bench: $(VENV)/.dev
	$(BIN)/remem bench locomo --data ../shared/bench-data/locomo-dev.json --out bench/results/locomo-dev

bench-stories: $(VENV)/.dev
	$(BIN)/remem bench stories --data ../shared/bench-data/stories-dev.json --out bench/results/stories-dev

bench-perf: $(VENV)/.dev
	$(BIN)/python bench/perf.py

bench-extraction: $(VENV)/.dev
	$(BIN)/python bench/extraction_eval.py

bench-load: $(VENV)/.dev
	$(BIN)/python bench/load.py

bench-embed: $(VENV)/.dev
	$(BIN)/python bench/embed_compute.py

$(VENV)/.core: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.core
	$(BIN)/python -m pip install -q -e '.[server,postgres,bench,dev]'
	touch $@

clean:
	rm -rf $(VENV) .tmp .pytest_cache
