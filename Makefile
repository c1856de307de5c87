# Zhunru (准入) — `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# What `make run` needs (the site) and what `make test`/`lint`/`install` add (test and dev tools). One stamp per
# set, named after pyproject.toml's checksum: a changed pyproject.toml installs again; `make run` after
# `make test` installs nothing; `make test` after `make run` installs only the test and dev tools.
RUN_EXTRAS := server,es,2fa
TEST_EXTRAS := test,dev
HASH := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
RUN_STAMP := $(VENV)/.installed-$(HASH)-run
TEST_STAMP := $(VENV)/.installed-$(HASH)-test
DJANGO_SETTINGS_MODULE ?= deploy.settings.dev
export DJANGO_SETTINGS_MODULE

.PHONY: help install install-run run test lint bench migrate demo clean messages

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	@find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '.installed-$(HASH)-*' -delete
	if [ ! -f $(TEST_STAMP) ]; then $(PY) -m pip install --quiet -e ".[$(RUN_EXTRAS)]"; fi
	touch $@

# After `make run`, only the test and dev extras' own requirements (read from pyproject.toml); else everything.
$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	@find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '.installed-$(HASH)-*' -delete
	if [ -f $(RUN_STAMP) ]; then \
	  $(PY) -c 'import tomllib; x = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]; print("\n".join(r for e in "$(TEST_EXTRAS)".split(",") for r in x[e]))' > $(VENV)/test-requirements.txt \
	  && $(PY) -m pip install --quiet -r $(VENV)/test-requirements.txt; \
	else \
	  $(PY) -m pip install --quiet -e ".[$(RUN_EXTRAS),$(TEST_EXTRAS)]" && touch $(RUN_STAMP); \
	fi
	touch $@

install-run: $(RUN_STAMP) ## Create .venv and install what running the site needs (no test or dev tools)

install: $(TEST_STAMP) ## Create .venv and install the project with its test and dev extras

migrate: install-run ## Apply database migrations
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo content (idempotent)
	$(PY) manage.py load_demo

run: demo ## Run web + worker + scheduler on http://127.0.0.1:8000 with embedded defaults
	$(PY) manage.py ensure_admin
	$(PY) manage.py serve 127.0.0.1:8000

# On every core (TEST_WORKERS=0: one process; browser tests share one worker); prints the 25 slowest tests
# and branch coverage.
TEST_WORKERS ?= auto
test: install ## Run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	DJANGO_SETTINGS_MODULE=deploy.settings.test $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup \
	  --durations=25 --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

lint: install ## ruff check
	$(VENV)/bin/ruff check .

# The catalogue is scoped to cms/, search/ and workers/ (and their templates): everything else is ignored,
# and all three write to cms/locale (LOCALE_PATHS for this run only).
messages: install ## Regenerate the zh_Hans catalogue (cms/locale) from the marked strings and compile it
	$(PY) -c "import django, os; from django.conf import settings; django.setup(); \
	settings.LOCALE_PATHS = [os.path.abspath('cms/locale')]; from django.core.management import call_command; \
	call_command('makemessages', locale=['zh_Hans'], verbosity=0, \
	ignore_patterns=['bench/*', 'deploy/*', 'tests/*', 'var/*', 'build/*', '*.egg-info/*', 'media/*', 'static/*'])"
	msgfmt -o cms/locale/zh_Hans/LC_MESSAGES/django.mo cms/locale/zh_Hans/LC_MESSAGES/django.po

bench: install ## Run every benchmark and print one table
	$(PY) bench/run_all

clean: ## Remove local state (database, indexes, uploads)
	rm -rf var
