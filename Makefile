# The commands the README names. Everything runs from the virtual environment in .venv, which
# the first command creates from requirements.lock (exact, hashed versions).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run setup install test test-postgres lint format bench lock messages clean stack stack-stop stack-smoke load chaos

# The commands below are a developer's: debug on and a development key (config/settings.py).
# Anything else (a server, a container) runs as production unless it says otherwise.
export ENLACE_ENV ?= development

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Migrate, load the organisation and catalogues, demo users and cases, and the portal's ratings
# as their continuous study (all safe to repeat).
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_directory
	$(PY) manage.py load_catalogues
	$(PY) manage.py seed_demo
	$(PY) manage.py load_portal_study

# The web server, a worker of the database task queue and the deadline sweeper, together;
# Ctrl+C stops all three.
run: setup
	@echo "Enlace on http://$(HOST):$(PORT)/ (citizens' portal) and http://$(HOST):$(PORT)/casos/ (staff; Ctrl+C stops it)"
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py db_worker --interval 2 --no-reload & \
	$(PY) manage.py sweep --loop 60 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production topology on this machine (deploy/stack.py, docs/operations.md): nginx on
# STACK_PORT (8080) in front of two gunicorn web processes, two RQ workers, two sweepers, under
# supervisor from deploy/Procfile, on PostgreSQL (STACK_DATABASE_URL) and Redis (STACK_REDIS_URL).
# Ctrl+C or `make stack-stop` stops it all.
stack: install
	$(PY) deploy/stack.py start

stack-stop: install
	$(PY) deploy/stack.py stop

# Starts the stack on a fresh database, curls it through nginx, stops it, checks nothing is left.
stack-smoke: install
	$(PY) -m pytest deploy/tests -p no:xdist -v

# The load test against the stack (bench/load.py, bench/README.md): LOAD_USERS Locust users
# (80: 25 agents, 25 resolution staff, 3 managers, 4 integrations, citizens) for LOAD_TIME.
LOAD_USERS ?= 80
LOAD_TIME ?= 10m
load: install
	flock /tmp/enlace-bench.lock $(PY) bench/load.py --users $(LOAD_USERS) --run-time $(LOAD_TIME)

# Faults under load (bench/chaos.py): restarts this machine's PostgreSQL and Redis.
chaos: install
	flock /tmp/enlace-bench.lock $(PY) bench/chaos.py

test: install
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# The same suite on PostgreSQL (the production database).
test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/enlace} $(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Speed targets on PostgreSQL (see bench/README.md), all at 1,000,000 cases: the case list,
# the deadline sweeper (10,000 of 1,000,000 deadlines due), the participation report beside
# hand SQL, the report and the dashboard from the rollups at 1,000,000 and at 10,000,000 cases
# (a second database, made once), the import of 1,000,000 rows beside a bare COPY, a 1,000,000-row export,
# portal submissions per second beside a bare view that inserts one row, and case creations per
# second through POST /api/v1/cases (8 clients) beside a bare endpoint that inserts one row (and
# beside the same creations without rollup deltas), and
# the access log and masking on the case page and an API page of 200 cases beside the same
# pages without them; a study's results at 100,000 responses x 10 questions beside hand SQL;
# the public questionnaire's submissions beside the API bench's bare floors; and a campaign of
# 1,000,000 contacts: 50 agents claiming at once beside the bare FOR UPDATE SKIP LOCKED query the
# claim runs, and its progress figures beside hand SQL.
BENCH_DB = DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/enlace_bench}
bench: install
	$(BENCH_DB) $(PY) bench/case_list.py
	$(BENCH_DB) $(PY) bench/sweeper.py
	$(BENCH_DB) $(PY) bench/report.py
	$(BENCH_DB) $(PY) bench/rollups.py
	$(BENCH_DB) $(PY) bench/mechanisms.py
	$(BENCH_DB) $(PY) bench/media_search.py
	$(BENCH_DB) $(PY) bench/surveys.py
	$(BENCH_DB) $(PY) bench/import_cases.py
	$(BENCH_DB) $(PY) bench/export.py
	$(BENCH_DB) $(PY) bench/portal.py
	$(BENCH_DB) $(PY) bench/api.py --rollups-side-by-side
	$(BENCH_DB) $(PY) bench/personal_data.py
	$(BENCH_DB) $(PY) bench/survey_submit.py
	$(BENCH_DB) $(PY) bench/campaigns.py

lock: install
	$(VENV)/bin/pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

# Refresh the translation catalogues from the code, then compile the Spanish one (committed).
messages: install
	$(PY) manage.py makemessages -l es -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=bench --ignore=node_modules
	$(PY) manage.py compilemessages -l es --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) enlace.sqlite3 staticfiles
