VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
BENCH_SUITES := pipeline scaling intake ledger charity notify

.PHONY: install install-bench run test lint typecheck asyncapi bench \
	$(addprefix bench-,$(BENCH_SUITES)) clean

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,dev]'
	touch $(STAMP)

install: $(STAMP)

# matplotlib and py-spy only where benchmarks run, not for `make test`.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[embedded,dev,bench]'
	touch $(BENCH_STAMP)

install-bench: $(BENCH_STAMP)

run: install
	$(BIN)/wushe up

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy follows imports by path; a tree of links shows it the `wushe.*` names that
# setup.py maps the design card's folders onto.
typecheck: install
	rm -rf .typecheck && mkdir -p .typecheck/wushe
	ln -s ../../shared .typecheck/wushe/shared
	ln -s ../../cli .typecheck/wushe/cli
	for service in intake ledger charity notify; do ln -s ../../services/$$service .typecheck/wushe/$$service; done
	$(BIN)/mypy -p wushe

asyncapi: install
	$(BIN)/wushe asyncapi

bench: install-bench
	$(BIN)/python bench/run.py

$(addprefix bench-,$(BENCH_SUITES)): bench-%: install-bench
	$(BIN)/python bench/run.py $*

clean:
	rm -rf $(VENV) data .pytest_cache .typecheck
