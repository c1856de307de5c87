# Zhunru (准入) — `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DJANGO_SETTINGS_MODULE ?= deploy.settings.dev
export DJANGO_SETTINGS_MODULE

.PHONY: help install run test lint bench migrate demo clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its test and dev extras

migrate: install ## Apply database migrations
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo content (idempotent)
	$(PY) manage.py load_demo

run: demo ## Run web + worker + scheduler on http://127.0.0.1:8000 with embedded defaults
	$(PY) manage.py ensure_admin
	$(PY) manage.py serve 127.0.0.1:8000

test: install ## Run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	DJANGO_SETTINGS_MODULE=deploy.settings.test $(PY) -m pytest $(PYTEST_ARGS)

lint: install ## ruff check
	$(VENV)/bin/ruff check .

bench: install ## Run every benchmark and print one table
	$(PY) bench/run_all

clean: ## Remove local state (database, indexes, uploads)
	rm -rf var
