# Every target builds its own virtual environment from nothing, so a fresh
# clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The exact releases that make install takes (pyproject.toml keeps the ranges
# for people who install the package): a new release of any dependency cannot
# turn a fresh clone red. `make lock` refreshes it.
LOCK   := constraints.txt
# The suite on every core (pytest-xdist). The flow tests share one Prefect
# server, so they stay together on one worker (their xdist_group).
PARALLEL := -n auto --dist loadgroup

.PHONY: install lock run test test-clock lint messages bench bench-web screenshot clean

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	# The browser test drives Debian's chromium (never a browser downloaded by Playwright).
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[test]'
	touch $(STAMP)

## make lock: resolve the newest releases pyproject.toml allows into constraints.txt.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[test,bench]'
	( echo "# make lock: the releases make install uses; pyproject.toml keeps the ranges."; \
	  .lock-venv/bin/pip freeze --exclude-editable --exclude ukjp-monitor ) > $(LOCK)
	rm -rf .lock-venv

## make run: the main job on the shipped config (SQLite, mail to ./outbox),
## then where every milestone stands.
run: $(STAMP)
	$(BIN)/ukjp-monitor run
	$(BIN)/ukjp-monitor status

## make test: lint, type-check, then the whole suite on SQLite and PostgreSQL.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest $(PARALLEL)

## make test-clock: the suite again with the wall clock moved weeks and years
## ahead, at hours either side of midnight; the monitor's pinned clock (DESIGN
## §11) must make the results the same.
test-clock: $(STAMP)
	$(BIN)/pytest -q $(PARALLEL) --wall-clock "$$(date -u -d '+5 weeks' +%Y-%m-%dT23:45:00+00:00)"
	$(BIN)/pytest -q $(PARALLEL) --wall-clock "$$(date -u -d '+7 years +3 months' +%Y-%m-%dT04:10:00+00:00)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## make messages: extract every phrase into src/ukjp_monitor/locale/ukjp_monitor.pot,
## merge it into each language's .po (translate what is new there), compile the .mo files.
messages: $(STAMP)
	$(BIN)/python scripts/messages.py

## make bench: performance against the floors (bench/run.py); results in bench/results/.
bench: $(STAMP)
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[test,bench]'
	$(BIN)/python bench/run.py
	$(MAKE) bench-web

## make bench-web: the status page's overview and /api/milestones under a loopback
## client at N = 10,000 and 100,000, beside status --format json (bench/web_bench.py).
bench-web: $(STAMP)
	$(BIN)/python bench/web_bench.py

## make screenshot: docs/digest.png and docs/alert.png (and -360.png, 360 px wide): the sample digest and alert in headless Chromium,
## docs/digest-ja*.png the digest in Japanese, docs/funder-*.png the same for a grant holder of a generated 100,000-milestone funder;
## docs/web-overview.png, web-milestone.png and web-timeline.png (and -360.png): the status page.
screenshot: $(STAMP)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	# A Japanese font, so that the Japanese digest is drawn as its readers see it.
	fc-list | grep -qi "Noto Sans CJK" || (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk)
	$(BIN)/python scripts/screenshot_digest.py
	$(BIN)/python scripts/screenshot_pages.py

clean:
	rm -rf $(VENV) ukjp-monitor.db ukjp-monitor.db-* outbox .pytest_cache
