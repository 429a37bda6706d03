# Every target builds its own virtual environment from nothing, so a fresh
# clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench screenshot clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## make run: the main job on the shipped config (SQLite, mail to ./outbox),
## then where every milestone stands.
run: $(STAMP)
	$(BIN)/ukjp-monitor run
	$(BIN)/ukjp-monitor status

## make test: lint, then the whole suite on SQLite and PostgreSQL.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make bench: performance against the floors (bench/run.py); results in bench/results/.
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/run.py

## make screenshot: docs/digest.png, the sample digest in headless Chromium.
screenshot: $(STAMP)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/python scripts/screenshot_digest.py

clean:
	rm -rf $(VENV) ukjp-monitor.db ukjp-monitor.db-* outbox .pytest_cache
