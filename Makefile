# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test lint screenshots

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# SQLite by default (DATABASE_URL overrides), demo data and the shipped model, server on 127.0.0.1:8000,
# and the task worker that teaches members' models what they open and like. Ctrl-C stops both.
run: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py bootstrap_demo
	DEBUG=$${DEBUG:-true} $(PY) manage.py sweep_learning_events --no-progress
	@DEBUG=$${DEBUG:-true} $(PY) manage.py db_worker --no-startup-delay --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST)

# The whole test suite on the database named by DATABASE_URL (SQLite when unset), in one process
# per core (pytest-xdist; TEST_WORKERS=0 for one process; tests/conftest.py keeps tests/e2e/demo,
# which loads the whole demo data once, on one worker, and the production tests on one), each on
# its own test database (SQLite: a file per process; PostgreSQL: test_<name>_gw0, test_<name>_gw1 ...).
# Alongside, the task-queue tests again through RQ on the local Redis server (database 15 by
# default) on a test database of their own (test_<name>); their report follows the suite's.
TEST_WORKERS ?= auto

test: install
	@queue_log=$$(mktemp); \
	TASKS_BACKEND=rq REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} $(VENV)/bin/pytest -m queue \
		>$$queue_log 2>&1 & queue=$$!; \
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup; suite_status=$$?; \
	wait $$queue; queue_status=$$?; \
	echo "=== the task-queue tests again, through RQ ==="; cat $$queue_log; rm -f $$queue_log; \
	[ $$suite_status -eq 0 ] && [ $$queue_status -eq 0 ]

# The import contracts in .importlinter: one-way app layers, Django-free crawler and core.
lint: install
	$(VENV)/bin/lint-imports

# The README's screenshots: the browser tests in tests/e2e (headless Chromium, demo data) save them here.
screenshots: install
	SCREENSHOT_DIR=docs/screenshots $(VENV)/bin/pytest tests/e2e -m browser
