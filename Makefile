# The two commands a new user needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test faults install install-dev venv migrate seed worker beat lint format check messages lock clean bench seed-national bench-db

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

## bench: issue 11's figures on the national data set, on PostgreSQL with production settings
##        (DEBUG off), outside any transaction: builds the data once (minutes), reuses it after;
##        prints median, p95 and ratios and writes var/bench/<time>.json and latest.json.
##        make bench BENCH_DATABASE_URL=postgres://… BENCH_REPEAT=30 BENCH_ARGS="--only review"
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/navpartner_bench
BENCH_REPEAT ?= 20
BENCH_ARGS ?=
# Production settings as deploy checks want them: a throwaway strong key for this run only,
# a host, static files collected into the bench's own var directory (manifest storage).
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) NAVPARTNER_ENV=production \
	DJANGO_ALLOWED_HOSTS=localhost NAVPARTNER_VAR_DIR=$(CURDIR)/var/bench/runtime \
	DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')

bench-db: install
	@$(PY) -c "import environ,subprocess,sys; d=environ.Env.db_url_config('$(BENCH_DATABASE_URL)'); \
	sys.exit(0) if d['ENGINE'].endswith('sqlite3') else None; \
	args=['createdb','-h',d['HOST'] or '127.0.0.1','-p',str(d['PORT'] or 5432),'-U',d['USER'] or 'postgres',d['NAME']]; \
	r=subprocess.run(args,capture_output=True,text=True); \
	sys.exit(0 if r.returncode==0 or 'already exists' in r.stderr else (print(r.stderr) or 1))"
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v 0
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v 0

## seed-national: only the national data set (python manage.py seed_national) into BENCH_DATABASE_URL
seed-national: bench-db
	$(BENCH_ENV) $(PY) manage.py seed_national

bench: bench-db
	$(BENCH_ENV) $(PY) manage.py benchmark --repeat $(BENCH_REPEAT) --output-dir var/bench $(BENCH_ARGS)

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
