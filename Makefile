# Khata Registry: every target installs what it needs first (a fresh clone needs nothing else).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 5000
# Links in emails and the checkout's return address (never taken from a request's Host).
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
WEB_CONCURRENCY ?= 2
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help
# The keywords that mark translatable texts (registry.language, portal.i18n, templates).
MESSAGE_KEYWORDS := -k N_ -k _ -k translate:2 -k lazy -k say -k say_plural:1,2

# The matcher's modules compiled as they are written (setup.py): edited, they are built again.
# Their list is matching/compiled_modules.py's COMPILED_MODULES ("matching.x" -> matching/x.py).
COMPILED_SOURCES := $(shell sed -n 's/^ *"matching\.\([a-z_]*\)",$$/matching\/\1.py/p' matching/compiled_modules.py)

.PHONY: help messages install run serve worker test test-sqlite test-postgres lint format bench bench-load clean chromium fuzz production-tests

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# ...and every compiled twin (.pyx) and its declarations (.pxd): edited, they are built again.
TWIN_SOURCES := $(wildcard matching/*.pyx matching/*.pxd registry/search_index/*.pyx registry/search_index/*.pxd)

$(STAMP): pyproject.toml setup.py matching/compiled_modules.py $(COMPILED_SOURCES) $(TWIN_SOURCES)
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the app with its dev tools

run: $(STAMP) ## the whole product: migrate, demo data once, web and worker on 127.0.0.1:$(PORT)
	$(VENV)/bin/registry run --port $(PORT)

serve: $(STAMP) ## production style: gunicorn ($(WEB_CONCURRENCY) workers) plus the worker process
	$(VENV)/bin/registry init-db
	$(VENV)/bin/registry worker & \
	trap "kill $$!" EXIT INT TERM; \
	$(VENV)/bin/gunicorn --workers $(WEB_CONCURRENCY) --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

worker: $(STAMP) ## run the email/alert/time worker in the foreground
	$(VENV)/bin/registry worker

# The tests that touch no database (tests/matching's, and any marked database_independent)
# run in the SQLite half only: on PostgreSQL they would run the same a second time.
test: $(STAMP) chromium ## the whole suite on SQLite and on PostgreSQL, side by side (a core each)
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres \
	  PG_PYTEST_ARGS=--database-tests-only

# Each run has a temporary folder of its own (TMPDIR, where pytest and the tests make
# theirs), removed after it: two pytest runs sharing one would clean up each other's.
test-sqlite: $(STAMP) chromium ## the whole suite on SQLite alone
	@echo "== the suite on SQLite"
	@tmp=$$(mktemp -d -t khata-tests-sqlite.XXXXXX) && trap 'rm -rf "$$tmp"' EXIT && \
	  env -u DATABASE_URL TMPDIR="$$tmp" $(PY) -m pytest -q

test-postgres: $(STAMP) chromium ## the whole suite on PostgreSQL alone (PG_TEST_URL)
	@echo "== the suite on PostgreSQL ($(PG_TEST_URL))"
	@tmp=$$(mktemp -d -t khata-tests-postgres.XXXXXX) && trap 'rm -rf "$$tmp"' EXIT && \
	  DATABASE_URL=$(PG_TEST_URL) TMPDIR="$$tmp" $(PY) -m pytest -q $(PG_PYTEST_ARGS)

lint: $(STAMP) ## ruff (lint and format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP) ## rewrite files with ruff's formatter and fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP) ## run the benchmarks and print their figures (SCALE=N: the index file at N businesses)
	$(PY) -m bench $(if $(SCALE),--scale $(SCALE))

bench-load: $(STAMP) ## load on make serve (PostgreSQL, Redis): search, reports, filing vs /healthz
	$(PY) -m bench.load

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) instance

chromium: ## the browser the end-to-end tests drive (apt-get installs it when missing, as root)
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "note: /usr/bin/chromium is missing (not root, not installed): browser tests are skipped"; \
	  fi; }

fuzz: $(STAMP) ## schemathesis on the API (installs it; make test runs it too once installed)
	$(PY) -m pip install --quiet schemathesis
	env -u DATABASE_URL $(PY) -m pytest -q tests/production/test_api_fuzz.py
	DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -q tests/production/test_api_fuzz.py

production-tests: $(STAMP) ## security, logs, readiness, outage, attacks, backups (both databases)
	env -u DATABASE_URL $(PY) -m pytest -q tests/production
	DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -q tests/production

messages: $(STAMP) ## refresh the translation template and merge it into every catalogue
	$(VENV)/bin/pybabel extract -F babel.cfg $(MESSAGE_KEYWORDS) --no-location --sort-output \
	  -o registry/translations/messages.pot .
	$(VENV)/bin/pybabel update -i registry/translations/messages.pot -d registry/translations \
	  --width 100
