# The two commands a new user needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test faults install install-dev venv migrate seed worker beat lint format check messages lock clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

venv: $(BIN)/activate

install: venv
	$(PY) -m pip install --quiet -r requirements/base.txt

install-dev: venv
	$(PY) -m pip install --quiet -r requirements/dev.txt

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## run: create the environment, migrate, load demo data and serve on http://$(HOST):$(PORT)
##      (make run HOST=0.0.0.0 PORT=8080; the seed's summary names that address)
run: migrate
	$(PY) manage.py seed_demo --serve-url=http://$(HOST):$(PORT)/
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: install the dev tools and run the whole suite
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

## faults: only the fault suite (its own Redis, worker and gunicorn; needs PostgreSQL)
faults: install-dev
	$(PY) -m pytest -m faults $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A navpartner worker --loglevel=info

beat: install
	$(BIN)/celery -A navpartner beat --loglevel=info

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install-dev lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

## messages: refresh and compile the translation catalogues (needs GNU gettext)
messages: install
	$(PY) manage.py makemessages -l en -l nb --ignore=.venv --ignore=var --ignore=tests --ignore=static
	$(PY) manage.py compilemessages --ignore=.venv

## lock: re-pin requirements/*.txt from pyproject.toml in a scratch environment
lock:
	rm -rf /tmp/navpartner-lock && $(PYTHON) -m venv /tmp/navpartner-lock
	/tmp/navpartner-lock/bin/pip install --quiet --upgrade pip
	/tmp/navpartner-lock/bin/pip install --quiet -e .
	/tmp/navpartner-lock/bin/pip freeze --exclude-editable > requirements/base.txt.new
	@echo "review requirements/base.txt.new and move it over requirements/base.txt"

clean:
	rm -rf $(VENV) var .pytest_cache
