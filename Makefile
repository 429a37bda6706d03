# Every target builds its own virtual environment from nothing, so a fresh
# clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## make run: load the shipped programme and show where every milestone stands.
run: $(STAMP)
	$(BIN)/ukjp-monitor sync
	$(BIN)/ukjp-monitor status

## make test: lint, then the whole suite on SQLite and PostgreSQL.
test: $(STAMP)
	$(BIN)/ruff check src tests flows
	$(BIN)/ruff format --check src tests flows
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests flows
	$(BIN)/ruff format --check src tests flows

clean:
	rm -rf $(VENV) ukjp-monitor.db ukjp-monitor.db-* outbox .pytest_cache
