# Switchboard: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
# Integration tests: real PostgreSQL and Redis (pytest-django creates test_<name>).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/switchboard
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run setup test test-unit test-integration lint lock clean help

help:
	@echo "make run    set up (venv, deps, database, demo data, static) and start web + worker"
	@echo "make test   install test deps, lint, check migrations, run the whole suite"
	@echo "make lock   re-pin requirements/*.txt from pyproject.toml"
	@echo "make clean  remove var/ (database, queue, static) — the venv stays"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The stamps make a second `make run` skip installing unless the lock changed.
$(VENV)/.base-installed: requirements/base.txt | $(PY)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements/base.txt
	@touch $@

$(VENV)/.test-installed: requirements/test.txt | $(PY)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements/test.txt
	@touch $@ $(VENV)/.base-installed

setup: $(VENV)/.base-installed
	@DEBUG=true $(PY) manage.py bootstrap

run: setup
	@echo
	@echo "  Switchboard is starting at http://$(HOST):$(PORT)/   (admin: /admin/, API docs: /api/docs/)"
	@echo "  Web server + Celery worker with beat (broker: files under var/celery/). Ctrl-C stops all."
	@echo
	@# Ctrl-C (130) or a SIGTERM from a supervisor (143) is how it stops: a clean exit.
	@DEBUG=true HOST=$(HOST) PORT=$(PORT) SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} \
		$(VENV)/bin/honcho -f Procfile.dev start; \
		status=$$?; if [ $$status -eq 0 ] || [ $$status -eq 130 ] || [ $$status -eq 143 ]; then \
		echo "Switchboard stopped."; \
		else exit $$status; fi

lint: $(VENV)/.test-installed
	$(PY) -m ruff check .
	DJANGO_SETTINGS_MODULE=config.settings_test $(PY) manage.py makemigrations --check --dry-run

test-unit: $(VENV)/.test-installed
	DATABASE_URL=sqlite:///:memory: CELERY_BROKER_URL=filesystem://localhost// \
		$(PY) -m pytest -n auto --ignore=tests/integration

test-integration: $(VENV)/.test-installed
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
		CELERY_RESULT_BACKEND=$(TEST_REDIS_URL) $(PY) -m pytest tests/integration

test: lint test-unit test-integration

lock: | $(PY)
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 pyproject.toml -o requirements/base.txt
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 pyproject.toml --extra test \
		-o requirements/test.txt

clean:
	rm -rf var/
