# Seamline: `make run` serves the demo, `make test` runs the suite. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

# `make run` is the demo: debug on, a generated development key, the demo organisation's name.
RUN_ENV := DEBUG=$${DEBUG:-1} ORGANISATION_NAME="$${ORGANISATION_NAME:-Northwind Cloud}"
# The suite runs with production-like settings (DEBUG off), so it needs a key of its own.
TEST_ENV := SECRET_KEY="$${SECRET_KEY:-insecure-key-for-tests-only}"

.PHONY: install run test lint format worker beat migrate seed bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@echo "Installing Seamline and its dependencies into $(VENV) (once, and after pyproject.toml changes)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

migrate: install
	@echo "Migrating the database..."
	@$(RUN_ENV) $(MANAGE) migrate --noinput --verbosity 0

seed: migrate
	$(RUN_ENV) $(MANAGE) seed_demo

# Serves http://127.0.0.1:8000 with demo data. With REDIS_URL set, a Celery worker with an
# embedded beat runs beside the web server and stops with it.
run: migrate
	@$(RUN_ENV) $(MANAGE) seed_demo --if-empty
	@if [ -n "$$REDIS_URL" ]; then \
		$(RUN_ENV) $(BIN)/celery -A config worker --beat --loglevel=INFO --concurrency=2 & \
		trap "kill $$! 2>/dev/null" EXIT INT TERM; \
	fi; \
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: install
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks print their figures; run them against PostgreSQL (DATABASE_URL).
bench: install
	@$(TEST_ENV) $(MANAGE) migrate --noinput --verbosity 0
	@for script in bench/*.py; do $(TEST_ENV) $(BIN)/python -W ignore $$script || exit 1; done

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .dev-secret-key
