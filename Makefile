VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck asyncapi clean

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,dev]'
	touch $(STAMP)

install: $(STAMP)

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

clean:
	rm -rf $(VENV) data .pytest_cache .typecheck
