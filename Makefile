# Training Portal: `make run` for a first look, `make test` for the full suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
HOST ?= 127.0.0.1
export PORT HOST
# The base of every absolute link (e-mails, API download URLs) of `make run`: the address the
# web process listens on. SITE_URL (environment or .env) wins over it: set that when users
# reach the portal by another name (HOST=0.0.0.0 behind a proxy, another machine...).
RUN_SITE_URL := http://$(HOST):$(PORT)

# Test services (PostgreSQL and Redis on localhost); override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/training_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_WORKERS ?= 2
# Test runs keep compiled modules and pytest's rewritten test modules (__pycache__, ignored by
# git) even where the environment says PYTHONDONTWRITEBYTECODE: the next run skips recompiling
# (about 15 s of collection per worker on this machine).
TEST_ENV := PYTHONDONTWRITEBYTECODE= DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL)

.PHONY: help install install-dev assets translations demo run test test-fast lint typecheck \
        checks imports pytest messages lock clean bench-imports bench-audit bench-reports \
        bench-load

help:
	@echo "make run    start web + Celery worker + beat on SQLite with demo data ($(RUN_SITE_URL))"
	@echo "make test   ruff, mypy, checks, import contracts and the whole test suite on PostgreSQL and Redis"
	@echo "make test-fast  the suite without the browser and real-worker tests, for daily work"
	@echo "make lock   re-resolve requirements/*.txt from pyproject.toml"

$(VENV)/.base-installed: requirements/base.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/dev.txt
	touch $(VENV)/.base-installed $@

install: $(VENV)/.base-installed

install-dev: $(VENV)/.dev-installed

translations: install
	DEBUG=true $(PY) manage.py compile_translations

# Front-end assets (Bootstrap, htmx) come from Python packages; collectstatic gathers them.
assets: install
	DEBUG=true $(PY) manage.py collectstatic --noinput --verbosity 0

demo: install translations assets
	mkdir -p var
	DEBUG=true $(PY) manage.py migrate --noinput --verbosity 0
	DEBUG=true $(PY) manage.py seed_demo

run: demo
	@echo ""
	@echo "  Training Portal: $(RUN_SITE_URL)/   (Ctrl-C stops web, worker and beat)"
	@echo ""
	DEBUG=true DEFAULT_SITE_URL="$(RUN_SITE_URL)" PATH="$(CURDIR)/$(BIN):$$PATH" \
	    $(BIN)/honcho -f Procfile.dev start

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	DEBUG=true $(BIN)/mypy .

checks: install-dev
	DEBUG=true $(PY) manage.py check --fail-level WARNING
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Catalogues are complete: extraction adds nothing untranslated (needs GNU gettext).
messages: install-dev
	DEBUG=true $(PY) manage.py makemessages --locale zh_Hans --locale en --no-location --no-obsolete \
	    --ignore '.venv/*' --ignore 'var/*' --verbosity 0
	$(PY) -m training_portal.core.catalogues locale

# The layers and the apps' private names (.importlinter).
imports: install-dev
	$(BIN)/lint-imports

pytest: install-dev translations assets
	$(TEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint typecheck checks messages imports pytest

# Daily work: every test but the browser (tests/e2e) and real Celery worker ones.
test-fast: install-dev translations assets
	$(TEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser and not worker" $(PYTEST_ARGS)

bench-imports: install-dev
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) bench/imports.py

# The audit on seed_scale data (seeded once into its own database, kept between runs).
BENCH_AUDIT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_audit
BENCH_STUDENTS ?= 100000
bench-audit: install-dev
	DATABASE_URL=$(BENCH_AUDIT_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
	    $(PY) bench/audit.py --students $(BENCH_STUDENTS)

# A program's annual report on seed_scale data (its own database, kept between runs).
BENCH_REPORTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_reports
BENCH_REPORT_STUDENTS ?= 2000
bench-reports: install-dev
	DATABASE_URL=$(BENCH_REPORTS_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
	    $(PY) bench/reports.py --students $(BENCH_REPORT_STUDENTS)

# The web tier under load, served as in production (gunicorn, Celery, Redis, PostgreSQL, DEBUG
# off) on seed_scale data (its own database, kept between runs). BENCH_LOAD_ARGS: the phases'
# sizes, e.g. "--repeat 3 --concurrency 10 --duration 20 --users 50 --think-duration 30".
BENCH_LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_load
BENCH_LOAD_STUDENTS ?= 100000
BENCH_LOAD_ARGS ?=
bench-load: install-dev
	BENCH_LOAD_DATABASE_URL=$(BENCH_LOAD_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
	    $(PY) bench/load.py --students $(BENCH_LOAD_STUDENTS) $(BENCH_LOAD_ARGS)

lock: install-dev
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.txt

clean:
	rm -rf var .mypy_cache .ruff_cache
