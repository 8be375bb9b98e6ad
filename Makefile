# The two commands: `make run` serves the app with demo data, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
BENCH_PEOPLE ?= 10000 100000
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/bench

.PHONY: run test test-postgres test-browser bench bench-postgres serve messages lint format clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

## run: serve the app at http://127.0.0.1:8000/ on SQLite with demo data (DEBUG on)
run: export DEBUG ?= true
run: $(VENV)/.installed-run
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --base-url http://$(HOST):$(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: lint, format check, type check, migrations check and the whole test suite on SQLite
test: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## test-postgres: the test suite against PostgreSQL (POSTGRES_URL), without the browser tests
test-postgres: $(VENV)/.installed-dev
	DATABASE_URL=$(POSTGRES_URL) $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

## test-browser: the browser tests only, against PostgreSQL (POSTGRES_URL); a missing browser fails
test-browser: $(VENV)/.installed-dev
	DATABASE_URL=$(POSTGRES_URL) REQUIRE_BROWSER=1 $(VENV)/bin/pytest -m browser $(PYTEST_ARGS)

## bench: the benchmark on SQLite at 10,000 and 100,000 people (BENCH_PEOPLE; each data set is made
## once, in bench/.data/bench-N.sqlite3, and reused)
bench: $(VENV)/.installed-run
	DATABASE_URL= $(PY) -m bench --people $(BENCH_PEOPLE) $(BENCH_ARGS)

## bench-postgres: the benchmark on PostgreSQL, a database per size (BENCH_POSTGRES_URL's name plus the
## size: bench10k, bench100k)
bench-postgres: $(VENV)/.installed-run
	DATABASE_URL=$(BENCH_POSTGRES_URL) $(PY) -m bench --people $(BENCH_PEOPLE) $(BENCH_ARGS)

## serve: gunicorn with production settings (DEBUG off; needs SECRET_KEY, ALLOWED_HOSTS, ...)
serve: $(VENV)/.installed-run
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py migrate --no-input
	$(VENV)/bin/gunicorn register.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

## messages: refresh the fi and en catalogues from the code and compile them (needs GNU gettext)
messages: $(VENV)/.installed-dev
	DEBUG=true $(PY) manage.py makemessages --locale fi --locale en --ignore '.venv/*' --ignore 'staticfiles/*' --no-obsolete
	DEBUG=true $(PY) manage.py compilemessages --ignore '.venv/*'

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
